package io.sightline.capture.source;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.sightline.capture.testing.Frames;
import io.sightline.capture.testing.RtspCamera;
import io.sightline.capture.testing.TestStateDir;
import io.sightline.common.kafka.Topics;
import io.sightline.testsupport.KafkaBrokerResource;
import io.sightline.testsupport.TopicReader;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.jboss.logmanager.ExtLogRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.not;

/**
 * Issue 14 item 11: a live RTSP camera (GStreamer's RTSP server on 127.0.0.1, H.264 over TCP, RTSP Basic
 * authentication) read by the real FFmpeg grabber. Test profile: reconnect backoff 200 ms doubling to 1 s.
 */
@QuarkusTest
@WithTestResource(KafkaBrokerResource.class)
@WithTestResource(TestStateDir.class)
class RtspCameraTest {

    private static final String TOKEN = "Bearer test-token";
    private static final String PASSWORD = "rtsp-Pa55-do-not-log";
    private static final String WRONG_PASSWORD = "wrong-Pa55-do-not-log";
    private static final Duration WAIT = Duration.ofSeconds(40);
    private static final Pattern RECONNECT = Pattern.compile("Camera rtsp-live: .*reconnecting in (\\d+) ms");

    private final List<String> logs = new CopyOnWriteArrayList<>();
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            String message = record instanceof ExtLogRecord ext ? ext.getFormattedMessage() : record.getMessage();
            logs.add(message + " " + Arrays.toString(record.getParameters())
                    + (record.getThrown() == null ? "" : " " + record.getThrown()));
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @BeforeEach
    void captureLogs() {
        Logger.getLogger("").addHandler(capture);
    }

    @AfterEach
    void stopCapturingLogs() {
        Logger.getLogger("").removeHandler(capture);
    }

    @Test
    void liveStreamArrivesAtTheCameraRateSurvivesAServerRestartAndNeverShowsThePassword() {
        try (RtspCamera server = RtspCamera.start(10, "admin", PASSWORD);
             TopicReader frames = TopicReader.fromNow(Topics.FRAMES)) {
            putCamera("rtsp-live", "{\"source\":{\"type\":\"rtsp\",\"url\":\"" + server.url("admin", PASSWORD)
                    + "\"},\"fps\":2,\"change_threshold\":0.001}");
            try {
                // a 10 fps stream sampled at the camera's 2 fps: 10 frames take about 5 s
                frames.awaitOne(Frames.ofCamera("rtsp-live"), WAIT);
                long t0 = System.nanoTime();
                int before = count(frames, "rtsp-live");
                List<ConsumerRecord<String, byte[]>> sampled = frames.await(Frames.ofCamera("rtsp-live"), before + 10, WAIT);
                double seconds = (System.nanoTime() - t0) / 1e9;
                assertThat(seconds).as("seconds for 10 frames at 2 fps").isBetween(3.5, 8.0);
                sampled.forEach(r -> Frames.assertFrame(r, "rtsp-live", 320, 240));
                given().header("Authorization", TOKEN).get("/api/v1/cameras/rtsp-live").then().statusCode(200)
                        .body("status.state", equalTo("ok"))
                        .body("status.connected", equalTo(true))
                        .body("status.fps_in", greaterThan(5.0f))
                        .body("source.url", equalTo(server.url("admin", PASSWORD).replace("admin:" + PASSWORD + "@", "***@")));

                // the server goes away: degraded, retried with growing delays
                server.stop();
                await().atMost(WAIT).untilAsserted(() -> given().header("Authorization", TOKEN).get("/api/v1/cameras/rtsp-live").then()
                        .body("status.state", equalTo("degraded"))
                        .body("status.connected", equalTo(false)));
                await().atMost(WAIT).until(() -> reconnectDelays().stream().anyMatch(d -> d >= 800));
                List<Long> delays = reconnectDelays();
                assertThat(delays).as("reconnect delays (ms)").isSorted().first().isEqualTo(200L);

                // and comes back on the same port: the camera reconnects and frames flow again
                server.restart();
                int seen = count(frames, "rtsp-live");
                frames.await(Frames.ofCamera("rtsp-live"), seen + 3, WAIT);
                await().atMost(WAIT).untilAsserted(() -> given().header("Authorization", TOKEN).get("/api/v1/cameras/rtsp-live").then()
                        .body("status.state", equalTo("ok"))
                        .body("status.connected", equalTo(true)));

                String all = given().header("Authorization", TOKEN).get("/api/v1/cameras").then().statusCode(200).extract().asString()
                        + given().get("/q/health/ready").then().extract().asString();
                assertThat(all).doesNotContain(PASSWORD);
            } finally {
                deleteCamera("rtsp-live");
            }
        }
        assertThat(logs).as("log lines").isNotEmpty().noneMatch(l -> l.contains(PASSWORD));
    }

    @Test
    void wrongCredentialsGiveAnUnauthorizedCameraStateWithoutThePassword() {
        try (RtspCamera server = RtspCamera.start(10, "admin", PASSWORD)) {
            putCamera("rtsp-wrong", "{\"source\":{\"type\":\"rtsp\",\"url\":\"" + server.url("admin", WRONG_PASSWORD)
                    + "\"},\"fps\":1}");
            try {
                await().atMost(WAIT).untilAsserted(() -> given().header("Authorization", TOKEN).get("/api/v1/cameras/rtsp-wrong").then()
                        .body("status.state", equalTo("unauthorized"))
                        .body("status.connected", equalTo(false))
                        .body("status.last_error", containsString("refused the credentials"))
                        .body(not(containsString(WRONG_PASSWORD))));
                given().get("/q/health/ready").then()
                        .body(containsString("refused the credentials"))
                        .body(not(containsString(WRONG_PASSWORD)));
            } finally {
                deleteCamera("rtsp-wrong");
            }
        }
        assertThat(logs).as("log lines").isNotEmpty()
                .anyMatch(l -> l.contains("rtsp-wrong") && l.contains("refused the credentials"))
                .noneMatch(l -> l.contains(WRONG_PASSWORD) || l.contains(PASSWORD));
    }

    private static int count(TopicReader frames, String camera) {
        return (int) frames.drain(Duration.ZERO).stream().filter(Frames.ofCamera(camera)).count();
    }

    private List<Long> reconnectDelays() {
        List<Long> delays = new ArrayList<>();
        for (String line : logs) {
            Matcher m = RECONNECT.matcher(line);
            if (m.find()) {
                delays.add(Long.parseLong(m.group(1)));
            }
        }
        return delays;
    }

    private static void putCamera(String id, String body) {
        given().header("Authorization", TOKEN).contentType("application/json").body(body)
                .put("/api/v1/cameras/" + id).then().statusCode(201);
    }

    private static void deleteCamera(String id) {
        given().header("Authorization", TOKEN).delete("/api/v1/cameras/" + id).then().statusCode(204);
    }
}
