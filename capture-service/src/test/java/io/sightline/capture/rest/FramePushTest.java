package io.sightline.capture.rest;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.sightline.capture.testing.Frames;
import io.sightline.capture.testing.TestStateDir;
import io.sightline.common.kafka.FrameHeaders;
import io.sightline.common.kafka.Topics;
import io.sightline.testsupport.KafkaBrokerResource;
import io.sightline.testsupport.TestImages;
import io.sightline.testsupport.TopicReader;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.awt.Color;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;

@QuarkusTest
@WithTestResource(KafkaBrokerResource.class)
@WithTestResource(TestStateDir.class)
class FramePushTest {

    static final String TOKEN = "Bearer test-token";
    private static final String CAMERA = "screen-1";

    @BeforeEach
    void registerPushCamera() {
        given().header("Authorization", TOKEN).contentType("application/json")
                .body("{\"source\":{\"type\":\"push\"}}")
                .put("/api/v1/cameras/" + CAMERA)
                .then().statusCode(org.hamcrest.Matchers.anyOf(equalTo(200), equalTo(201)));
    }

    @Test
    void aRetryWithTheSameIdempotencyKeyCarriesTheSameFrameIdAndAnotherKeyAnother() {
        byte[] jpeg = TestImages.encodeJpeg(TestImages.scene(320, 240, Color.DARK_GRAY, 40, 60), 0.9f);
        try (TopicReader frames = TopicReader.fromNow(Topics.FRAMES)) {
            String first = pushWithKey(jpeg, "agent-7-frame-42").then().statusCode(202).extract().path("frame_id");
            String retry = pushWithKey(jpeg, "agent-7-frame-42").then().statusCode(202).extract().path("frame_id");
            String other = pushWithKey(jpeg, "agent-7-frame-43").then().statusCode(202).extract().path("frame_id");

            assertThat(retry).isEqualTo(first);
            assertThat(other).isNotEqualTo(first);
            List<ConsumerRecord<String, byte[]>> published = frames.await(Frames.ofCamera(CAMERA), 3, Duration.ofSeconds(30));
            assertThat(published).extracting(r -> TopicReader.header(r, FrameHeaders.FRAME_ID)).containsExactly(first, first, other);
        }
        pushWithKey(jpeg, "has spaces in it").then().statusCode(400).body(containsString("invalid_idempotency_key"));
    }

    private static Response pushWithKey(byte[] jpeg, String key) {
        return given().header("Authorization", TOKEN).contentType("image/jpeg").header("Idempotency-Key", key)
                .body(jpeg).post("/api/v1/frames/" + CAMERA);
    }

    @Test
    void pushedJpegIsPublishedWithContractHeadersAndAcknowledgedWithItsFrameId() {
        TestImages.Jpeg jpeg = TestImages.jpeg("chelsea.png");
        try (TopicReader frames = TopicReader.fromNow(Topics.FRAMES)) {
            String frameId = given().header("Authorization", TOKEN).contentType("image/jpeg")
                    .header("X-Captured-At", "1700000000123").header("X-Source", "screen")
                    .body(jpeg.bytes())
                    .post("/api/v1/frames/" + CAMERA)
                    .then().statusCode(202)
                    .body("frame_id", notNullValue())
                    .body("width", equalTo(jpeg.width()))
                    .extract().path("frame_id");

            ConsumerRecord<String, byte[]> record = frames.awaitOne(Frames.ofCamera(CAMERA), Duration.ofSeconds(30));
            Frames.assertFrame(record, CAMERA, jpeg.width(), jpeg.height());
            assertThat(TopicReader.header(record, FrameHeaders.FRAME_ID)).isEqualTo(frameId);
            assertThat(TopicReader.header(record, FrameHeaders.SOURCE)).isEqualTo("screen");
            assertThat(TopicReader.header(record, FrameHeaders.CAPTURED_AT)).isEqualTo("1700000000123");
        }
    }

