package io.sightline.gateway.rest;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.sightline.common.event.LifecycleEvent;
import io.sightline.common.kafka.Topics;
import io.sightline.gateway.support.GatewayTestResource;
import io.sightline.gateway.support.StandInService;
import io.sightline.testsupport.KafkaBrokerResource;
import io.sightline.testsupport.TestImages;
import io.sightline.testsupport.TestKafka;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static io.sightline.gateway.support.GatewayTestResource.ADMIN;
import static io.sightline.gateway.support.GatewayTestResource.OPERATOR;
import static io.sightline.gateway.support.GatewayTestResource.VIEWER;
import static io.sightline.gateway.support.GatewayTestResource.fallback;
import static io.sightline.gateway.support.GatewayTestResource.watch;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

@QuarkusTest
@WithTestResource(KafkaBrokerResource.class)
@WithTestResource(GatewayTestResource.class)
class DownstreamPassThroughTest {

    private static final String ANSWER = "{\"answer\":\"1 person is visible on door, as of 12:03:04, 3 s ago\",\"query_type\":\"count\","
            + "\"response_mode\":\"template\",\"confidence\":0.83,\"decision_reason\":\"confident\","
            + "\"frame\":{\"id\":\"f-1\",\"captured_at\":1760000000000,\"age_ms\":3000},\"backend\":\"onnx\",\"processing_time_ms\":4}";

    @Test
    void questionIsAnsweredByFallbackServiceWithInternalTokenAndTraceContext() {
        fallback.clear();
        fallback.onJson("POST /api/v1/query", 200, ANSWER);
        given().auth().oauth2(OPERATOR).contentType(ContentType.JSON)
                .body("{\"camera\":\"door\",\"query\":\"how many people are there?\",\"confidence\":0.9}")
                .post("/api/v1/query").then()
                .statusCode(200)
                .body("response_mode", equalTo("template"))
                .body("answer", containsString("1 person"))
                .body("frame.age_ms", equalTo(3000));
        List<StandInService.Received> calls = fallback.received("POST", "/api/v1/query");
        assertThat(calls).hasSize(1);
        StandInService.Received call = calls.get(0);
        assertThat(call.bodyText()).contains("\"camera\":\"door\"").contains("\"query\":\"how many people are there?\"")
                .contains("\"confidence\":0.9");
        assertThat(call.header("Authorization")).isEqualTo("Bearer " + GatewayTestResource.INTERNAL_TOKEN);
        assertThat(call.header("traceparent")).matches("00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]");
    }

    @Test
    void unknownCameraAndVlmFailuresPassThroughWithTheirStatusAndJson() {
        fallback.onJson("POST /api/v1/query", 404, "{\"error\":\"unknown_camera\",\"message\":\"no camera 'attic'\",\"status\":404}");
        given().auth().oauth2(OPERATOR).contentType(ContentType.JSON).body("{\"camera\":\"attic\",\"query\":\"what is there?\"}")
                .post("/api/v1/query").then().statusCode(404).body("error", equalTo("unknown_camera"));
        fallback.onJson("POST /api/v1/query", 504, "{\"error\":\"vlm_timeout\",\"message\":\"the VLM did not answer in 30 s\",\"status\":504}");
        given().auth().oauth2(OPERATOR).contentType(ContentType.JSON).body("{\"camera\":\"door\",\"query\":\"what is there?\"}")
                .post("/api/v1/query").then().statusCode(504).body("message", containsString("did not answer"));
    }

    @Test
    void malformedQuestionsAreRefusedWithClearJson() {
        given().auth().oauth2(OPERATOR).contentType(ContentType.JSON).body("{\"camera\":\"door\"}")
                .post("/api/v1/query").then().statusCode(400).body("error", equalTo("bad_request"))
                .body("message", containsString("query is required"));
        given().auth().oauth2(OPERATOR).contentType(ContentType.JSON).body("{\"camera\":\"door\",\"query\":\"x\",\"confidence\":3}")
                .post("/api/v1/query").then().statusCode(400).body("message", containsString("between 0 and 1"));
        given().auth().oauth2(OPERATOR).contentType(ContentType.JSON).body("{\"camera\":")
                .post("/api/v1/query").then().statusCode(400).body("error", equalTo("malformed_json"))
                .body("message", containsString("malformed JSON at line 1, column"));
        given().auth().oauth2(OPERATOR).contentType(ContentType.JSON).body("{\"camera\":\"../etc\",\"query\":\"x\"}")
                .post("/api/v1/query").then().statusCode(400).body("message", containsString("camera"));
    }

