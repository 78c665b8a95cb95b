package io.sightline.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sightline.common.kafka.Topics;
import io.sightline.testsupport.StandInVlmServer;
import io.sightline.testsupport.TestBroker;
import io.sightline.testsupport.TestImages;
import io.sightline.testsupport.TopicReader;
import org.apache.kafka.clients.consumer.ConsumerRecord;
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
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Watch jobs end to end, as separate processes: capture-service (a push camera), watch-service and the gateway on
 * the real broker, a scripted stand-in VLM. A job created through the gateway on a push camera raises a schema-2
 * {@code NotificationRaised} with the frame id when the VLM says the condition is met; a job whose replica is
 * killed (SIGKILL) resumes on its restart within 10 s, seeing the quiet camera's last frame.
 */
class WatchEndToEndTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final String MET_TOKEN = "[e2e-met " + UUID.randomUUID() + "]";

    private static final List<ServiceProcess> services = new ArrayList<>();
    private static StandInVlmServer vlm;
    private static ServiceProcess gateway;
    private static ServiceProcess watch;
    private static int watchPort;
    private static Map<String, String> watchEnv;
    private static String operatorKey;

    @BeforeAll
    static void startSystem() throws Exception {
        String bootstrap = TestBroker.bootstrapServers();
        vlm = StandInVlmServer.start("stand-in-vlm").respond(r -> StandInVlmServer.Reply.text(r.text().contains(MET_TOKEN)
                ? "{\"condition_met\": true, \"next_run_in\": 5, \"reasoning\": \"A brown parcel lies on the doormat.\", "
                + "\"notification_message\": \"Your package was delivered\"}"
                : "{\"condition_met\": false, \"next_run_in\": 1, \"reasoning\": \"The doormat is empty.\", \"notification_message\": \"\"}"));
        operatorKey = "sk-e2e-operator-" + random();
        String adminKey = "sk-e2e-admin-" + random();
        Path keys = ServiceProcess.projectRoot().resolve("e2e-tests/target/e2e-state/watch-gateway-keys");
        Files.createDirectories(keys.getParent());
        Files.writeString(keys, adminKey + ":admin\n" + operatorKey + ":operator\n");

        Map<String, String> common = new LinkedHashMap<>();
        common.put("KAFKA_BOOTSTRAP_SERVERS", bootstrap);
        common.put("SIGHTLINE_INTERNAL_TOKEN", random());
        common.put("SIGHTLINE_MODELS_DIR", TestImages.modelsDir().toAbsolutePath().toString());
        common.put("SIGHTLINE_VLM_SERVICE_URL", vlm.baseUrl() + "/v1");

        int capturePort = ServiceProcess.freePort();
        watchPort = ServiceProcess.freePort();
        int gatewayPort = ServiceProcess.freePort();
        services.add(ServiceProcess.start("capture-service", capturePort, common));
        watchEnv = new LinkedHashMap<>(common);
        watchEnv.put("SIGHTLINE_PUBLIC_URL", "http://127.0.0.1:" + gatewayPort);
        watch = ServiceProcess.start("watch-service", watchPort, watchEnv);
        Map<String, String> gatewayEnv = new LinkedHashMap<>(common);
        gatewayEnv.put("SIGHTLINE_GATEWAY_KEYS_FILE", keys.toString());
        gatewayEnv.put("SIGHTLINE_CAPTURE_URL", "http://127.0.0.1:" + capturePort);
        gatewayEnv.put("SIGHTLINE_WATCH_URL", "http://127.0.0.1:" + watchPort);
        gatewayEnv.put("SIGHTLINE_GATEWAY_DOWNSTREAM_REQUIRED_FOR_READINESS", "capture,watch");
        gateway = ServiceProcess.start("gateway", gatewayPort, gatewayEnv);
        services.add(gateway);

        for (ServiceProcess service : services) {
            service.awaitReady(Duration.ofSeconds(180));
        }
        watch.awaitReady(Duration.ofSeconds(180));

        for (String camera : List.of("porch", "garage")) {
            HttpResponse<String> created = send("PUT", "/api/v1/cameras/" + camera, adminKey, "application/json",
                    "{\"source\":{\"type\":\"push\"}}".getBytes());
            assertThat(created.statusCode()).as(created.body()).isIn(200, 201);
        }
    }

    @AfterAll
    static void stopSystem() {
        services.forEach(ServiceProcess::close);
        if (watch != null) {
            watch.close();
        }
        if (vlm != null) {
            vlm.close();
        }
    }

    @Test
    void aMetConditionOnAPushCameraRaisesASchemaTwoNotificationWithTheFrameAndTheJobSaysMet() throws Exception {
        String frameId = push("porch");
        try (TopicReader notifications = TopicReader.fromNow(Topics.NOTIFICATIONS)) {
            String id = createJob("porch", "a package has been delivered to the porch " + MET_TOKEN, List.of("family-phones"));

            JsonNode done = await("job met").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                    .until(() -> job(id), j -> "success".equals(j.path("status").asText()));
            assertThat(done.path("notification_message").asText()).isEqualTo("Your package was delivered");
            assertThat(done.path("last_outcome").asText()).isEqualTo("Condition met");

            ConsumerRecord<String, byte[]> record = notifications.awaitOne(r -> TopicReader.valueText(r).contains(id), Duration.ofSeconds(30));
            JsonNode raised = JSON.readTree(record.value());
            assertThat(record.key()).isEqualTo("porch");
            assertThat(raised.path("schema").asInt()).isEqualTo(2);
            assertThat(UUID.fromString(raised.path("notification_id").asText())).isNotNull();
            assertThat(raised.path("job_id").asText()).isEqualTo(id);
            assertThat(raised.path("camera").asText()).isEqualTo("porch");
            assertThat(raised.path("message").asText()).isEqualTo("Your package was delivered");
            assertThat(raised.path("frame_id").asText()).as("the frame the verdict was given on").isEqualTo(frameId);
            assertThat(raised.path("thumbnail_url").asText()).isEqualTo(gateway.baseUrl() + "/api/v1/cameras/porch/frame.jpg");
            assertThat(raised.path("channels")).extracting(JsonNode::asText).containsExactly("family-phones");
            assertThat(raised.path("at").asLong()).isPositive();
        }
    }

    @Test
    void afterKillMinusNineTheJobResumesWithinTenSecondsOfTheRestartAndSeesTheQuietCamerasLastFrame() throws Exception {
        push("garage");
        String id = createJob("garage", "the garage door opens " + UUID.randomUUID(), List.of());
        await("job looks").atMost(Duration.ofSeconds(60)).until(() -> job(id).path("iterations").asInt() >= 2);

        watch.kill();
        long killedAt = System.currentTimeMillis();
        int requestsAtKill = vlm.requests().size();
        long restartedAt = System.currentTimeMillis();
        watch = ServiceProcess.start("watch-service", watchPort, watchEnv);
        watch.awaitReady(Duration.ofSeconds(180));
        long readyAt = System.currentTimeMillis();

        // no new frame is pushed: the camera is quiet; the job must look at the last frame it sent before the kill
        StandInVlmServer.ReceivedRequest resumed = await("the job's first look after the restart").atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> vlm.requests().stream().skip(requestsAtKill).filter(r -> r.text().contains("the garage door opens"))
                        .findFirst().orElse(null), r -> r != null);
        long resumedAfterReady = resumed.at().toEpochMilli() - readyAt;
        assertThat(resumed.images()).as("the quiet camera's last frame, rebuilt from the frames topic").isNotEmpty();
        assertThat(resumedAfterReady).as("resumed within 10 s of the restarted replica being ready").isLessThan(10_000);
        JsonNode after = await().atMost(Duration.ofSeconds(20)).until(() -> job(id), j -> j.path("downtime_ms").asLong() > 0);
        assertThat(after.path("status").asText()).isEqualTo("running");
        assertThat(after.path("last_outcome").asText()).isNotEqualTo("Camera frame unavailable");
        assertThat(after.path("history").size()).as("the conversation survived the kill").isGreaterThanOrEqualTo(2);
        System.out.printf("WATCH kill-9: restart-to-ready %d ms, first look %d ms after ready (%d ms after the kill), downtime reported %d ms%n",
                readyAt - restartedAt, resumedAfterReady, resumed.at().toEpochMilli() - killedAt, after.path("downtime_ms").asLong());
    }

    // ---- helpers

    private static String push(String camera) throws Exception {
        byte[] png = Files.readAllBytes(TestImages.image("astronaut.png"));
        HttpResponse<String> pushed = send("POST", "/api/v1/frames/" + camera, operatorKey, "image/png", png);
        assertThat(pushed.statusCode()).as(pushed.body()).isEqualTo(202);
        return JSON.readTree(pushed.body()).path("frame_id").asText();
    }

    private static String createJob(String camera, String condition, List<String> channels) throws Exception {
        String body = JSON.writeValueAsString(Map.of("camera", camera, "condition", condition, "channels", channels));
        // 404 until watch-service has seen the camera's frame
        HttpResponse<String> created = await("job created").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                .until(() -> send("POST", "/api/v1/watch", operatorKey, "application/json", body.getBytes()), r -> r.statusCode() != 404);
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        return JSON.readTree(created.body()).path("id").asText();
    }

    private static JsonNode job(String id) throws Exception {
        HttpResponse<String> r = send("GET", "/api/v1/watch/" + id, operatorKey, null, null);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return JSON.readTree(r.body());
    }

    private static HttpResponse<String> send(String method, String path, String key, String contentType, byte[] body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(gateway.baseUrl() + path)).timeout(Duration.ofSeconds(30));
        if (key != null) {
            b.header("Authorization", "Bearer " + key);
        }
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String random() {
        byte[] bytes = new byte[16];
        new java.security.SecureRandom().nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }
}
