package io.sightline.fallback.rest;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.sightline.common.frame.CapturedFrame;
import io.sightline.latest.FrameReencoder;
import io.sightline.latest.LatestFrameCache;
import io.sightline.fallback.support.Events;
import io.sightline.fallback.support.InjectStandInVlm;
import io.sightline.fallback.support.StandInVlmResource;
import io.sightline.testsupport.KafkaBrokerResource;
import io.sightline.testsupport.StandInVlmServer;
import io.sightline.testsupport.TestImages;
import io.sightline.testsupport.TestKafka;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.awt.Color;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

@QuarkusTest
@WithTestResource(KafkaBrokerResource.class)
@WithTestResource(StandInVlmResource.class)
class QueryFlowTest {

    @InjectStandInVlm
    StandInVlmServer vlm;

    @Inject
    LatestFrameCache cache;

    @BeforeEach
    void ready() {
        vlm.clear();
        vlm.respond(r -> StandInVlmServer.Reply.text("A person in a red jacket stands at the door."));
        await().atMost(Duration.ofSeconds(60)).until(() -> given().get("/q/health/ready").statusCode() == 200);
    }

    @Test
    void belowThresholdAsksTheVlmWithTheLatestFrameDownscaledTo1024() {
        String camera = camera("low");
        byte[] jpeg = TestImages.encodeJpeg(TestImages.scene(1600, 900, Color.DARK_GRAY, 200, 100), 0.9f);
        CapturedFrame sent = TestKafka.sendFrame(camera, jpeg, 1600, 900);
        awaitFrame(camera, sent);

        Response response = query(Map.of("camera", camera, "query", "What is the person wearing?", "confidence", 0.39));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.jsonPath().getString("response_mode")).isEqualTo("vlm_image");
        assertThat(response.jsonPath().getString("answer")).isEqualTo("A person in a red jacket stands at the door.");
        assertThat(response.jsonPath().getString("frame.id")).isEqualTo(sent.frameId().toString());
        assertThat(response.jsonPath().getLong("frame.captured_at")).isEqualTo(sent.capturedAt());
        assertThat(response.jsonPath().getDouble("confidence")).isEqualTo(0.39);
        assertThat(response.jsonPath().getString("decision_reason")).contains("0.39", "< 0.40", "latest frame");
        assertThat(response.jsonPath().getString("backend")).isEqualTo("vlm:stand-in-vlm");

        assertThat(vlm.requests()).hasSize(1);
        StandInVlmServer.ReceivedRequest request = vlm.requests().get(0);
        assertThat(request.images()).hasSize(1);
        StandInVlmServer.ReceivedImage image = request.images().get(0);
        int[] expected = FrameReencoder.scaledSize(1600, 900, 1024);
        assertThat(new int[] {image.width(), image.height()}).containsExactly(expected);
        assertThat(expected).containsExactly(1024, 576);
        assertThat(image.mimeType()).isEqualTo("image/jpeg");
        assertThat(request.text()).contains("What is the person wearing?", "1024x576", camera);
        assertThat(request.body().path("max_tokens").asInt()).isEqualTo(500);
        assertThat(request.body().path("temperature").asDouble()).isEqualTo(0.7);
        // the VLM is vlm-service: it gets the internal token and the query's class
        assertThat(request.header("Authorization")).isEqualTo("Bearer " + StandInVlmResource.TOKEN);
        assertThat(request.header("X-Sightline-Priority-Class")).isEqualTo("interactive");

