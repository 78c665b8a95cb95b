package io.sightline.gateway.security;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.sightline.gateway.support.GatewayTestResource;
import io.sightline.gateway.support.StandInService;
import io.sightline.testsupport.KafkaBrokerResource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.List;

import static io.restassured.RestAssured.given;
import static io.sightline.gateway.support.GatewayTestResource.ADMIN;
import static io.sightline.gateway.support.GatewayTestResource.LIMITED;
import static io.sightline.gateway.support.GatewayTestResource.OPERATOR;
import static io.sightline.gateway.support.GatewayTestResource.VIEWER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

@QuarkusTest
@WithTestResource(KafkaBrokerResource.class)
@WithTestResource(GatewayTestResource.class)
class ApiSecurityTest {

    @TestHTTPResource("/")
    java.net.URL root;
    int port;

    @BeforeEach
    void port() {
        port = root.getPort();
    }

    private static final String CAMERAS = "[{\"id\":\"door\",\"source\":\"rtsp://admin:hunter2@10.0.0.5/stream\",\"state\":\"connected\"}]";

    @BeforeEach
    void scriptCapture() {
        GatewayTestResource.capture.onJson("GET /api/v1/cameras", 200, CAMERAS);
        GatewayTestResource.capture.on("PUT /api/v1/cameras/porch", r -> StandInService.Answer.json(200,
                "{\"id\":\"porch\",\"source\":\"http://cam.local/snapshot.jpg?user=admin&pwd=s3cret\",\"password\":\"s3cret\"}"));
    }

    @Test
    void requestWithoutKeyIsRefusedWith401AndBearerChallenge() {
        given().get("/api/v1/cameras").then()
                .statusCode(401)
                .header("WWW-Authenticate", containsString("Bearer"))
                .contentType(ContentType.JSON)
                .body("error", equalTo("unauthorized"))
                .body("status", equalTo(401))
                .body("message", containsString("API key is required"));
    }

    @Test
    void unknownKeyIsRefusedWith401NamingTheInvalidToken() {
        given().auth().oauth2("sk-not-a-real-key-123456789").get("/api/v1/cameras").then()
                .statusCode(401)
                .header("WWW-Authenticate", containsString("invalid_token"))
                .body("message", containsString("not valid"));
    }

    @Test
    void viewerMayReadButNotAskQuestions() {
        given().auth().oauth2(VIEWER).get("/api/v1/cameras").then().statusCode(200);
        given().auth().oauth2(VIEWER).contentType(ContentType.JSON).body("{\"camera\":\"door\",\"query\":\"anyone there?\"}")
                .post("/api/v1/query").then()
                .statusCode(403)
                .body("error", equalTo("forbidden"))
                .body("message", containsString("'viewer'"))
                .body("message", containsString("'operator'"));
    }

    @Test
    void onlyAdminMayChangeCamerasAndTheGatewayCallsCaptureWithItsInternalTokenNotTheCallersKey() {
        String body = "{\"source\":\"http://cam.local/snapshot.jpg?user=admin&pwd=s3cret\"}";
        given().auth().oauth2(OPERATOR).contentType(ContentType.JSON).body(body).put("/api/v1/cameras/porch").then()
                .statusCode(403).body("message", containsString("'admin'"));
        GatewayTestResource.capture.clear();
        Response response = given().auth().oauth2(ADMIN).contentType(ContentType.JSON).body(body).put("/api/v1/cameras/porch");
        response.then().statusCode(200).body("id", equalTo("porch"));
        assertThat(response.asString()).doesNotContain("s3cret");
        List<StandInService.Received> calls = GatewayTestResource.capture.received("PUT", "/api/v1/cameras/porch");
        assertThat(calls).hasSize(1);
        assertThat(calls.get(0).header("Authorization")).isEqualTo("Bearer " + GatewayTestResource.INTERNAL_TOKEN);
        assertThat(calls.get(0).bodyText()).contains("snapshot.jpg");
    }

