package io.sightline.capture.source;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.sightline.capture.testing.Frames;
import io.sightline.capture.testing.MjpegServer;
import io.sightline.capture.testing.SnapshotServer;
import io.sightline.capture.testing.TestStateDir;
import io.sightline.capture.testing.TestVideos;
import io.sightline.common.kafka.Topics;
import io.sightline.testsupport.KafkaBrokerResource;
import io.sightline.testsupport.TestImages;
import io.sightline.testsupport.TopicReader;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.Color;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;

@QuarkusTest
@WithTestResource(KafkaBrokerResource.class)
@WithTestResource(TestStateDir.class)
class SourcesTest {

    private static final String TOKEN = "Bearer test-token";
    private static final Duration WAIT = Duration.ofSeconds(40);

    @Test
    void loopingVideoFileIsPublishedDownscaledTo1280(@TempDir Path dir) throws Exception {
        Path video = TestVideos.movingSquare(dir.resolve("drive.mp4"), 1920, 1080, 30, 10);
        try (TopicReader frames = TopicReader.fromNow(Topics.FRAMES)) {
            putCamera("video-cam", "{\"source\":{\"type\":\"file\",\"path\":\"" + video + "\",\"loop\":true},\"fps\":4,\"change_threshold\":0.005}");
            try {
                // 3 s of video at 4 fps sampled, looped: more frames than one pass holds proves the loop
                List<ConsumerRecord<String, byte[]>> records = frames.await(Frames.ofCamera("video-cam"), 14, WAIT);
                records.forEach(r -> Frames.assertFrame(r, "video-cam", 1280, 720));
                given().header("Authorization", TOKEN).get("/api/v1/cameras/video-cam").then().statusCode(200)
                        .body("status.state", equalTo("ok"))
                        .body("status.connected", equalTo(true))
                        .body("source.type", equalTo("file"));
            } finally {
                deleteCamera("video-cam");
            }
        }
    }

    @Test
    void mjpegStreamIsSampledAndReconnectsAfterTheCameraDropsOff() throws Exception {
        // every served frame differs from the last 11: the 5 fps sampler of a 10 fps stream takes every
        // other frame, and with only two alternating scenes it could lock onto one and be gated as static
        byte[][] scenes = new byte[12][];
        for (int k = 0; k < scenes.length; k++) {
            scenes[k] = TestImages.encodeJpeg(TestImages.scene(800, 600, Color.DARK_GRAY, 40 + k * 50, 40 + k * 35), 0.9f);
        }
        try (MjpegServer camera = new MjpegServer(i -> scenes[i % scenes.length], 10).start();
             TopicReader frames = TopicReader.fromNow(Topics.FRAMES)) {
            putCamera("mjpeg-cam", "{\"source\":{\"type\":\"mjpeg\",\"url\":\"" + camera.url() + "\"},\"fps\":5}");
            try {
                frames.await(Frames.ofCamera("mjpeg-cam"), 3, WAIT).forEach(r -> Frames.assertFrame(r, "mjpeg-cam", 800, 600));
                given().header("Authorization", TOKEN).get("/api/v1/cameras/mjpeg-cam").then().body("status.connected", equalTo(true));

                camera.stop();
                await().atMost(WAIT).untilAsserted(() -> given().header("Authorization", TOKEN).get("/api/v1/cameras/mjpeg-cam").then()
                        .body("status.state", equalTo("degraded"))
                        .body("status.connected", equalTo(false))
                        .body("status.last_error", not(nullValue())));
                int before = (int) frames.drain(Duration.ofMillis(200)).stream().filter(Frames.ofCamera("mjpeg-cam")).count();

                camera.start();
                await().atMost(WAIT).untilAsserted(() -> given().header("Authorization", TOKEN).get("/api/v1/cameras/mjpeg-cam").then()
                        .body("status.state", equalTo("ok"))
                        .body("status.connected", equalTo(true)));
                frames.await(Frames.ofCamera("mjpeg-cam"), before + 3, WAIT);
            } finally {
                deleteCamera("mjpeg-cam");
            }
        }
    }