        Response withoutImage = query(Map.of("camera", camera, "query", "What is the person wearing?", "confidence", 0.39,
                "include_image", false));
        assertThat(withoutImage.jsonPath().getString("response_mode")).isEqualTo("vlm_text");
        assertThat(withoutImage.jsonPath().getString("decision_reason")).contains("include_image=false");
        assertThat(vlm.requests()).hasSize(2);
        assertThat(vlm.requests().get(1).images()).isEmpty();
    }

    @Test
    void atTheThresholdAnswersFromDetectionsWithoutCallingTheVlm() {
        String camera = camera("state");
        CapturedFrame sent = TestKafka.sendFrame(camera, TestImages.jpeg("astronaut.png").bytes(), 512, 512);
        Events.caption(camera, sent.frameId().toString(), sent.capturedAt(), "two people and a dog at the front door");
        Events.detections(camera, sent.frameId().toString(), sent.capturedAt(), List.of("person", "dog", "person"), List.of("EXIT"));
        await().atMost(Duration.ofSeconds(20)).until(() -> cache.detections(camera).isPresent() && cache.caption(camera).isPresent());

        Response count = query(Map.of("camera", camera, "query", "How many people are there?", "confidence", 0.40));
        assertThat(count.statusCode()).isEqualTo(200);
        assertThat(count.jsonPath().getString("response_mode")).isEqualTo("template");
        assertThat(count.jsonPath().getString("answer")).startsWith("2 people are visible on " + camera + ", as of ").contains(" ago");
        assertThat(count.jsonPath().getString("frame.id")).isEqualTo(sent.frameId().toString());
        assertThat(count.jsonPath().getString("backend")).isEqualTo("state");

        Response presence = query(Map.of("camera", camera, "query", "Is there a dog?"));
        assertThat(presence.jsonPath().getString("response_mode")).isEqualTo("template");
        assertThat(presence.jsonPath().getString("query_type")).isEqualTo("presence");
        assertThat(presence.jsonPath().getDouble("confidence")).isGreaterThanOrEqualTo(0.40).isLessThanOrEqualTo(1.0);
        assertThat(presence.jsonPath().getString("answer")).startsWith("Yes: 1 dog is visible on " + camera);

        Response describe = query(Map.of("camera", camera, "query", "describe the scene", "confidence", 0.9));
        assertThat(describe.jsonPath().getString("answer"))
                .contains("Two people and a dog at the front door.", "Detected: 2 people and 1 dog.");

        Response text = query(Map.of("camera", camera, "query", "what does the sign say?", "confidence", 0.95));
        assertThat(text.jsonPath().getString("answer")).contains("\"EXIT\"");

        assertThat(vlm.requests()).isEmpty();
    }

    @Test
    void aCameraWithoutAFrameGetsATextOnlyVlmAnswerThatSaysSo() {
        String camera = camera("noframe");
        Events.caption(camera, UUID.randomUUID().toString(), System.currentTimeMillis(), "an empty porch with a bench");
        await().atMost(Duration.ofSeconds(20)).until(() -> cache.caption(camera).isPresent());

        Response response = query(Map.of("camera", camera, "query", "Is the porch light on?", "confidence", 0.1));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.jsonPath().getString("response_mode")).isEqualTo("vlm_text");
        assertThat(response.jsonPath().getMap("$")).containsEntry("frame", null);
        assertThat(response.jsonPath().getString("answer")).startsWith("Without a current image of " + camera);
        assertThat(response.jsonPath().getString("decision_reason")).contains("no frame of " + camera);
        assertThat(vlm.requests()).hasSize(1);
        assertThat(vlm.requests().get(0).images()).isEmpty();
        assertThat(vlm.requests().get(0).text()).contains("No current image", "an empty porch with a bench", "Is the porch light on?");
    }

    @Test
    void aVlmThatHangsGivesA504WithinTheConfiguredTimeout() {
        String camera = camera("slow");
        CapturedFrame sent = TestKafka.sendFrame(camera, TestImages.jpeg("coffee.png").bytes(), 400, 600);
        awaitFrame(camera, sent);
        vlm.respond(r -> StandInVlmServer.Reply.delayed("too late", StandInVlmResource.TIMEOUT_MS + 3000));

        long start = System.nanoTime();
        Response response = query(Map.of("camera", camera, "query", "what is on the table?", "confidence", 0.2));
        long elapsedMs = (System.nanoTime() - start) / 1_000_000;

        assertThat(response.statusCode()).isEqualTo(504);
        assertThat(response.jsonPath().getString("response_mode")).isEqualTo("error");
        assertThat(response.jsonPath().getString("answer")).isNull();
        assertThat(response.jsonPath().getString("error.code")).isEqualTo("vlm_timeout");
        assertThat(elapsedMs).isLessThan(StandInVlmResource.TIMEOUT_MS + 1000);
    }

    @Test
    void aVlmServerErrorGivesA502AndTheServiceStaysHealthy() {
        String camera = camera("broken");
        CapturedFrame sent = TestKafka.sendFrame(camera, TestImages.jpeg("chelsea.png").bytes(), 451, 300);
        awaitFrame(camera, sent);
        vlm.respond(r -> StandInVlmServer.Reply.error(500, "{\"error\":{\"message\":\"CUDA out of memory\"}}"));

        Response failed = query(Map.of("camera", camera, "query", "what is the cat doing?", "confidence", 0.2));
        assertThat(failed.statusCode()).isEqualTo(502);
        assertThat(failed.jsonPath().getString("response_mode")).isEqualTo("error");
        assertThat(failed.jsonPath().getString("error.code")).isEqualTo("vlm_server_error");
        assertThat(failed.jsonPath().getString("decision_reason")).contains("the VLM failed");

        given().get("/q/health/live").then().statusCode(200);
        given().get("/q/health/ready").then().statusCode(200);

        vlm.respond(r -> StandInVlmServer.Reply.text("A cat lies on a blanket."));
        Response recovered = query(Map.of("camera", camera, "query", "what is the cat doing?", "confidence", 0.2));
        assertThat(recovered.statusCode()).isEqualTo(200);
        assertThat(recovered.jsonPath().getString("answer")).isEqualTo("A cat lies on a blanket.");
    }

    @Test
    void aVlmAnsweringGarbageGivesA502NotAMadeUpAnswer() {
        String camera = camera("garbage");
        CapturedFrame sent = TestKafka.sendFrame(camera, TestImages.jpeg("coffee.png").bytes(), 400, 600);
        awaitFrame(camera, sent);
        vlm.respond(r -> StandInVlmServer.Reply.text("   "));

        Response response = query(Map.of("camera", camera, "query", "what is on the table?", "confidence", 0.2));

        assertThat(response.statusCode()).isEqualTo(502);
        assertThat(response.jsonPath().getString("error.code")).isEqualTo("vlm_bad_response");
        assertThat(response.jsonPath().getString("answer")).isNull();
    }

    @Test
    void refusesUnknownCamerasMalformedJsonInvalidFieldsAndMissingTokens() {
        Response unknown = query(Map.of("camera", "no-such-camera", "query", "how many people?"));
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(unknown.jsonPath().getString("error")).isEqualTo("unknown_camera");

        Response malformed = given().contentType(ContentType.JSON).header("Authorization", "Bearer " + StandInVlmResource.TOKEN)
                .body("{\"camera\": \"x\", \"query\": ").post("/api/v1/query");
        assertThat(malformed.statusCode()).isEqualTo(400);
        assertThat(malformed.contentType()).startsWith("application/json");
        assertThat(malformed.jsonPath().getString("error")).isEqualTo("malformed_json");
        assertThat(malformed.jsonPath().getString("message")).contains("malformed JSON at line 1, column");

        Response outOfRange = query(Map.of("camera", "x", "query", "how many people?", "confidence", 1.5));
        assertThat(outOfRange.statusCode()).isEqualTo(400);
        assertThat(outOfRange.jsonPath().getString("message")).contains("confidence must be between 0 and 1");

        Response blank = query(Map.of("camera", "x", "query", " "));
        assertThat(blank.statusCode()).isEqualTo(400);
        assertThat(blank.jsonPath().getString("message")).contains("query is required");

        Response noToken = given().contentType(ContentType.JSON).body(Map.of("camera", "x", "query", "hi")).post("/api/v1/query");
        assertThat(noToken.statusCode()).isEqualTo(401);
        Response wrongToken = given().contentType(ContentType.JSON).header("Authorization", "Bearer nope")
                .body(Map.of("camera", "x", "query", "hi")).post("/api/v1/query");
        assertThat(wrongToken.statusCode()).isEqualTo(401);
        assertThat(vlm.requests()).isEmpty();
    }

    @Test
    void everyRouteButHealthNeedsTheInternalToken() {
        // before the shared filter only POSTs were checked: DELETE of a watch job and the latest frame were open
        for (String path : List.of("/api/v1/cameras/any/frame.jpg", "/api/v1/stats", "/api/v1/watch", "/q/metrics")) {
            given().get(path).then().statusCode(401).contentType(ContentType.JSON).body("error", org.hamcrest.Matchers.equalTo("unauthorized"));
        }
        given().delete("/api/v1/watch/" + java.util.UUID.randomUUID()).then().statusCode(401);
        given().header("Authorization", "Bearer wrong").delete("/api/v1/watch/" + java.util.UUID.randomUUID()).then().statusCode(401);
        given().header("Authorization", "Bearer " + StandInVlmResource.TOKEN).delete("/api/v1/watch/" + java.util.UUID.randomUUID())
                .then().statusCode(404);
        given().get("/q/health/ready").then().statusCode(200);
    }

    @Test
    void servesTheLatestCachedFrameAsJpegAnd404WithoutOne() {
        String camera = camera("jpeg");
        given().header("Authorization", "Bearer " + StandInVlmResource.TOKEN).get("/api/v1/cameras/{camera}/frame.jpg", camera).then().statusCode(404).contentType(ContentType.JSON);

        CapturedFrame sent = TestKafka.sendFrame(camera, TestImages.encodePng(TestImages.scene(2048, 1536, Color.WHITE, 10, 10)), 2048, 1536);
        awaitFrame(camera, sent);

        Response frame = given().header("Authorization", "Bearer " + StandInVlmResource.TOKEN).get("/api/v1/cameras/{camera}/frame.jpg", camera);
        assertThat(frame.contentType()).isEqualTo("image/jpeg");
        assertThat(frame.header("X-Frame-Id")).isEqualTo(sent.frameId().toString());
        var decoded = TestImages.decode(frame.asByteArray());
        assertThat(decoded.getWidth()).isEqualTo(1024);
        assertThat(decoded.getHeight()).isEqualTo(768);
    }

    @Test
    void statsCountResponseModesErrorsAndLatency() {
        String camera = camera("stats");
        CapturedFrame sent = TestKafka.sendFrame(camera, TestImages.jpeg("astronaut.png").bytes(), 512, 512);
        Events.detections(camera, sent.frameId().toString(), sent.capturedAt(), List.of("person"), List.of());
        await().atMost(Duration.ofSeconds(20)).until(() -> cache.detections(camera).isPresent() && cache.frame(camera).isPresent());
        Map<String, Object> before = given().header("Authorization", "Bearer " + StandInVlmResource.TOKEN).get("/api/v1/stats").jsonPath().getMap("by_mode");

        query(Map.of("camera", camera, "query", "how many people are there?", "confidence", 0.9));
        query(Map.of("camera", camera, "query", "what is the astronaut holding?", "confidence", 0.1));
        vlm.respond(r -> StandInVlmServer.Reply.error(503, "{\"error\":{\"message\":\"loading\"}}"));
        query(Map.of("camera", camera, "query", "what is the astronaut holding?", "confidence", 0.1));

        Response stats = given().header("Authorization", "Bearer " + StandInVlmResource.TOKEN).get("/api/v1/stats");
        Map<String, Object> after = stats.jsonPath().getMap("by_mode");
        assertThat(((Number) after.get("template")).longValue() - ((Number) before.get("template")).longValue()).isEqualTo(1);
        assertThat(((Number) after.get("vlm_image")).longValue() - ((Number) before.get("vlm_image")).longValue()).isEqualTo(1);
        assertThat(((Number) after.get("error")).longValue() - ((Number) before.get("error")).longValue()).isEqualTo(1);
        assertThat(stats.jsonPath().getLong("errors")).isGreaterThanOrEqualTo(1);
        assertThat(stats.jsonPath().getLong("latency_ms.window")).isGreaterThanOrEqualTo(3);
        assertThat(stats.jsonPath().getLong("latency_ms.p99")).isGreaterThanOrEqualTo(stats.jsonPath().getLong("latency_ms.p50"));
        assertThat(stats.jsonPath().getInt("cache.cameras")).isGreaterThanOrEqualTo(1);
        assertThat(stats.jsonPath().getBoolean("vlm.configured")).isTrue();
    }

    private void awaitFrame(String camera, CapturedFrame sent) {
        await().atMost(Duration.ofSeconds(20))
                .until(() -> cache.frame(camera).map(f -> f.frameId().equals(sent.frameId())).orElse(false));
    }

    static Response query(Map<String, Object> body) {
        return given().contentType(ContentType.JSON).header("Authorization", "Bearer " + StandInVlmResource.TOKEN)
                .body(body).post("/api/v1/query");
    }

    static String camera(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }
}
