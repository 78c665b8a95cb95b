package io.sightline.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.sightline.common.event.NotificationRaised;
import io.sightline.common.kafka.Topics;
import io.sightline.testsupport.TestBroker;
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
 * notify-service and the gateway as packaged processes, a real webhook receiver and a real MQTT broker
 * (Debian's mosquitto, started and stopped by PID here) with {@code mosquitto_sub} as the subscriber: channels configured through the gateway (admin), a {@code NotificationRaised}
 * produced as watch-service publishes it, the receiver and the subscriber get it with the frame reference; then
 * notify-service is killed (-9) in the middle of a delivery and restarted: the delivery resumes with the same
 * idempotency key and nothing delivered before the kill is delivered again.
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
        gateway = ServiceProcess.start("gateway", gatewayPort, gatewayEnv);
        notify.awaitReady(WAIT);
        // the gateway's readiness waits for capture/caption/fallback, which this test does not run
        await().atMost(WAIT).pollInterval(Duration.ofMillis(500)).ignoreExceptions()
                .until(() -> call("GET", "/api/v1/notification-channels", null).statusCode() == 200);
    }

    @AfterAll
    static void stopEverything() throws Exception {
        release.countDown();
        for (AutoCloseable c : new AutoCloseable[] {gateway, notify}) {
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

        // a met condition as watch-service raises it (the watch half of the e2e produces this record)
        NotificationRaised a = raise("porch");
        String thumbnail = "http://127.0.0.1:" + gateway.port() + "/api/v1/history/frames/" + a.frameId() + "/thumbnail.jpg";
        await().atMost(WAIT).until(() -> delivered(a.jobId()));

        List<Received> hooks = requestsFor(a.notificationId());
        assertThat(hooks).hasSize(1);
        Received r = hooks.get(0);
        assertThat(r.header("X-Sightline-Signature")).isEqualTo(sign(Long.parseLong(r.header("X-Sightline-Timestamp")), r.body()));
        JsonNode body = JSON.readTree(r.body());
        assertThat(body.path("frame_id").asText()).isEqualTo(a.frameId());
        assertThat(body.path("thumbnail_url").asText()).isEqualTo(thumbnail);
        assertThat(body.path("job_id").asText()).isEqualTo(a.jobId());
        assertThat(body.path("message").asText()).isEqualTo(a.message());

        String eventTopic = "sightline/jobs/" + a.jobId() + "/event";
        await().atMost(WAIT).until(() -> messages().stream().anyMatch(m -> m[0].equals(eventTopic)));
        JsonNode event = JSON.readTree(messages().stream().filter(m -> m[0].equals(eventTopic)).findFirst().orElseThrow()[1]);
        assertThat(event.path("frame_id").asText()).as("event %s", event).isEqualTo(a.frameId());
        assertThat(event.path("snapshot_url").asText()).as("event %s", event).isEqualTo(thumbnail);
        assertThat(messages().stream().map(m -> m[0])).contains("homeassistant/binary_sensor/sightline/" + a.jobId() + "/config",
                "sightline/jobs/" + a.jobId() + "/state");
        JsonNode deliveries = notificationsOf(a.jobId()).get(0).path("deliveries");
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
        assertThat(requestsFor(a.notificationId())).as("delivered before the kill: never again").hasSize(1);
        assertThat(notificationsOf(b.jobId()).get(0).path("deliveries").findValuesAsText("state")).containsOnly("delivered");
    }
}