    @Test
    void framesCarryTheCamerasTimeZoneOrTheDefault() {
        given().header("Authorization", TOKEN).contentType("application/json")
                .body("{\"source\":{\"type\":\"push\"},\"time_zone\":\"Pacific/Auckland\"}")
                .put("/api/v1/cameras/auckland-door").then().statusCode(org.hamcrest.Matchers.anyOf(equalTo(200), equalTo(201)));
        given().header("Authorization", TOKEN).get("/api/v1/cameras/auckland-door").then().statusCode(200)
                .body("time_zone", equalTo("Pacific/Auckland"));
        TestImages.Jpeg jpeg = TestImages.jpeg("chelsea.png");
        try (TopicReader frames = TopicReader.fromNow(Topics.FRAMES)) {
            given().header("Authorization", TOKEN).contentType("image/jpeg").body(jpeg.bytes())
                    .post("/api/v1/frames/auckland-door").then().statusCode(202);
            given().header("Authorization", TOKEN).contentType("image/jpeg").body(jpeg.bytes())
                    .post("/api/v1/frames/" + CAMERA).then().statusCode(202);
            assertThat(TopicReader.header(frames.awaitOne(Frames.ofCamera("auckland-door"), Duration.ofSeconds(30)),
                    FrameHeaders.TIME_ZONE)).isEqualTo("Pacific/Auckland");
            // a camera without its own zone: the service's sightline.capture.time-zone, unset here, so UTC
            assertThat(TopicReader.header(frames.awaitOne(Frames.ofCamera(CAMERA), Duration.ofSeconds(30)),
                    FrameHeaders.TIME_ZONE)).isEqualTo("UTC");
        }
        given().header("Authorization", TOKEN).delete("/api/v1/cameras/auckland-door").then().statusCode(204);
    }

    @Test
    void imageJpgIsTakenAsImageJpeg() {
        TestImages.Jpeg jpeg = TestImages.jpeg("chelsea.png");
        given().header("Authorization", TOKEN).contentType("image/jpg").body(jpeg.bytes())
                .post("/api/v1/frames/" + CAMERA)
                .then().statusCode(202).body("width", equalTo(jpeg.width()));
    }

    @Test
    void conformingJpegIsPublishedByteForByteAndStillGated() {
        byte[] jpeg = TestImages.encodeJpeg(TestImages.read("astronaut.png"), 0.85f);
        byte[] other = TestImages.encodeJpeg(TestImages.read("coffee.png"), 0.85f);
        try (TopicReader frames = TopicReader.fromNow(Topics.FRAMES)) {
            for (byte[] body : List.of(jpeg, jpeg, other)) {
                authed().contentType("image/jpeg").body(body).post("/api/v1/frames/" + CAMERA).then().statusCode(202);
            }

            List<ConsumerRecord<String, byte[]>> records = frames.await(Frames.ofCamera(CAMERA), 3, Duration.ofSeconds(30));
            assertThat(records.get(0).value()).isEqualTo(jpeg);
            assertThat(records.get(1).value()).isEqualTo(jpeg);
            assertThat(records.get(2).value()).isEqualTo(other);
            // the change score still comes from the thumbnails: the repeat is unchanged, the new scene is not
            assertThat(Frames.changeScore(records.get(1))).isLessThan(0.02);
            assertThat(Frames.changeScore(records.get(2))).isGreaterThan(0.5);
        }
    }

    @Test
    void pushedJpegNeedingRotationIsTurnedUpright() {
        byte[] sideways = io.sightline.capture.image.FrameNormaliserTest.withExifOrientation(
                TestImages.encodeJpeg(TestImages.scene(400, 200, Color.BLACK, 0, 0), 0.85f), 6);
        try (TopicReader frames = TopicReader.fromNow(Topics.FRAMES)) {
            authed().contentType("image/jpeg").body(sideways).post("/api/v1/frames/" + CAMERA)
                    .then().statusCode(202).body("width", equalTo(200)).body("height", equalTo(400));
            ConsumerRecord<String, byte[]> record = frames.awaitOne(Frames.ofCamera(CAMERA), Duration.ofSeconds(30));
            Frames.assertFrame(record, CAMERA, 200, 400);
        }
    }

    @Test
    void pushed1080pJpegIsResized() {
        byte[] jpeg = TestImages.encodeJpeg(TestImages.scene(1920, 1080, Color.WHITE, 300, 300), 0.85f);
        try (TopicReader frames = TopicReader.fromNow(Topics.FRAMES)) {
            authed().contentType("image/jpeg").body(jpeg).post("/api/v1/frames/" + CAMERA)
                    .then().statusCode(202).body("width", equalTo(1280)).body("height", equalTo(720));
            ConsumerRecord<String, byte[]> record = frames.awaitOne(Frames.ofCamera(CAMERA), Duration.ofSeconds(30));
            Frames.assertFrame(record, CAMERA, 1280, 720);
            assertThat(record.value()).isNotEqualTo(jpeg);
        }
    }

