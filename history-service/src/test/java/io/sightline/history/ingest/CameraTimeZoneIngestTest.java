package io.sightline.history.ingest;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.sightline.common.frame.CapturedFrame;
import io.sightline.common.frame.FrameRecordCodec;
import io.sightline.common.kafka.FrameHeaders;
import io.sightline.common.kafka.FrameSource;
import io.sightline.common.kafka.Topics;
import io.sightline.history.support.EmbeddedPostgresResource;
import io.sightline.history.support.Records;
import io.sightline.testsupport.KafkaBrokerResource;
import io.sightline.testsupport.TestImages;
import io.sightline.testsupport.TestKafka;
import org.apache.kafka.common.header.Headers;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The camera's time zone travels with its frames (header time-zone); history keeps the newest one and answers in it. */
@QuarkusTest
@WithTestResource(KafkaBrokerResource.class)
@WithTestResource(EmbeddedPostgresResource.class)
class CameraTimeZoneIngestTest {

    private static final Duration WAIT = Duration.ofSeconds(60);

    @BeforeEach
    void ready() {
        await().atMost(WAIT).until(() -> given().get("/q/health/ready").statusCode() == 200);
    }

    @Test
    void theNewestFramesZoneIsTheCamerasZoneAndItsAnswersDefaultToIt() {
        String camera = "tz-" + UUID.randomUUID().toString().substring(0, 8);
        long t = System.currentTimeMillis() - 60_000;
        frame(camera, t, "Pacific/Auckland");
        await().atMost(WAIT).until(() -> zone(camera) != null);
        assertThat(zone(camera)).isEqualTo("Pacific/Auckland");

        // an older frame replayed late does not undo it; a newer one with another zone moves the camera
        frame(camera, t - 30_000, "America/Los_Angeles");
        frame(camera, t + 1000, "Nowhere/Special"); // unknown zone: dropped, the frame is still stored
        Records.caption(camera, t + 2000, "marker");
        await().atMost(WAIT).until(() -> given().queryParam("camera", camera).get("/api/v1/history/captions")
                .jsonPath().getInt("count") == 1);
        await().atMost(WAIT).until(() -> given().get("/api/v1/history/frames/" + lastFrame + "/thumbnail.jpg").statusCode() == 200);
        assertThat(zone(camera)).isEqualTo("Pacific/Auckland");
        frame(camera, t + 5000, "America/Los_Angeles");
        await().atMost(WAIT).until(() -> "America/Los_Angeles".equals(zone(camera)));

        // counts and the timeline without zone= answer in the camera's zone; an explicit zone wins
        Records.detections(camera, t, "cat:0.9");
        await().atMost(WAIT).until(() -> given().queryParam("camera", camera).get("/api/v1/history/events")
                .jsonPath().getInt("count") == 1);
        assertThat(given().queryParam("camera", camera).queryParam("label", "cat").get("/api/v1/history/counts")
                .then().statusCode(200).extract().jsonPath().getString("zone")).isEqualTo("America/Los_Angeles");
        assertThat(given().queryParam("camera", camera).get("/api/v1/history/events").jsonPath().getString("events[0].start"))
                .endsWith(java.time.ZoneId.of("America/Los_Angeles").getRules().getOffset(java.time.Instant.ofEpochMilli(t)).getId());
        assertThat(given().queryParam("camera", camera).queryParam("label", "cat").queryParam("zone", "Europe/Berlin")
                .get("/api/v1/history/counts").jsonPath().getString("zone")).isEqualTo("Europe/Berlin");
        given().get("/api/v1/history/cameras/never-seen-" + camera).then().statusCode(404);
    }

    private static volatile UUID lastFrame;

    private static String zone(String camera) {
        var r = given().get("/api/v1/history/cameras/" + camera);
        return r.statusCode() == 200 ? r.jsonPath().getString("time_zone") : null;
    }

    private static void frame(String camera, long at, String zone) {
        byte[] jpeg = TestImages.jpeg("astronaut.png").bytes();
        CapturedFrame frame = new CapturedFrame(UUID.randomUUID(), camera, FrameSource.CAMERA, at, 512, 512, CapturedFrame.JPEG, 1, 1.0, jpeg);
        Headers headers = FrameRecordCodec.toHeaders(frame);
        headers.add(FrameHeaders.TIME_ZONE, zone.getBytes(StandardCharsets.UTF_8));
        TestKafka.send(Topics.FRAMES, camera, jpeg, headers);
        lastFrame = frame.frameId();
    }
}