    @Test
    void staticSnapshotSceneYieldsKeepAlivesOnlyAndAChangeIsPublishedPromptly() throws Exception {
        byte[] still = TestImages.encodeJpeg(TestImages.scene(640, 480, Color.GRAY, 40, 40), 0.9f);
        try (SnapshotServer camera = new SnapshotServer(still);
             TopicReader frames = TopicReader.fromNow(Topics.FRAMES)) {
            camera.requireBasicAuth("viewer", "hunter2");
            putCamera("gate-cam", "{\"source\":{\"type\":\"snapshot\",\"url\":\"" + camera.urlWithCredentials("viewer", "hunter2")
                    + "\"},\"fps\":10,\"keep_alive_seconds\":1.5}");
            try {
                // first frame, then keep-alives roughly every 1.5 s although ~10 frames/s are polled
                List<ConsumerRecord<String, byte[]>> kept = frames.await(Frames.ofCamera("gate-cam"), 3, WAIT);
                kept.forEach(r -> Frames.assertFrame(r, "gate-cam", 640, 480));
                assertThat(Frames.changeScore(kept.get(0))).isEqualTo(1.0);
                assertThat(Frames.changeScore(kept.get(1))).isLessThan(0.02);
                assertThat(Frames.changeScore(kept.get(2))).isLessThan(0.02);
                long spacing = kept.get(2).timestamp() - kept.get(1).timestamp();
                assertThat(spacing).isBetween(1_200L, 3_000L);
                given().header("Authorization", TOKEN).get("/api/v1/cameras/gate-cam").then()
                        .body("status.frames_gated", org.hamcrest.Matchers.greaterThan(5))
                        .body("source.url", containsString("***@"))
                        .body("source.url", not(containsString("hunter2")));

                long changedAt = System.currentTimeMillis();
                camera.serve(TestImages.encodeJpeg(TestImages.scene(640, 480, Color.GRAY, 400, 300), 0.9f));
                ConsumerRecord<String, byte[]> change = frames.await(Frames.ofCamera("gate-cam")
                        .and(r -> r.timestamp() >= changedAt && Frames.changeScore(r) > 0.02), 1, WAIT).get(0);
                assertThat(change.timestamp() - changedAt).as("change published before the keep-alive").isLessThan(1_200L);
                assertThat(Frames.changeScore(change)).isGreaterThan(0.05);
            } finally {
                deleteCamera("gate-cam");
            }
        }
    }

    @Test
    void failingSnapshotCameraIsDegradedAndRecovers() throws Exception {
        byte[] jpeg = TestImages.jpeg("coffee.png").bytes();
        try (SnapshotServer camera = new SnapshotServer(jpeg);
             TopicReader frames = TopicReader.fromNow(Topics.FRAMES)) {
            camera.failWith(503);
            putCamera("flaky-cam", "{\"source\":{\"type\":\"snapshot\",\"url\":\"" + camera.url() + "\"},\"fps\":5}");
            try {
                await().atMost(WAIT).untilAsserted(() -> given().header("Authorization", TOKEN).get("/api/v1/cameras/flaky-cam").then()
                        .body("status.state", equalTo("degraded"))
                        .body("status.last_error", containsString("HTTP 503")));
                camera.serve(jpeg);
                frames.awaitOne(Frames.ofCamera("flaky-cam"), WAIT);
                await().atMost(WAIT).untilAsserted(() -> given().header("Authorization", TOKEN).get("/api/v1/cameras/flaky-cam").then()
                        .body("status.state", equalTo("ok")));
            } finally {
                deleteCamera("flaky-cam");
            }
        }
    }

