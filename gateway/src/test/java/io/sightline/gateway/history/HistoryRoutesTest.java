package io.sightline.gateway.history;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.sightline.gateway.support.GatewayTestResource;
import io.sightline.gateway.support.StandInService;
import io.sightline.testsupport.KafkaBrokerResource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static io.restassured.RestAssured.given;
import static io.sightline.gateway.support.GatewayTestResource.ADMIN;
import static io.sightline.gateway.support.GatewayTestResource.OPERATOR;
import static io.sightline.gateway.support.GatewayTestResource.VIEWER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

/** The gateway's history routes: roles, pass-through of parameters and answers, thumbnails as images. */
@QuarkusTest
@WithTestResource(KafkaBrokerResource.class)
@WithTestResource(GatewayTestResource.class)
class HistoryRoutesTest {

    private final StandInService history = GatewayTestResource.history;

    @BeforeEach
    void reset() {
        history.clear();
    }

    @Test
    void viewersSearchAndReadTheTimelineWithTheirParametersPassedThrough() {
        history.onJson("GET /api/v1/history/search", 200, "{\"semantic\":\"exact-cosine\",\"results\":[{\"text\":\"a van\"}]}");
        history.onJson("GET /api/v1/history/events", 200, "{\"events\":[],\"count\":0,\"limit\":5,\"next_cursor\":null}");
        history.onJson("GET /api/v1/history/counts", 200, "{\"label\":\"car\",\"total\":3,\"buckets\":[]}");

        given().auth().oauth2(VIEWER).queryParam("q", "delivery van").queryParam("camera", "porch").queryParam("since", "2026-05-01T00:00:00Z")
                .get("/api/v1/history/search").then().statusCode(200).body("semantic", equalTo("exact-cosine"))
                .body("results[0].text", equalTo("a van"));
        given().auth().oauth2(VIEWER).queryParam("camera", "porch").queryParam("limit", 5).queryParam("cursor", "abc")
                .get("/api/v1/history/events").then().statusCode(200).body("limit", equalTo(5));
        given().auth().oauth2(VIEWER).queryParam("label", "car").queryParam("bucket", "day").queryParam("zone", "Europe/Berlin")
                .get("/api/v1/history/counts").then().statusCode(200).body("total", equalTo(3));

        assertThat(java.net.URLDecoder.decode(history.received("GET", "/api/v1/history/search").get(0).query(), StandardCharsets.UTF_8))
                .contains("q=delivery van").contains("camera=porch").contains("since=2026-05-01T00:00:00Z");
        assertThat(history.received("GET", "/api/v1/history/events").get(0).query()).contains("limit=5").contains("cursor=abc");
        assertThat(history.received("GET", "/api/v1/history/counts").get(0).query()).contains("bucket=day").contains("zone=Europe");
        assertThat(history.received("GET", "/api/v1/history/counts").get(0).header("Authorization"))
                .isEqualTo("Bearer " + GatewayTestResource.INTERNAL_TOKEN);
    }

    @Test
    void viewersReadWatchJobHistoryWithTheirParametersPassedThrough() {
        history.onJson("GET /api/v1/history/watch-jobs", 200,
                "{\"watch_jobs\":[{\"job_id\":\"j1\",\"status\":\"success\"}],\"count\":1,\"limit\":2,\"next_cursor\":\"c2\"}");
        given().auth().oauth2(VIEWER).queryParam("camera", "porch").queryParam("since", "2026-05-01T00:00:00Z").queryParam("limit", 2)
                .queryParam("cursor", "c1").get("/api/v1/history/watch-jobs").then().statusCode(200)
                .body("watch_jobs[0].status", equalTo("success")).body("next_cursor", equalTo("c2"));
        String query = java.net.URLDecoder.decode(history.received("GET", "/api/v1/history/watch-jobs").get(0).query(), StandardCharsets.UTF_8);
        assertThat(query).contains("camera=porch").contains("since=2026-05-01T00:00:00Z").contains("limit=2").contains("cursor=c1");
        history.onJson("GET /api/v1/history/watch-jobs", 404, "{\"error\":\"unknown_camera\",\"message\":\"camera 'x' has no history\"}");
        given().auth().oauth2(VIEWER).queryParam("camera", "x").get("/api/v1/history/watch-jobs").then().statusCode(404)
                .body(containsString("has no history"));
        given().get("/api/v1/history/watch-jobs").then().statusCode(401);
    }

    @Test
    void historyServiceRefusalsPassThroughWithTheirMessage() {
        history.onJson("GET /api/v1/history/events", 404, "{\"error\":\"unknown_camera\",\"message\":\"camera 'x' has no history\"}");
        given().auth().oauth2(VIEWER).queryParam("camera", "x").get("/api/v1/history/events").then().statusCode(404)
                .body(containsString("has no history"));
    }

    @Test
    void thumbnailsComeBackAsJpeg() {
        byte[] jpeg = {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, (byte) 0xE0, 1, 2, 3};
        history.on("GET /api/v1/history/frames/5b0c7a2e-0000-4000-8000-000000000001/thumbnail.jpg",
                r -> new StandInService.Answer(200, "image/jpeg", jpeg));
        byte[] body = given().auth().oauth2(VIEWER).get("/api/v1/history/frames/5b0c7a2e-0000-4000-8000-000000000001/thumbnail.jpg")
                .then().statusCode(200).contentType("image/jpeg").extract().asByteArray();
        assertThat(body).isEqualTo(jpeg);
    }

    @Test
    void onlyAdminsChangeRetention() {
        history.onJson("PUT /api/v1/history/cameras/porch/retention", 200, "{\"camera\":\"porch\",\"retention_days\":7}");
        given().auth().oauth2(VIEWER).contentType(ContentType.JSON).body("{\"days\":7}")
                .put("/api/v1/history/cameras/porch/retention").then().statusCode(403);
        given().auth().oauth2(OPERATOR).contentType(ContentType.JSON).body("{\"days\":7}")
                .put("/api/v1/history/cameras/porch/retention").then().statusCode(403);
        assertThat(history.received("PUT", "/api/v1/history/cameras/porch/retention")).isEmpty();

        given().auth().oauth2(ADMIN).contentType(ContentType.JSON).body("{\"days\":7}")
                .put("/api/v1/history/cameras/porch/retention").then().statusCode(200).body("retention_days", equalTo(7));
        assertThat(new String(history.received("PUT", "/api/v1/history/cameras/porch/retention").get(0).body(), StandardCharsets.UTF_8))
                .contains("\"days\":7");
        given().get("/api/v1/history/events").then().statusCode(401);
    }
}