    @Test
    void cameraSourceUrlsNeverCarryCredentialsOut() {
        String text = given().auth().oauth2(VIEWER).get("/api/v1/cameras").then().statusCode(200)
                .body("[0].source", equalTo("rtsp://***@10.0.0.5/stream"))
                .extract().asString();
        assertThat(text).doesNotContain("hunter2").doesNotContain("admin:");
    }

    @Test
    void callerCanSeeItsRoleAndFingerprintButNeverItsKey() {
        String body = given().auth().oauth2(GatewayTestResource.BATCH).get("/api/v1/me").then().statusCode(200)
                .body("role", equalTo("operator"))
                .body("batch", equalTo(true))
                .body("key_id", org.hamcrest.Matchers.matchesPattern("[0-9a-f]{12}"))
                .extract().asString();
        assertThat(body).doesNotContain(GatewayTestResource.BATCH);
    }

    @Test
    void healthIsOpenWithoutKey() {
        given().get("/q/health/live").then().statusCode(200);
        given().get("/q/health/ready").then().statusCode(equalTo(200));
    }

    @Test
    void apiResponsesCarrySecureHeadersAndNoWildcardCors() {
        given().auth().oauth2(VIEWER).header("Origin", "https://evil.example").get("/api/v1/cameras").then()
                .statusCode(200)
                .header("X-Content-Type-Options", "nosniff")
                .header("X-Frame-Options", "DENY")
                .header("Referrer-Policy", "no-referrer")
                .header("Cache-Control", "no-store")
                .header("Access-Control-Allow-Origin", nullValue());
        given().get("/q/swagger-ui/").then().statusCode(200)
                .header("Content-Security-Policy", containsString("frame-ancestors 'none'"));
        given().get("/q/openapi").then().statusCode(200)
                .body(containsString("/v1/chat/completions"))
                .body(containsString("/api/v1/captions"));
    }

    @Test
    void oversizeBodyIsRefusedWith413BeforeReachingTheService() {
        GatewayTestResource.fallback.clear();
        String big = "{\"camera\":\"door\",\"query\":\"" + "x".repeat(70_000) + "\"}";
        given().auth().oauth2(OPERATOR).contentType(ContentType.JSON).body(big).post("/api/v1/query").then()
                .statusCode(413)
                .body("error", equalTo("payload_too_large"))
                .body("message", containsString("at most 65536"));
        assertThat(GatewayTestResource.fallback.received("POST", "/api/v1/query")).isEmpty();
    }

    @Test
    void keyOverItsRateGets429WithRetryAfterWhileOtherKeysGoOn() throws Exception {
        HttpClient client = HttpClient.newHttpClient();
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/api/v1/backends/lifecycle"))
                .header("Authorization", "Bearer " + LIMITED).build();
        // the bucket holds 30 and refills 5/s in tests: 80 requests at once must overflow it
        List<CompletableFuture<HttpResponse<String>>> sent = new ArrayList<>();
        for (int i = 0; i < 80; i++) {
            sent.add(client.sendAsync(request, HttpResponse.BodyHandlers.ofString()));
        }
        List<HttpResponse<String>> responses = new ArrayList<>();
        for (CompletableFuture<HttpResponse<String>> f : sent) {
            responses.add(f.get(60, TimeUnit.SECONDS));
        }
        List<HttpResponse<String>> limited = responses.stream().filter(r -> r.statusCode() == 429).toList();
        assertThat(responses.stream().filter(r -> r.statusCode() == 200).count()).isGreaterThanOrEqualTo(30);
        assertThat(limited).isNotEmpty();
        assertThat(limited).allSatisfy(r -> {
            assertThat(r.headers().firstValue("Retry-After")).isPresent();
            assertThat(Integer.parseInt(r.headers().firstValue("Retry-After").get())).isBetween(1, 60);
            assertThat(r.body()).contains("\"error\":\"rate_limited\"");
        });
        given().auth().oauth2(VIEWER).get("/api/v1/backends/lifecycle").then().statusCode(200);
    }
}
