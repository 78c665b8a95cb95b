package io.sightline.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.sightline.common.event.NotificationRaised;
import io.sightline.common.kafka.Topics;
import io.sightline.testsupport.StandInVlmServer;
import io.sightline.testsupport.TestBroker;
import io.sightline.testsupport.TestImages;
import io.sightline.testsupport.TestKafka;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * "Tell me when" reaching people: capture-, watch- and notify-service and the gateway as packaged processes,
 * the scripted stand-in VLM behind watch-service, a real webhook receiver and a real MQTT broker (Debian's
 * mosquitto, started and stopped by PID here) with {@code mosquitto_sub} as the subscriber. Channels are
 * configured through the gateway (admin); a watch job created through the gateway on a push camera is met (the
 * stand-in says so), and the receiver and the subscriber get its notification with the pushed frame's id and
 * thumbnail. Then notify-service is killed (-9) in the middle of a delivery and restarted: the delivery resumes
 * with the same idempotency key and nothing delivered before the kill is delivered again.
 */
class NotificationDeliveryEndToEndTest {

    private static final Duration WAIT = Duration.ofSeconds(120);
    private static final String SECRET = "e2e-webhook-secret-0123456789";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private static Process mqtt;
    private static Process subscriber;
    private static Path subscriberOut;
    private static int mqttPort;
    private static HttpServer receiver;
    private static final List<Received> received = new CopyOnWriteArrayList<>();
    private static final AtomicBoolean hangNext = new AtomicBoolean();
    private static final CountDownLatch release = new CountDownLatch(1);
    private static ServiceProcess notify;
    private static ServiceProcess gateway;
    private static int notifyPort;
    private static Map<String, String> notifyEnv;
    private static String adminKey;
    private static StandInVlmServer vlm;
    private static ServiceProcess capture;
    private static ServiceProcess watch;
    private static final String MET_TOKEN = "[e2e-met " + UUID.randomUUID() + "]";

    record Received(Map<String, List<String>> headers, byte[] body) {
        String header(String name) {
            return headers.entrySet().stream().filter(e -> e.getKey() != null && e.getKey().equalsIgnoreCase(name))
                    .map(e -> e.getValue().get(0)).findFirst().orElse(null);
        }

        String idempotencyKey() {
            return header("Idempotency-Key");
        }
    }

