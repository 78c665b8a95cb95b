package io.sightline.capture.rest;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.sightline.capture.testing.TestStateDir;
import io.sightline.testsupport.KafkaBrokerResource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

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
                .body("source.url", equalTo("http://***@127.0.0.1:9/video.mjpg"))
                .body("fps", equalTo(2.0f))
                .body("change_threshold", equalTo(0.05f))
                .body("keep_alive_seconds", equalTo(10.0f));
        try {
            String listing = given().header("Authorization", TOKEN).get("/api/v1/cameras").then().statusCode(200)
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
        given().header("Authorization", TOKEN).get("/api/v1/cameras/porch").then().statusCode(404).body("error", equalTo("not_found"));
        given().header("Authorization", TOKEN).get("/api/v1/cameras").then().body("id", not(hasItem("porch")));
        assertThat(Files.readString(TestStateDir.current().resolve("cameras.json"))).doesNotContain("\"porch\"");
    }

    @Test
    void cameraChangesNeedTheToken() {
        String body = "{\"source\":{\"type\":\"push\"}}";
        given().contentType("application/json").body(body).put("/api/v1/cameras/sneaky")
                .then().statusCode(401).body("error", equalTo("unauthorized"));
        given().header("Authorization", "Bearer nope").delete("/api/v1/cameras/anything")
                .then().statusCode(401);
        given().header("Authorization", TOKEN).get("/api/v1/cameras/sneaky").then().statusCode(404);
    }

    @Test
    void invalidCameraConfigurationsAreRefusedWithTheReason(@TempDir Path dir) {
        expect400("{not json", "malformed_json", "malformed JSON at line 1, column 2");
        expect400("{\"source\":{\"type\":\"webcam\"}}", "malformed_json", "unknown source type 'webcam'");
        expect400("{\"source\":{\"type\":\"rtsp\",\"url\":\"file:///etc/passwd\"}}", "invalid_url", "rtsp or rtsps");
        expect400("{\"source\":{\"type\":\"snapshot\",\"url\":\"ftp://cam/snap.jpg\"}}", "invalid_url", "http or https");
        expect400("{\"source\":{\"type\":\"mjpeg\"}}", "invalid_source", "needs a url");
        expect400("{\"source\":{\"type\":\"directory\",\"path\":\"" + dir.resolve("missing") + "\"}}", "invalid_path", "is not a readable directory under");
        expect400("{\"source\":{\"type\":\"file\",\"path\":\"" + dir + "\"}}", "invalid_path", "is not a readable file under");
        expect400("{\"source\":{\"type\":\"push\"},\"fps\":0}", "invalid_fps", "fps");
        expect400("{\"source\":{\"type\":\"push\"},\"change_threshold\":2}", "invalid_change_threshold", "change_threshold");
        expect400("{\"fps\":1}", "invalid_source", "source with a type is required");
        expect400("{\"source\":{\"type\":\"push\"},\"time_zone\":\"Mars/Olympus\"}", "invalid_time_zone",
                "time_zone must be an IANA time zone id such as Europe/Berlin, America/Los_Angeles or UTC, was 'Mars/Olympus'");
        expect400("{\"source\":{\"type\":\"push\"},\"time_zone\":\"+02:00\"}", "invalid_time_zone", "time_zone must be an IANA");

        given().header("Authorization", TOKEN).contentType("application/json").body("{\"source\":{\"type\":\"push\"}}")
                .put("/api/v1/cameras/bad id!").then().statusCode(400).body("error", equalTo("invalid_camera_id"));
    }

    @Test
    void urlsResolvingToRefusedAddressesAreRefusedBeforeAnythingConnects() {
        // none of these is ever connected to: the policy refuses them on the resolved address at PUT time
        expect400("{\"source\":{\"type\":\"snapshot\",\"url\":\"http://169.254.169.254/latest/meta-data/\"}}", "destination_refused", "metadata");
        expect400("{\"source\":{\"type\":\"mjpeg\",\"url\":\"http://[fe80::1]/video\"}}", "destination_refused", "link-local");
        expect400("{\"source\":{\"type\":\"rtsp\",\"url\":\"rtsp://0.0.0.0/stream\"}}", "destination_refused", "unspecified");
        expect400("{\"source\":{\"type\":\"snapshot\",\"url\":\"http://10.11.12.13:8083/api/v1/stats\"}}", "destination_refused", "own ports");
        expect400("{\"source\":{\"type\":\"snapshot\",\"url\":\"http://[::ffff:169.254.169.254]/\"}}", "destination_refused", "metadata");
        expect400("{\"source\":{\"type\":\"snapshot\",\"url\":\"http://admin:pw-9@224.0.0.1/?pwd=zz-secret\"}}", "destination_refused", "multicast");
        given().header("Authorization", TOKEN).get("/api/v1/cameras/some-cam").then().statusCode(404);
    }

    @Test
    void queryStringCredentialsNeverReachTheApiViewOrTheLog() {
        List<String> logged = new CopyOnWriteArrayList<>();
        Handler handler = new Handler() {
            @Override
            public void publish(LogRecord record) {
                String text = record.getMessage();
                if (record.getParameters() != null) {
                    for (Object p : record.getParameters()) {
                        text += " " + p;
                    }
                }
                logged.add(text + (record.getThrown() != null ? " " + record.getThrown() : ""));
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        Logger root = Logger.getLogger("");
        root.addHandler(handler);
        String url = "http://127.0.0.1:9/cgi-bin/snapshot.cgi?user=admin&pwd=secret&channel=1";
        try {
            String created = given().header("Authorization", TOKEN).contentType("application/json")
                    .body("{\"source\":{\"type\":\"snapshot\",\"url\":\"" + url + "\"},\"fps\":2}")
                    .put("/api/v1/cameras/query-cred-cam").then().statusCode(201)
                    .body("source.url", equalTo("http://127.0.0.1:9/cgi-bin/snapshot.cgi?user=***&pwd=***&channel=1"))
                    .extract().asString();
            assertThat(created).doesNotContain("secret");
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(20)).untilAsserted(() ->
                    given().header("Authorization", TOKEN).get("/api/v1/cameras/query-cred-cam").then()
                            .body("status.last_error", containsString("snapshot failed")));
            assertThat(given().header("Authorization", TOKEN).get("/api/v1/cameras").asString()).doesNotContain("secret");
            assertThat(given().header("Authorization", TOKEN).get("/api/v1/cameras/query-cred-cam").asString()).doesNotContain("secret");
            assertThat(given().get("/q/health/ready").asString()).doesNotContain("secret");
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).until(() ->
                    logged.stream().anyMatch(l -> l.contains("query-cred-cam")));
            assertThat(logged).filteredOn(l -> l.contains("query-cred-cam")).isNotEmpty()
                    .allSatisfy(l -> assertThat(l).doesNotContain("secret"));
        } finally {
            root.removeHandler(handler);
            given().header("Authorization", TOKEN).delete("/api/v1/cameras/query-cred-cam").then().statusCode(204);
        }
    }

    @Test
    void fileSourcesAreConfinedToTheMediaRootsAndMissingLooksLikeUnreadable(@TempDir Path dir) throws Exception {
        expect400("{\"source\":{\"type\":\"directory\",\"path\":\"/etc\"}}", "path_not_allowed", "must lie under");
        expect400("{\"source\":{\"type\":\"file\",\"path\":\"" + dir + "/../../../etc/passwd\"}}", "path_not_allowed", "must lie under");
        Path escape = Files.createSymbolicLink(dir.resolve("escape"), Path.of("/etc"));
        Path missing = dir.resolve("missing");
        String viaSymlink = message("{\"source\":{\"type\":\"directory\",\"path\":\"" + escape + "\"}}");
        String ofMissing = message("{\"source\":{\"type\":\"directory\",\"path\":\"" + missing + "\"}}");
        assertThat(viaSymlink.replace(escape.toString(), "P")).isEqualTo(ofMissing.replace(missing.toString(), "P"));
        Path unreadable = Files.createDirectory(dir.resolve("unreadable"));
        Files.setPosixFilePermissions(unreadable, java.util.Set.of());
        // (root reads anything: the unreadable case only differs from the missing one when the test runs unprivileged)
        if (!Files.isReadable(unreadable)) {
            String ofUnreadable = message("{\"source\":{\"type\":\"directory\",\"path\":\"" + unreadable + "\"}}");
            assertThat(ofUnreadable.replace(unreadable.toString(), "P")).isEqualTo(ofMissing.replace(missing.toString(), "P"));
        }
        Files.setPosixFilePermissions(unreadable, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
    }

    private static String message(String body) {
        return given().header("Authorization", TOKEN).contentType("application/json").body(body)
                .put("/api/v1/cameras/some-cam").then().statusCode(400).body("error", equalTo("invalid_path"))
                .extract().jsonPath().getString("message");
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
            given().header("Authorization", TOKEN).get("/api/v1/cameras/broken-cam").then()
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