    @Test
    void watchedDirectoryPublishesNewFilesAndSkipsBadOnes(@TempDir Path dir) throws Exception {
        Files.write(dir.resolve("old.jpg"), TestImages.jpeg("coffee.png").bytes());
        try (TopicReader frames = TopicReader.fromNow(Topics.FRAMES)) {
            putCamera("dir-cam", "{\"source\":{\"type\":\"directory\",\"path\":\"" + dir + "\"},\"fps\":5}");
            try {
                await().atMost(WAIT).untilAsserted(() -> given().header("Authorization", TOKEN).get("/api/v1/cameras/dir-cam").then().body("status.connected", equalTo(true)));
                Files.write(dir.resolve("broken.jpg"), "not a jpeg".getBytes());
                await().atMost(WAIT).untilAsserted(() -> given().header("Authorization", TOKEN).get("/api/v1/cameras/dir-cam").then()
                        .body("status.last_error", containsString("broken.jpg")));

                TestImages.Jpeg fresh = TestImages.jpeg("chelsea.png");
                Files.write(dir.resolve("new.jpg"), fresh.bytes());
                ConsumerRecord<String, byte[]> record = frames.awaitOne(Frames.ofCamera("dir-cam"), WAIT);
                Frames.assertFrame(record, "dir-cam", fresh.width(), fresh.height());
                // the file that was there before the camera started is not replayed
                assertThat(frames.drain(Duration.ofSeconds(1)).stream().filter(Frames.ofCamera("dir-cam"))).hasSize(1);
            } finally {
                deleteCamera("dir-cam");
            }
        }
    }

    @Test
    void loopingDirectoryCyclesThroughItsImagesLikeTheDemoCamera(@TempDir Path dir) throws Exception {
        String[] names = {"astronaut.png", "chelsea.png", "coffee.png"};
        for (String name : names) {
            Files.copy(TestImages.image(name), dir.resolve(name));
        }
        try (TopicReader frames = TopicReader.fromNow(Topics.FRAMES)) {
            putCamera("loop-cam", "{\"source\":{\"type\":\"directory\",\"path\":\"" + dir + "\",\"loop\":true},\"fps\":5}");
            try {
                List<ConsumerRecord<String, byte[]>> records = frames.await(Frames.ofCamera("loop-cam"), 5, WAIT);
                Set<String> sizes = records.stream()
                        .map(r -> io.sightline.testsupport.TopicReader.header(r, "width") + "x" + io.sightline.testsupport.TopicReader.header(r, "height"))
                        .collect(Collectors.toSet());
                // astronaut and chelsea/coffee differ in size: the loop went through more than one image and came back
                assertThat(sizes).hasSizeGreaterThanOrEqualTo(2);
                for (ConsumerRecord<String, byte[]> r : records) {
                    BufferedImageCheck.decodes(r.value());
                }
            } finally {
                deleteCamera("loop-cam");
            }
        }
    }

    @Test
    void unreachableRtspCameraIsDegradedWithoutShowingItsPassword() {
        putCamera("rtsp-cam", "{\"source\":{\"type\":\"rtsp\",\"url\":\"rtsp://admin:topsecret@127.0.0.1:9/stream1\"},\"fps\":1}");
        try {
            await().atMost(WAIT).untilAsserted(() -> given().header("Authorization", TOKEN).get("/api/v1/cameras/rtsp-cam").then()
                    .body("status.state", equalTo("degraded"))
                    .body("status.connected", equalTo(false))
                    .body("status.last_error", containsString("stream failed"))
                    .body("status.last_error", not(containsString("topsecret")))
                    .body("source.url", equalTo("rtsp://***@127.0.0.1:9/stream1")));
            given().get("/q/health/ready").then()
                    .body(containsString("camera.rtsp-cam"))
                    .body(not(containsString("topsecret")));
        } finally {
            deleteCamera("rtsp-cam");
        }
    }

    private static void putCamera(String id, String body) {
        given().header("Authorization", TOKEN).contentType("application/json").body(body)
                .put("/api/v1/cameras/" + id).then().statusCode(201);
    }

    private static void deleteCamera(String id) {
        given().header("Authorization", TOKEN).delete("/api/v1/cameras/" + id).then().statusCode(204);
    }

    private static final class BufferedImageCheck {
        static void decodes(byte[] jpeg) {
            assertThat(TestImages.decode(jpeg).getWidth()).isPositive();
        }
    }
}
