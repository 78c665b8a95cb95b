package io.sightline.capture.rest;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.sightline.capture.testing.TestStateDir;
import io.sightline.testsupport.KafkaBrokerResource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;

@QuarkusTest
@WithTestResource(KafkaBrokerResource.class)
@WithTestResource(TestStateDir.class)
class CameraApiTest {

    private static final String TOKEN = FramePushTest.TOKEN;

    @Test
    void addedCameraIsListedWithoutUrlCredentialsAndStoredOnDisk() throws Exception {
        String body = "{\"source\":{\"type\":\"mjpeg\",\"url\":\"http://admin:s3cret-pass@127.0.0.1:9/video.mjpg\"},\"fps\":2,\"change_threshold\":0.05,\"keep_alive_seconds\":10}";
        given().header("Authorization", TOKEN).contentType("application/json").body(body)
                .put("/api/v1/cameras/porch")
                .then().statusCode(201)
                .body("id", equalTo("porch"))
                .body("source.type", equalTo("mjpeg"))
                .body("source.url", equalTo("http://***:***@127.0.0.1:9/video.mjpg"))
                .body("fps", equalTo(2.0f))
                .body("change_threshold", equalTo(0.05f))
                .body("keep_alive_seconds", equalTo(10.0f));
        try {
            String listing = given().get("/api/v1/cameras").then().statusCode(200)
                    .body("id", hasItem("porch"))
                    .extract().asString();
            assertThat(listing).doesNotContain("s3cret-pass").doesNotContain("admin:");

            Path stored = TestStateDir.current().resolve("cameras.json");
            assertThat(Files.readString(stored)).contains("\"porch\"").contains("video.mjpg");

            // replacing answers 200 and the new configuration takes effect
            given().header("Authorization", TOKEN).contentType("application/json")
                    .body("{\"source\":{\"type\":\"push\"}}")
                    .put("/api/v1/cameras/porch").then().statusCode(200).body("source.type", equalTo("push"));
            assertThat(Files.readString(stored)).doesNotContain("video.mjpg");
        } finally {
            given().header("Authorization", TOKEN).delete("/api/v1/cameras/porch").then().statusCode(204);
        }
        given().get("/api/v1/cameras/porch").then().statusCode(404).body("error", equalTo("not_found"));
        given().get("/api/v1/cameras").then().body("id", not(hasItem("porch")));
        assertThat(Files.readString(TestStateDir.current().resolve("cameras.json"))).doesNotContain("\"porch\"");
    }

    @Test
    void cameraChangesNeedTheToken() {
        String body = "{\"source\":{\"type\":\"push\"}}";
        given().contentType("application/json").body(body).put("/api/v1/cameras/sneaky")
                .then().statusCode(401).body("error", equalTo("unauthorized"));
        given().header("Authorization", "Bearer nope").delete("/api/v1/cameras/anything")
                .then().statusCode(401);
        given().get("/api/v1/cameras/sneaky").then().statusCode(404);
    }

    @Test
    void invalidCameraConfigurationsAreRefusedWithTheReason(@TempDir Path dir) {
        expect400("{not json", "malformed_json", "not valid camera JSON");
        expect400("{\"source\":{\"type\":\"webcam\"}}", "malformed_json", "unknown source type 'webcam'");
        expect400("{\"source\":{\"type\":\"rtsp\",\"url\":\"file:///etc/passwd\"}}", "invalid_url", "rtsp or rtsps");
        expect400("{\"source\":{\"type\":\"snapshot\",\"url\":\"ftp://cam/snap.jpg\"}}", "invalid_url", "http or https");
        expect400("{\"source\":{\"type\":\"mjpeg\"}}", "invalid_source", "needs a url");
        expect400("{\"source\":{\"type\":\"directory\",\"path\":\"" + dir.resolve("missing") + "\"}}", "invalid_path", "not an existing directory");
        expect400("{\"source\":{\"type\":\"file\",\"path\":\"" + dir + "\"}}", "invalid_path", "not an existing file");
        expect400("{\"source\":{\"type\":\"push\"},\"fps\":0}", "invalid_fps", "fps");
        expect400("{\"source\":{\"type\":\"push\"},\"change_threshold\":2}", "invalid_change_threshold", "change_threshold");
        expect400("{\"fps\":1}", "invalid_source", "source with a type is required");

        given().header("Authorization", TOKEN).contentType("application/json").body("{\"source\":{\"type\":\"push\"}}")
                .put("/api/v1/cameras/bad id!").then().statusCode(400).body("error", equalTo("invalid_camera_id"));
    }

    @Test
    void readinessListsCamerasAndStaysUpWithADegradedCamera() {
        given().header("Authorization", TOKEN).contentType("application/json")
                .body("{\"source\":{\"type\":\"snapshot\",\"url\":\"http://user:pw@127.0.0.1:9/snapshot.jpg\"},\"fps\":1}")
                .put("/api/v1/cameras/broken-cam").then().statusCode(201);
        try {
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(20)).untilAsserted(() ->
                    given().get("/q/health/ready").then().statusCode(200)
                            .body(containsString("\"camera.broken-cam\""))
                            .body(containsString("degraded: snapshot failed"))
                            .body(not(containsString("user:pw"))));
            given().get("/api/v1/cameras/broken-cam").then()
                    .body("status.state", equalTo("degraded"))
                    .body("status.connected", equalTo(false))
                    .body("status.last_error", containsString("snapshot failed"));
        } finally {
            given().header("Authorization", TOKEN).delete("/api/v1/cameras/broken-cam").then().statusCode(204);
        }
    }

    private static void expect400(String body, String error, String messagePart) {
        given().header("Authorization", TOKEN).contentType("application/json").body(body)
                .put("/api/v1/cameras/some-cam")
                .then().statusCode(400)
                .contentType("application/json")
                .body("error", equalTo(error))
                .body("message", containsString(messagePart));
    }
}