    @BeforeAll
    static void startEverything() throws Exception {
        String bootstrap = TestBroker.bootstrapServers();
        mqttPort = ServiceProcess.freePort();
        Path state = ServiceProcess.projectRoot().resolve("e2e-tests/target/e2e-state/mosquitto");
        Files.createDirectories(state);
        Path conf = state.resolve("mosquitto.conf");
        Files.writeString(conf, "listener " + mqttPort + " 127.0.0.1\nallow_anonymous true\npersistence false\n");
        Path logs = ServiceProcess.projectRoot().resolve("e2e-tests/target/e2e-logs");
        Files.createDirectories(logs);
        mqtt = new ProcessBuilder(mosquitto("mosquitto"), "-c", conf.toString()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logs.resolve("mosquitto.log").toFile())).start();
        subscriberOut = logs.resolve("mosquitto_sub.out");
        Files.deleteIfExists(subscriberOut);
        // -v: "<topic> <payload>" per line; -q 1: subscribe at QoS 1; retried until the broker listens
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200)).until(() -> {
            if (subscriber != null && subscriber.isAlive()) {
                return true;
            }
            subscriber = new ProcessBuilder(mosquitto("mosquitto_sub"), "-h", "127.0.0.1", "-p", Integer.toString(mqttPort),
                    "-q", "1", "-v", "-t", "#").redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(subscriberOut.toFile())).start();
            return !subscriber.waitFor(500, TimeUnit.MILLISECONDS);
        });

        receiver = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        receiver.setExecutor(Executors.newCachedThreadPool());
        receiver.createContext("/hook", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            received.add(new Received(Map.copyOf(exchange.getRequestHeaders()), body));
            if (hangNext.compareAndSet(true, false)) {
                try {
                    release.await(60, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                exchange.close();
                return;
            }
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        receiver.start();

        adminKey = "sk-e2e-admin-" + UUID.randomUUID().toString().replace("-", "");
        Path keys = ServiceProcess.projectRoot().resolve("e2e-tests/target/e2e-state/notify-gateway-keys");
        Files.createDirectories(keys.getParent());
        Files.writeString(keys, adminKey + ":admin\n");
        String internalToken = UUID.randomUUID().toString();
        notifyPort = ServiceProcess.freePort();
        int gatewayPort = ServiceProcess.freePort();
        int capturePort = ServiceProcess.freePort();
        int watchPort = ServiceProcess.freePort();

        // the watch half: a push camera, and a watch job the scripted VLM finds met when its condition carries MET_TOKEN
        vlm = StandInVlmServer.start("stand-in-vlm").respond(r -> StandInVlmServer.Reply.text(r.text().contains(MET_TOKEN)
                ? "{\"condition_met\": true, \"next_run_in\": 5, \"reasoning\": \"A brown parcel lies on the doormat.\", "
                + "\"notification_message\": \"A parcel was left on the door mat.\"}"
                : "{\"condition_met\": false, \"next_run_in\": 1, \"reasoning\": \"The doormat is empty.\", \"notification_message\": \"\"}"));
        Map<String, String> common = new LinkedHashMap<>();
        common.put("KAFKA_BOOTSTRAP_SERVERS", bootstrap);
        common.put("SIGHTLINE_INTERNAL_TOKEN", internalToken);
        common.put("SIGHTLINE_MODELS_DIR", TestImages.modelsDir().toAbsolutePath().toString());
        common.put("SIGHTLINE_VLM_SERVICE_URL", vlm.baseUrl() + "/v1");
        capture = ServiceProcess.start("capture-service", capturePort, common);
        Map<String, String> watchEnv = new LinkedHashMap<>(common);
        watchEnv.put("SIGHTLINE_PUBLIC_URL", "http://127.0.0.1:" + gatewayPort);
        watch = ServiceProcess.start("watch-service", watchPort, watchEnv);

        notifyEnv = new LinkedHashMap<>();
        notifyEnv.put("KAFKA_BOOTSTRAP_SERVERS", bootstrap);
        notifyEnv.put("SIGHTLINE_INTERNAL_TOKEN", internalToken);
        // the receiver and the broker are on this host: loopback allowed explicitly, as nowhere in production
        notifyEnv.put("SIGHTLINE_OUTBOUND_ALLOW_CIDRS", "127.0.0.0/8");
        notifyEnv.put("SIGHTLINE_PUBLIC_URL", "http://127.0.0.1:" + gatewayPort);
        notifyEnv.put("SIGHTLINE_NOTIFY_DELIVERY_INITIAL_BACKOFF", "PT0.5S");
        notifyEnv.put("SIGHTLINE_NOTIFY_DELIVERY_MAX_BACKOFF", "PT2S");
        notifyEnv.put("SIGHTLINE_NOTIFY_DELIVERY_REQUEST_TIMEOUT", "PT20S");
        notifyEnv.put("SIGHTLINE_REPLICA_ID", "e2e-0");
        notify = ServiceProcess.start("notify-service", notifyPort, notifyEnv);

        Map<String, String> gatewayEnv = new LinkedHashMap<>();
        gatewayEnv.put("KAFKA_BOOTSTRAP_SERVERS", bootstrap);
        gatewayEnv.put("SIGHTLINE_INTERNAL_TOKEN", internalToken);
        gatewayEnv.put("SIGHTLINE_GATEWAY_KEYS_FILE", keys.toString());
        gatewayEnv.put("SIGHTLINE_NOTIFY_URL", notify.baseUrl());
        gatewayEnv.put("SIGHTLINE_CAPTURE_URL", capture.baseUrl());
        gatewayEnv.put("SIGHTLINE_WATCH_URL", watch.baseUrl());
        gateway = ServiceProcess.start("gateway", gatewayPort, gatewayEnv);
        notify.awaitReady(WAIT);
        capture.awaitReady(WAIT);
        watch.awaitReady(WAIT);
        // the gateway's readiness waits for capture/caption/fallback, which this test does not run
        await().atMost(WAIT).pollInterval(Duration.ofMillis(500)).ignoreExceptions()
                .until(() -> call("GET", "/api/v1/notification-channels", null).statusCode() == 200);
    }

    @AfterAll
    static void stopEverything() throws Exception {
        release.countDown();
        for (AutoCloseable c : new AutoCloseable[] {gateway, notify, watch, capture, vlm}) {
            if (c != null) {
                c.close();
            }
        }
        for (Process p : new Process[] {subscriber, mqtt}) {
            if (p != null && p.isAlive()) {
                p.destroy();
                if (!p.waitFor(10, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            }
        }
        if (receiver != null) {
            receiver.stop(0);
        }
    }

    /** Debian's mosquitto binaries (apt-get install mosquitto mosquitto-clients; .ci/run installs them). */
    private static String mosquitto(String binary) {
        for (String dir : new String[] {"/usr/sbin/", "/usr/bin/", "/usr/local/sbin/", "/usr/local/bin/"}) {
            if (Files.isExecutable(Path.of(dir + binary))) {
                return dir + binary;
            }
        }
        throw new IllegalStateException(binary + " not found: apt-get install mosquitto mosquitto-clients");
    }

    /** What mosquitto_sub printed so far: topic, payload. */
    private static List<String[]> messages() throws IOException {
        if (!Files.exists(subscriberOut)) {
            return List.of();
        }
        return Files.readAllLines(subscriberOut).stream().filter(l -> l.indexOf(' ') > 0)
                .map(l -> new String[] {l.substring(0, l.indexOf(' ')), l.substring(l.indexOf(' ') + 1)}).toList();
    }

    private static HttpResponse<String> call(String method, String path, String json) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(gateway.baseUrl() + path)).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + adminKey);
        b = json == null ? b.method(method, HttpRequest.BodyPublishers.noBody())
                : b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(json));
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode notificationsOf(String job) throws Exception {
        return JSON.readTree(call("GET", "/api/v1/notifications?job=" + job, null).body()).path("notifications");
    }

    private static boolean delivered(String job) throws Exception {
        JsonNode list = notificationsOf(job);
        return list.size() == 1 && list.get(0).path("state").asText().equals("delivered");
    }

    private static NotificationRaised raise(String camera) {
        NotificationRaised n = new NotificationRaised(NotificationRaised.SCHEMA, UUID.randomUUID().toString(),
                "job-" + UUID.randomUUID().toString().substring(0, 8), camera, "a parcel is at the door",
                "A parcel was left on the door mat.", "box at the door", UUID.randomUUID().toString(), null, List.of(),
                System.currentTimeMillis());
        try {
            TestKafka.send(Topics.NOTIFICATIONS, camera, JSON.writeValueAsBytes(n), new RecordHeaders());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return n;
    }

    private static String push(String camera) throws Exception {
        byte[] png = Files.readAllBytes(TestImages.image("astronaut.png"));
        HttpRequest request = HttpRequest.newBuilder(URI.create(gateway.baseUrl() + "/api/v1/frames/" + camera))
                .timeout(Duration.ofSeconds(30)).header("Authorization", "Bearer " + adminKey).header("Content-Type", "image/png")
                .POST(HttpRequest.BodyPublishers.ofByteArray(png)).build();
        HttpResponse<String> pushed = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        assertThat(pushed.statusCode()).as(pushed.body()).isEqualTo(202);
        return JSON.readTree(pushed.body()).path("frame_id").asText();
    }

    private static String createJob(String camera, String condition) throws Exception {
        String body = JSON.writeValueAsString(Map.of("camera", camera, "condition", condition));
        // 404 until watch-service has seen the camera's frame
        HttpResponse<String> created = await("job created").atMost(WAIT).pollInterval(Duration.ofMillis(500))
                .until(() -> call("POST", "/api/v1/watch", body), r -> r.statusCode() != 404);
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        return JSON.readTree(created.body()).path("id").asText();
    }

    private static List<Received> requestsFor(String notificationId) {
        return received.stream().filter(r -> notificationId.equals(r.idempotencyKey())).toList();
    }

    private static String sign(long ts, byte[] body) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        mac.update((ts + ".").getBytes(StandardCharsets.UTF_8));
        return "sha256=" + HexFormat.of().formatHex(mac.doFinal(body));
    }

    @Test
    void aRaisedNotificationReachesTheWebhookAndMqttAndSurvivesAKillMidDelivery() throws Exception {
        HttpResponse<String> hook = call("PUT", "/api/v1/notification-channels/e2e-hook",
                "{\"type\":\"webhook\",\"config\":{\"url\":\"http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook\",\"secret\":\""
                        + SECRET + "\"},\"default\":true}");
        assertThat(hook.statusCode()).as(hook.body()).isEqualTo(200);
        assertThat(hook.body()).doesNotContain(SECRET);
        HttpResponse<String> ha = call("PUT", "/api/v1/notification-channels/e2e-ha",
                "{\"type\":\"mqtt\",\"config\":{\"url\":\"tcp://127.0.0.1:" + mqttPort + "\"},\"default\":true}");
        assertThat(ha.statusCode()).as(ha.body()).isEqualTo(200);
        HttpResponse<String> bad = call("PUT", "/api/v1/notification-channels/e2e-bad", "{\"type\":\"webhook\",\"config\":{\"url\":\"http://169.254.169.254/\",\"secret\":\"" + SECRET + "\"}}");
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(bad.body()).path("field").asText()).isEqualTo("config.url");

        // a push camera; a watch job through the gateway; the VLM finds the condition met; watch-service raises it
        assertThat(call("PUT", "/api/v1/cameras/porch", "{\"source\":{\"type\":\"push\"}}").statusCode()).isIn(200, 201);
        String frameId = push("porch");
        String jobId = createJob("porch", "a parcel is at the door " + MET_TOKEN);
        await("job met").atMost(WAIT).until(() -> JSON.readTree(call("GET", "/api/v1/watch/" + jobId, null).body())
                .path("status").asText().equals("success"));
        String thumbnail = "http://127.0.0.1:" + gateway.port() + "/api/v1/cameras/porch/frame.jpg";
        await().atMost(WAIT).until(() -> delivered(jobId));
        String notificationId = notificationsOf(jobId).get(0).path("notification_id").asText();

        List<Received> hooks = requestsFor(notificationId);
        assertThat(hooks).hasSize(1);
        Received r = hooks.get(0);
        assertThat(r.header("X-Sightline-Signature")).isEqualTo(sign(Long.parseLong(r.header("X-Sightline-Timestamp")), r.body()));
        JsonNode body = JSON.readTree(r.body());
        assertThat(body.path("frame_id").asText()).as("the pushed frame the verdict was given on").isEqualTo(frameId);
        assertThat(body.path("thumbnail_url").asText()).isEqualTo(thumbnail);
        assertThat(body.path("job_id").asText()).isEqualTo(jobId);
        assertThat(body.path("camera").asText()).isEqualTo("porch");
        assertThat(body.path("message").asText()).isEqualTo("A parcel was left on the door mat.");

        String eventTopic = "sightline/jobs/" + jobId + "/event";
        await().atMost(WAIT).until(() -> messages().stream().anyMatch(m -> m[0].equals(eventTopic)));
        JsonNode event = JSON.readTree(messages().stream().filter(m -> m[0].equals(eventTopic)).findFirst().orElseThrow()[1]);
        assertThat(event.path("frame_id").asText()).as("event %s", event).isEqualTo(frameId);
        assertThat(event.path("snapshot_url").asText()).as("event %s", event).isEqualTo(thumbnail);
        assertThat(messages().stream().map(m -> m[0])).contains("homeassistant/binary_sensor/sightline/" + jobId + "/config",
                "sightline/jobs/" + jobId + "/state");
        JsonNode deliveries = notificationsOf(jobId).get(0).path("deliveries");
        assertThat(deliveries.findValuesAsText("channel")).containsExactlyInAnyOrder("e2e-hook", "e2e-ha");
        assertThat(deliveries.findValuesAsText("state")).containsOnly("delivered");

        // kill -9 in the middle of a delivery: the receiver holds the request, notify-service dies, comes back
        hangNext.set(true);
        NotificationRaised b = raise("porch");
        await().atMost(WAIT).until(() -> !requestsFor(b.notificationId()).isEmpty());
        notify.kill();
        release.countDown();
        notify = ServiceProcess.start("notify-service", notifyPort, notifyEnv);
        notify.awaitReady(WAIT);
        await().atMost(WAIT).until(() -> delivered(b.jobId()));

        List<Received> retried = requestsFor(b.notificationId());
        assertThat(retried).hasSizeGreaterThanOrEqualTo(2); // the held one, and the retry after the restart
        assertThat(retried).extracting(Received::idempotencyKey).containsOnly(b.notificationId());
        assertThat(requestsFor(notificationId)).as("delivered before the kill: never again").hasSize(1);
        assertThat(notificationsOf(b.jobId()).get(0).path("deliveries").findValuesAsText("state")).containsOnly("delivered");
    }
}
