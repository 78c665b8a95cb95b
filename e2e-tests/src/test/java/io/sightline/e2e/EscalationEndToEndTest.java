package io.sightline.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sightline.testsupport.StandInVlmServer;
import io.sightline.testsupport.TestBroker;
import io.sightline.testsupport.TestImages;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The whole system with a VLM tier selected (issue 15): caption-service describes frames with the stand-in VLM
 * ({@code SIGHTLINE_VISION_BACKEND=vlm}) and still runs the real ONNX models on every frame, so detections keep
 * flowing: count and presence questions get template answers, and a repeated frame of an unchanged scene is not
 * sent to the VLM again (its caption repeats the VLM's description with {@code escalated: false}).
 */
class EscalationEndToEndTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final String VLM_CAPTION = "An astronaut in a white spacesuit stands in front of an American flag.";

    private static final List<ServiceProcess> services = new ArrayList<>();
    private static StandInVlmServer vlm;
    private static EmbeddedPostgres postgres;
    private static ServiceProcess gateway;
    private static String adminKey;
    private static String operatorKey;

    @BeforeAll
    static void startSystem() throws IOException {
        String bootstrap = TestBroker.bootstrapServers();
        vlm = StandInVlmServer.start("stand-in-vlm").vision(true).respond(r -> StandInVlmServer.Reply.text(VLM_CAPTION));
        adminKey = "sk-e2e-admin-" + random();
        operatorKey = "sk-e2e-operator-" + random();
        Path keys = ServiceProcess.projectRoot().resolve("e2e-tests/target/e2e-state/escalation-gateway-keys");
        Files.createDirectories(keys.getParent());
        Files.writeString(keys, adminKey + ":admin\n" + operatorKey + ":operator\n");

        Map<String, String> common = new LinkedHashMap<>();
        common.put("KAFKA_BOOTSTRAP_SERVERS", bootstrap);
        common.put("SIGHTLINE_INTERNAL_TOKEN", random());
        common.put("SIGHTLINE_MODELS_DIR", TestImages.modelsDir().toAbsolutePath().toString());
        // every VLM call goes through vlm-service, which fronts the stand-in as its (default) remote model "stand-in"
        int vlmPort = ServiceProcess.freePort();
        common.put("SIGHTLINE_VLM_SERVICE_URL", "http://127.0.0.1:" + vlmPort + "/v1");
        Path vlmState = ServiceProcess.projectRoot().resolve("e2e-tests/target/e2e-state/vlm-service");
        Files.createDirectories(vlmState.resolve("config"));
        Files.createDirectories(vlmState.resolve("models"));
        // config/application.properties in vlm-service's working directory: map keys (remote.<id>) have no env form
        Files.writeString(vlmState.resolve("config/application.properties"), String.join("\n",
                "sightline.vlm.model=stand-in",
                "sightline.vlm.models-dir=" + vlmState.resolve("models"),
                "sightline.vlm.download.enabled=false",
                "sightline.vlm.remote.stand-in.base-url=" + vlm.baseUrl() + "/v1",
                "sightline.vlm.remote.stand-in.slots=2",
                "sightline.vlm.remote.stand-in.vision=true",
                ""));
        int capturePort = ServiceProcess.freePort();
        int captionPort = ServiceProcess.freePort();
        int fallbackPort = ServiceProcess.freePort();
        int historyPort = ServiceProcess.freePort();
        postgres = EmbeddedPostgres.builder().setPort(ServiceProcess.freePort())
                .setServerConfig("listen_addresses", "127.0.0.1").start();
        common.put("SIGHTLINE_HISTORY_URL", "http://127.0.0.1:" + historyPort);

        services.add(ServiceProcess.start("vlm-service", vlmPort, common));
        services.add(ServiceProcess.start("capture-service", capturePort, common));
        Map<String, String> caption = new LinkedHashMap<>(common);
        caption.put("SIGHTLINE_VISION_BACKEND", "vlm");
        caption.put("SIGHTLINE_CAPTION_VLM_MODEL", "stand-in");
        services.add(ServiceProcess.start("caption-service", captionPort, caption));
        Map<String, String> fallback = new LinkedHashMap<>(common);
        fallback.put("SIGHTLINE_FALLBACK_VLM_MODEL", "stand-in");
        services.add(ServiceProcess.start("fallback-service", fallbackPort, fallback));
        Map<String, String> history = new LinkedHashMap<>(common);
        history.put("SIGHTLINE_HISTORY_DB_URL", "jdbc:postgresql://127.0.0.1:" + postgres.getPort() + "/postgres");
        history.put("SIGHTLINE_HISTORY_DB_USER", "postgres");
        services.add(ServiceProcess.start("history-service", historyPort, history));
        Map<String, String> gatewayEnv = new LinkedHashMap<>(common);
        gatewayEnv.put("SIGHTLINE_GATEWAY_KEYS_FILE", keys.toString());
        gatewayEnv.put("SIGHTLINE_CAPTURE_URL", "http://127.0.0.1:" + capturePort);
        gatewayEnv.put("SIGHTLINE_CAPTION_URL", "http://127.0.0.1:" + captionPort);
        gatewayEnv.put("SIGHTLINE_FALLBACK_URL", "http://127.0.0.1:" + fallbackPort);
        gateway = ServiceProcess.start("gateway", ServiceProcess.freePort(), gatewayEnv);
        services.add(gateway);
        for (ServiceProcess service : services) {
            service.awaitReady(Duration.ofSeconds(180));
        }
    }

    @AfterAll
    static void stopSystem() throws IOException {
        services.forEach(ServiceProcess::close);
        if (vlm != null) {
            vlm.close();
        }
        if (postgres != null) {
            postgres.close();
        }
    }

    @Test
    void withTheVlmTierSelectedCountAndPresenceAreAnsweredFromDetectionsAndAStaticSceneIsDescribedOnce() throws Exception {
        // a camera of its own: the broker is shared by the e2e classes, and caption-service reads frames from the
        // earliest offset, so another class's earlier "porch" frame would be this camera's first frame
        String camera = "esc-porch-" + random().substring(0, 8);
        HttpResponse<String> created = send("PUT", "/api/v1/cameras/" + camera, adminKey, "application/json",
                "{\"source\":{\"type\":\"push\"}}".getBytes());
        assertThat(created.statusCode()).as(created.body()).isIn(200, 201);
        await("vlm tier selected, escalation active").atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            JsonNode backends = JSON.readTree(get("/api/v1/backends", adminKey).body()).path("backends");
            assertThat(backends.path("selected").asText()).isEqualTo("vlm");
            assertThat(backends.path("escalation").path("active").asBoolean()).as(backends.path("escalation").toString()).isTrue();
        });

        byte[] png = Files.readAllBytes(TestImages.image("astronaut.png"));
        String first = push(camera, png);
        JsonNode described = awaitCaption(camera, first);
        assertThat(described.path("backend").asText()).isEqualTo("vlm");
        assertThat(described.path("text").asText()).isEqualTo(VLM_CAPTION);
        assertThat(described.path("escalated").asBoolean()).isTrue();
        assertThat(described.path("escalation_reason").asText()).isEqualTo("first_frame");

        // detections kept flowing although the VLM describes: template answers, no VLM call
        // (counted from here: frames other e2e classes left on the shared broker may have been described before)
        int vlmCallsAfterFirst = vlm.requests().size();
        assertThat(vlmCallsAfterFirst).isPositive();
        await("count answer").atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            JsonNode answer = query(camera, "how many people are there?");
            assertThat(answer.path("response_mode").asText()).as(answer.toString()).isEqualTo("template");
            assertThat(answer.path("answer").asText()).containsPattern("(?i)\\b(1|one) person\\b");
        });
        JsonNode presence = query(camera, "is there a cat?");
        assertThat(presence.path("response_mode").asText()).as(presence.toString()).isEqualTo("template");
        assertThat(presence.path("answer").asText()).startsWith("No:");

        // the same scene again: captioned from the last description and the detections, not sent to the VLM
        String second = push(camera, png);
        JsonNode repeated = awaitCaption(camera, second);
        assertThat(repeated.path("escalated").asBoolean()).as(repeated.toString()).isFalse();
        assertThat(repeated.path("escalation_reason").asText()).isEqualTo("static");
        assertThat(repeated.path("described_frame_id").asText()).isEqualTo(first);
        assertThat(repeated.path("text").asText()).startsWith(VLM_CAPTION).contains("A person is visible.");
        assertThat(vlm.requests()).hasSize(vlmCallsAfterFirst);

        // a cat joining the scene is a meaning change: the VLM is asked again
        String third = push(camera, Files.readAllBytes(TestImages.image("chelsea.png")));
        JsonNode changed = awaitCaption(camera, third);
        assertThat(changed.path("escalated").asBoolean()).as(changed.toString()).isTrue();
        assertThat(changed.path("escalation_reason").asText()).isIn("class_appeared", "class_left");
        assertThat(vlm.requests()).hasSize(vlmCallsAfterFirst + 1);
        await("presence of the cat").atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                assertThat(query(camera, "is there a cat?").path("answer").asText()).startsWith("Yes:"));
    }

    private static JsonNode awaitCaption(String camera, String frameId) {
        JsonNode[] found = new JsonNode[1];
        await("caption of " + frameId).atMost(Duration.ofSeconds(120)).untilAsserted(() -> {
            JsonNode body = JSON.readTree(get("/api/v1/captions?camera=" + camera + "&limit=20", adminKey).body());
            JsonNode captions = body.isArray() ? body : body.path("captions");
            found[0] = null;
            captions.forEach(c -> {
                if (c.path("frame_id").asText().equals(frameId)) {
                    found[0] = c;
                }
            });
            assertThat(found[0]).as("caption of " + frameId + " in " + body).isNotNull();
        });
        return found[0];
    }

    private static String push(String camera, byte[] png) throws Exception {
        HttpResponse<String> pushed = send("POST", "/api/v1/frames/" + camera, operatorKey, "image/png", png);
        assertThat(pushed.statusCode()).as(pushed.body()).isEqualTo(202);
        return JSON.readTree(pushed.body()).path("frame_id").asText();
    }

    private static JsonNode query(String camera, String text) throws Exception {
        HttpResponse<String> response = send("POST", "/api/v1/query", operatorKey, "application/json",
                JSON.writeValueAsBytes(JSON.createObjectNode().put("camera", camera).put("query", text)));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return JSON.readTree(response.body());
    }

    private static HttpResponse<String> get(String path, String key) throws Exception {
        return send("GET", path, key, null, null);
    }

    private static HttpResponse<String> send(String method, String path, String key, String contentType, byte[] body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(gateway.baseUrl() + path)).timeout(Duration.ofSeconds(60));
        if (key != null) {
            request.header("Authorization", "Bearer " + key);
        }
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        request.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String random() {
        byte[] bytes = new byte[16];
        new java.security.SecureRandom().nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }
}
