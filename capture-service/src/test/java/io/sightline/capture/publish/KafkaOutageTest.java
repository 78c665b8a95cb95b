package io.sightline.capture.publish;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import io.sightline.capture.testing.BrokerGate;
import io.sightline.capture.testing.Frames;
import io.sightline.capture.testing.SnapshotServer;
import io.sightline.capture.testing.TestStateDir;
import io.sightline.common.kafka.Topics;
import io.sightline.testsupport.TestBroker;
import io.sightline.testsupport.TestImages;
import io.sightline.testsupport.TopicReader;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;

/**
 * The application's producer reaches Kafka through a gate that starts shut: Kafka is unreachable for
 * capture-service (while the rest of the test broker works), then becomes reachable.
 */
@QuarkusTest
@TestProfile(KafkaOutageTest.OutageProfile.class)
class KafkaOutageTest {

    private static final String TOKEN = "Bearer test-token";
    private static BrokerGate gate;

    public static class OutageProfile implements QuarkusTestProfile {
        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(GateResource.class), new TestResourceEntry(TestStateDir.class));
        }

        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of(
                    "mp.messaging.outgoing.frames.max.block.ms", "1500",
                    "sightline.capture.publish.push-timeout", "4s",
                    "mp.messaging.outgoing.frames.reconnect.backoff.max.ms", "500",
                    "sightline.capture.cameras.seeded-screen.source.type", "push",
                    "sightline.capture.cameras.seeded-screen.fps", "2");
        }
    }

    public static class GateResource implements QuarkusTestResourceLifecycleManager {
        @Override
        public Map<String, String> start() {
            try {
                gate = new BrokerGate(TestBroker.bootstrapServers());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return Map.of(
                    "kafka.bootstrap.servers", TestBroker.bootstrapServers(),
                    "mp.messaging.outgoing.frames.bootstrap.servers", gate.address());
        }

        @Override
        public void stop() {
            gate.close();
        }
    }

    @AfterAll
    static void closeGate() {
        if (gate != null) {
            gate.close();
        }
    }

    @Test
    void whileKafkaIsDownPushesGet503AndSourcesKeepOnlyTheirNewestFrameThenPublishingResumes() throws Exception {
        byte[] jpeg = TestImages.jpeg("coffee.png").bytes();
        given().header("Authorization", TOKEN).contentType("application/json").body("{\"source\":{\"type\":\"push\"}}")
                .put("/api/v1/cameras/outage-push").then().statusCode(201);
        try (SnapshotServer camera = new SnapshotServer(jpeg);
             TopicReader frames = TopicReader.fromNow(Topics.FRAMES)) {
            // every polled frame is a keep-alive, so each one wants to be published
            given().header("Authorization", TOKEN).contentType("application/json")
                    .body("{\"source\":{\"type\":\"snapshot\",\"url\":\"" + camera.url() + "\"},\"fps\":10,\"keep_alive_seconds\":0.1}")
                    .put("/api/v1/cameras/outage-snap").then().statusCode(201);

            long started = System.nanoTime();
            Response refused = given().header("Authorization", TOKEN).contentType("image/jpeg").body(jpeg)
                    .post("/api/v1/frames/outage-push");
            long tookMillis = (System.nanoTime() - started) / 1_000_000;
            refused.then().statusCode(503)
                    .header("Retry-After", equalTo("2"))
                    .body("error", equalTo("kafka_unavailable"))
                    .body("status", equalTo(503));
            assertThat(tookMillis).as("push answered within its bounded wait").isLessThan(10_000);

            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().header("Authorization", TOKEN).get("/api/v1/cameras/outage-snap").then()
                    .body("status.frames_dropped", greaterThan(5))
                    .body("status.frames_published", equalTo(0))
                    .body("status.last_error", containsString("publish")));
            assertThat(waitingGauge()).as("at most one frame waits behind the one in flight").isLessThanOrEqualTo(1.0);

            gate.open();

            await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                    given().header("Authorization", TOKEN).contentType("image/jpeg").body(jpeg)
                            .post("/api/v1/frames/outage-push").then().statusCode(202));
            frames.awaitOne(Frames.ofCamera("outage-push"), Duration.ofSeconds(30));
            Frames.assertFrame(frames.awaitOne(Frames.ofCamera("outage-snap"), Duration.ofSeconds(30)), "outage-snap", 600, 400);
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().header("Authorization", TOKEN).get("/api/v1/cameras/outage-snap").then()
                    .body("status.state", equalTo("ok"))
                    .body("status.frames_published", greaterThan(0)));
            given().header("Authorization", TOKEN).get("/q/metrics").then().statusCode(200)
                    .body(containsString("sightline_capture_frames_dropped_total{camera=\"outage-snap\""));
        } finally {
            given().header("Authorization", TOKEN).delete("/api/v1/cameras/outage-snap");
            given().header("Authorization", TOKEN).delete("/api/v1/cameras/outage-push");
        }
    }

    @Test
    void camerasDeclaredInConfigurationAreRunningAndStored() throws Exception {
        given().header("Authorization", TOKEN).get("/api/v1/cameras/seeded-screen").then().statusCode(200)
                .body("source.type", equalTo("push"))
                .body("fps", equalTo(2.0f));
        assertThat(java.nio.file.Files.readString(TestStateDir.current().resolve("cameras.json"))).contains("\"seeded-screen\"");
    }

    private static double waitingGauge() {
        String metrics = given().header("Authorization", TOKEN).get("/q/metrics").then().statusCode(200).extract().asString();
        return metrics.lines()
                .filter(l -> l.startsWith("sightline_capture_publish_waiting{") && l.contains("camera=\"outage-snap\""))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
                .findFirst().orElseThrow();
    }
}