    @Test
    void downstreamThatIsDownGives503FastNotAHang() {
        fallback.stop();
        try {
            long t0 = System.nanoTime();
            given().auth().oauth2(OPERATOR).contentType(ContentType.JSON).body("{\"camera\":\"door\",\"query\":\"anyone?\"}")
                    .post("/api/v1/query").then()
                    .statusCode(503)
                    .header("Retry-After", equalTo("5"))
                    .body("error", equalTo("service_unavailable"))
                    .body("message", containsString("fallback-service"));
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(3));
            given().get("/q/health/ready").then().statusCode(503)
                    .body(containsString("fallback-service"));
        } finally {
            fallback.restart();
        }
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> given().get("/q/health/ready").then().statusCode(200));
    }

    @Test
    void aFallbackServiceThatKeepsFailingOpensTheBreakerAndQuestionsAreRefusedAtOnce() {
        fallback.stop();
        try {
            // 8 failed questions trip the breaker; from then on the gateway does not even try to connect
            for (int i = 0; i < 8; i++) {
                given().auth().oauth2(OPERATOR).contentType(ContentType.JSON).body("{\"camera\":\"door\",\"query\":\"anyone?\"}")
                        .post("/api/v1/query").then().statusCode(503);
            }
            given().auth().oauth2(OPERATOR).contentType(ContentType.JSON).body("{\"camera\":\"door\",\"query\":\"anyone?\"}")
                    .post("/api/v1/query").then().statusCode(503)
                    .header("Retry-After", equalTo("5"))
                    .body("message", containsString("circuit breaker open"));
        } finally {
            fallback.restart();
        }
        fallback.onJson("POST /api/v1/query", 200, ANSWER);
        // after the breaker's 5 s a trial question goes through and closes it again
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> given().auth().oauth2(OPERATOR).contentType(ContentType.JSON)
                .body("{\"camera\":\"door\",\"query\":\"anyone?\"}").post("/api/v1/query").then().statusCode(200));
    }

    @Test
    void readinessReflectsADownstreamThatIsNotReady() {
        GatewayTestResource.caption.onJson("GET /q/health/ready", 503, "{\"status\":\"DOWN\"}");
        try {
            given().get("/q/health/ready").then().statusCode(503)
                    .body(containsString("caption-service"))
                    .body(containsString("DOWN (not ready)"));
        } finally {
            GatewayTestResource.caption.onJson("GET /q/health/ready", 200, "{\"status\":\"UP\"}");
        }
        given().get("/q/health/ready").then().statusCode(200);
    }

    @Test
    void latestFrameIsServedAsJpegAndMissingFrameIsJson404() throws Exception {
        byte[] jpeg = Files.readAllBytes(TestImages.image("astronaut.png"));
        fallback.on("GET /api/v1/cameras/door/frame.jpg", r -> new StandInService.Answer(200, "image/jpeg", jpeg));
        byte[] got = given().auth().oauth2(VIEWER).get("/api/v1/cameras/door/frame.jpg").then()
                .statusCode(200).contentType("image/jpeg").extract().asByteArray();
        assertThat(got).isEqualTo(jpeg);
        fallback.onJson("GET /api/v1/cameras/garage/frame.jpg", 404, "{\"error\":\"no_frame\",\"message\":\"no frame for garage\",\"status\":404}");
        given().auth().oauth2(VIEWER).get("/api/v1/cameras/garage/frame.jpg").then().statusCode(404)
                .body("error", equalTo("no_frame"));
    }

    @Test
    void watchJobsAreManagedByOperatorsAndPassedToWatchService() {
        watch.onJson("POST /api/v1/watch", 201, "{\"id\":\"w-1\",\"camera\":\"door\",\"status\":\"running\"}");
        String job = "{\"camera\":\"door\",\"condition\":\"a parcel is on the porch\",\"max_duration_minutes\":30}";
        given().auth().oauth2(VIEWER).contentType(ContentType.JSON).body(job).post("/api/v1/watch").then().statusCode(403);
        given().auth().oauth2(OPERATOR).contentType(ContentType.JSON).body(job).post("/api/v1/watch").then()
                .statusCode(201).body("id", equalTo("w-1"));
        assertThat(watch.received("POST", "/api/v1/watch").get(0).bodyText()).contains("a parcel is on the porch");
        watch.onJson("DELETE /api/v1/watch/w-1", 200, "{\"id\":\"w-1\",\"status\":\"cancelled\"}");
        given().auth().oauth2(OPERATOR).delete("/api/v1/watch/w-1").then().statusCode(200).body("status", equalTo("cancelled"));
    }

    @Test
    void watchJobStatusEventsArePassedThroughAsServerSentEvents() {
        watch.on("GET /api/v1/watch/events", r -> new StandInService.Answer(200, "text/event-stream",
                ("event: status\ndata: {\"id\":\"w-5\",\"status\":\"running\"}\n\n"
                        + "event: status\ndata: {\"id\":\"w-5\",\"status\":\"success\"}\n\n").getBytes(StandardCharsets.UTF_8)));
        String stream = given().auth().oauth2(VIEWER).accept("text/event-stream").get("/api/v1/watch/events").then()
                .statusCode(200).extract().asString();
        assertThat(stream).contains("event:status").contains("\"status\":\"success\"").contains("\"id\":\"w-5\"");
        watch.on("GET /api/v1/watch/w-5/events", r -> new StandInService.Answer(200, "text/event-stream",
                "data: {\"id\":\"w-5\",\"status\":\"cancelled\"}\n\n".getBytes(StandardCharsets.UTF_8)));
        given().auth().oauth2(VIEWER).accept("text/event-stream").get("/api/v1/watch/w-5/events").then()
                .statusCode(200).body(containsString("\"status\":\"cancelled\""));
    }

    @Test
    void pushedFrameReachesCaptureServiceWithItsContentTypeAndIdempotencyKey() throws Exception {
        byte[] png = Files.readAllBytes(TestImages.image("astronaut.png"));
        GatewayTestResource.capture.clear();
        GatewayTestResource.capture.onJson("POST /api/v1/frames/door", 202, "{\"frame_id\":\"f-9\"}");
        given().auth().oauth2(OPERATOR).contentType("image/png").header("X-Source", "screen")
                .header("Idempotency-Key", "agent-7-frame-42").body(png)
                .post("/api/v1/frames/door").then().statusCode(202).body("frame_id", equalTo("f-9"));
        StandInService.Received push = GatewayTestResource.capture.received("POST", "/api/v1/frames/door").get(0);
        assertThat(push.body()).isEqualTo(png);
        assertThat(push.header("Content-Type")).startsWith("image/png");
        assertThat(push.header("X-Source")).isEqualTo("screen");
        assertThat(push.header("Idempotency-Key")).isEqualTo("agent-7-frame-42");
    }

    @Test
    void backendsMergeCaptionServiceTiersWithLifecycleFromKafka() {
        GatewayTestResource.caption.onJson("GET /api/v1/backends", 200,
                "[{\"name\":\"onnx\",\"available\":true,\"selected\":true},{\"name\":\"caption-server\",\"available\":false}]");
        String eventId = UUID.randomUUID().toString();
        LifecycleEvent ready = new LifecycleEvent(LifecycleEvent.SCHEMA, eventId, LifecycleEvent.READY, "caption-server",
                "http://127.0.0.1:8091/v1", "health ok", "caption-1", System.currentTimeMillis());
        String json = "{\"schema\":1,\"event_id\":\"" + eventId + "\",\"event\":\"vlm_caption.ready\",\"backend\":\"caption-server\","
                + "\"endpoint\":\"http://127.0.0.1:8091/v1\",\"reason\":\"health ok\",\"instance\":\"caption-1\",\"at\":" + ready.at() + "}";
        TestKafka.send(Topics.VLM_LIFECYCLE, "caption-server", json.getBytes(StandardCharsets.UTF_8), new RecordHeaders());
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().auth().oauth2(ADMIN).get("/api/v1/backends").then()
                .statusCode(200)
                .body("backends[0].name", equalTo("onnx"))
                .body("lifecycle.caption-server.state", equalTo("ready"))
                .body("lifecycle.caption-server.last_event.event_id", equalTo(eventId)));
    }

    @Test
    void metricsAreTaggedWithRouteTemplatesNotRawPaths() {
        watch.onJson("GET /api/v1/watch/w-77", 200, "{\"id\":\"w-77\"}");
        given().auth().oauth2(VIEWER).get("/api/v1/watch/w-77").then().statusCode(200);
        given().get("/api/v1/cameras/secret-cam-123").then().statusCode(401);
        String metrics = given().auth().oauth2(VIEWER).get("/q/metrics").then().statusCode(200).extract().asString();
        assertThat(metrics).contains("uri=\"/api/v1/watch/{id}\"").doesNotContain("w-77")
                .contains("uri=\"/api/v1/cameras/{id}\"").doesNotContain("secret-cam-123");
        given().get("/q/metrics").then().statusCode(401);
    }
}