    @Test
    void largePngPushIsNormalisedToJpegWithLongSide1280() {
        byte[] png = TestImages.encodePng(TestImages.scene(2000, 1000, Color.WHITE, 300, 300));
        try (TopicReader frames = TopicReader.fromNow(Topics.FRAMES)) {
            given().header("Authorization", TOKEN).contentType("image/png").body(png)
                    .post("/api/v1/frames/" + CAMERA)
                    .then().statusCode(202).body("width", equalTo(1280)).body("height", equalTo(640));

            ConsumerRecord<String, byte[]> record = frames.awaitOne(Frames.ofCamera(CAMERA), Duration.ofSeconds(30));
            Frames.assertFrame(record, CAMERA, 1280, 640);
            assertThat(TopicReader.header(record, FrameHeaders.SOURCE)).isEqualTo("camera");
        }
    }

    @Test
    void everyBadPushIsRefusedWithJsonErrorAndNothingIsPublished() {
        byte[] jpeg = TestImages.jpeg("coffee.png").bytes();
        try (TopicReader frames = TopicReader.fromNow(Topics.FRAMES)) {
            expectError(given().contentType("image/jpeg").body(jpeg), CAMERA, 401, "unauthorized");
            expectError(given().header("Authorization", "Bearer wrong").contentType("image/jpeg").body(jpeg), CAMERA, 401, "unauthorized");
            expectError(authed().contentType("image/jpeg").body(jpeg), "no-such-camera", 404, "not_found");
            expectError(authed().contentType("image/gif").body(jpeg), CAMERA, 415, "unsupported_media_type");
            expectError(authed().contentType("image/jpeg").body(new byte[0]), CAMERA, 400, "empty_body");
            expectError(authed().contentType("image/jpeg").body("not an image at all".getBytes()), CAMERA, 400, "not_an_image");
            expectError(authed().contentType("image/jpeg").body(Arrays.copyOf(jpeg, jpeg.length / 2)), CAMERA, 400, "corrupt_image");
            expectError(authed().contentType("image/png").body(io.sightline.capture.image.TestPngs.declaring(100_000, 100_000)), CAMERA, 413, "too_many_pixels");
            expectError(authed().contentType("image/jpeg").body(new byte[10 * 1024 * 1024 + 1]), CAMERA, 413, "image_too_large");
            expectError(authed().contentType("image/jpeg").header("X-Captured-At", "yesterday").body(jpeg), CAMERA, 400, "invalid_captured_at");
            expectError(authed().contentType("image/jpeg").header("X-Source", "satellite").body(jpeg), CAMERA, 400, "invalid_source");

            List<ConsumerRecord<String, byte[]>> published = frames.drain(Duration.ofSeconds(2));
            assertThat(published).noneMatch(Frames.ofCamera(CAMERA)).noneMatch(Frames.ofCamera("no-such-camera"));
        }
        // the service is still fine and says what went wrong last
        given().header("Authorization", TOKEN).get("/api/v1/cameras/" + CAMERA).then().statusCode(200)
                .body("status.last_error", containsString("rejected push"));
        given().header("Authorization", TOKEN).contentType("image/jpeg").body(jpeg)
                .post("/api/v1/frames/" + CAMERA).then().statusCode(202);
    }

    @Test
    void pushToCameraWithAnotherSourceIsAConflict() {
        given().header("Authorization", TOKEN).contentType("application/json")
                .body("{\"source\":{\"type\":\"snapshot\",\"url\":\"http://127.0.0.1:9/snapshot.jpg\"},\"fps\":0.2}")
                .put("/api/v1/cameras/pulled-cam").then().statusCode(201);
        try {
            expectError(authed().contentType("image/jpeg").body(TestImages.jpeg("coffee.png").bytes()), "pulled-cam", 409, "not_a_push_camera");
        } finally {
            given().header("Authorization", TOKEN).delete("/api/v1/cameras/pulled-cam").then().statusCode(204);
        }
    }

    private static io.restassured.specification.RequestSpecification authed() {
        return given().header("Authorization", TOKEN);
    }

    private static void expectError(io.restassured.specification.RequestSpecification request, String camera, int status, String error) {
        Response response = request.post("/api/v1/frames/" + camera);
        response.then().statusCode(status)
                .contentType("application/json")
                .body("error", equalTo(error))
                .body("status", equalTo(status))
                .body("message", notNullValue());
    }
}
