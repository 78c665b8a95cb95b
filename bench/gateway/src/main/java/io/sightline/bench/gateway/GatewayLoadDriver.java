package io.sightline.bench.gateway;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.sightline.testsupport.StandInVlmServer;
import io.sightline.testsupport.TestBroker;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Drives the packaged gateway ({@code gateway/target/quarkus-app/quarkus-run.jar}, started here as its
 * own JVM) on loopback. Everything around it is real HTTP: a stand-in fallback-service answering
 * queries at once (the template path: the gateway's overhead is what is measured), stand-ins for the
 * other services' readiness, {@link StandInVlmServer} for the VLM, and the in-JVM Kafka broker.
 * Bounded: a fixed request count per step, a time cap per step. Prints a Markdown report.
 *
 * <p>Arguments: {@code [requestsPerStep=2000]} (two more, once the VLM service time and slots of a priority step,
 * are accepted and ignored: the gateway no longer queues VLM calls; vlm-service does, see bench/vlm-service).
 */
public final class GatewayLoadDriver {

    private static final String KEY = "sk-bench-operator-000000000001";
    private static final String BATCH_KEY = "sk-bench-batch-000000000000002";
    private static final String TEMPLATE_ANSWER = "{\"answer\":\"1 person is visible on door, as of 12:03:04, 3 s ago\","
            + "\"query_type\":\"count\",\"response_mode\":\"template\",\"confidence\":0.83,\"decision_reason\":\"confident\","
            + "\"frame\":{\"id\":\"f-1\",\"captured_at\":1760000000000,\"age_ms\":3000},\"backend\":\"onnx\",\"processing_time_ms\":1}";
    private static final Duration STEP_CAP = Duration.ofSeconds(60);

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
            .executor(Executors.newFixedThreadPool(8)).build();
    private final StringBuilder report = new StringBuilder();
    private String gateway;
    private long gatewayPid;

    public static void main(String[] args) throws Exception {
        // the JDK HttpServer behind StandInVlmServer otherwise adds ~40 ms (Nagle + delayed ACK) to every POST
        System.setProperty("sun.net.httpserver.nodelay", "true");
        int requests = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
        long vlmServiceMs = args.length > 1 ? Long.parseLong(args[1]) : 200;
        int slots = args.length > 2 ? Integer.parseInt(args[2]) : 2;
        new GatewayLoadDriver().run(requests, vlmServiceMs, slots);
    }

    private void run(int requests, long vlmServiceMs, int slots) throws Exception {
        Path root = projectRoot();
        // -Dgateway.jar: another build's gateway (a before/after in one run)
        Path jar = System.getProperty("gateway.jar") != null ? Path.of(System.getProperty("gateway.jar"))
                : root.resolve("gateway/target/quarkus-app/quarkus-run.jar");
        if (!Files.exists(jar)) {
            throw new IllegalStateException("build the gateway first: ./mvnw -B -q -pl gateway package -DskipTests");
        }
        String bootstrap = TestBroker.bootstrapServers();
        Vertx vertx = Vertx.vertx();
        HttpServer fallback = standIn(vertx, Map.of("/api/v1/query", TEMPLATE_ANSWER));
        HttpServer capture = standIn(vertx, Map.of());
        HttpServer caption = standIn(vertx, Map.of());
        StandInVlmServer vlm = StandInVlmServer.start("bench-vlm");
        Path keys = Files.createTempFile("gateway-keys", "");
        Files.writeString(keys, KEY + ":operator\n" + BATCH_KEY + ":operator:batch\n");
        int port = freePort();
        gateway = "http://127.0.0.1:" + port;

        List<String> command = new ArrayList<>(List.of(javaBin(), "-Xmx256m", "-XX:+UseSerialGC"));
        // -Dgateway.jvm: extra flags for the gateway's JVM (a JFR recording, ./sightline's -XX:TieredStopAtLevel=1)
        for (String flag : System.getProperty("gateway.jvm", "").trim().split("\\s+")) {
            if (!flag.isEmpty()) {
                command.add(flag);
            }
        }
        command.addAll(List.of("-jar", jar.toString()));
        ProcessBuilder pb = new ProcessBuilder(command);
        Map<String, String> env = pb.environment();
        env.put("QUARKUS_HTTP_PORT", Integer.toString(port));
        env.put("KAFKA_BOOTSTRAP_SERVERS", bootstrap);
        env.put("SIGHTLINE_GATEWAY_KEYS_FILE", keys.toString());
        env.put("SIGHTLINE_INTERNAL_TOKEN", "bench-internal-token-000000000");
        env.put("SIGHTLINE_FALLBACK_URL", "http://127.0.0.1:" + fallback.actualPort());
        env.put("SIGHTLINE_CAPTURE_URL", "http://127.0.0.1:" + capture.actualPort());
        env.put("SIGHTLINE_CAPTION_URL", "http://127.0.0.1:" + caption.actualPort());
        // the stand-in plays vlm-service; the gateway no longer queues (vlm-service does: bench/vlm-service)
        env.put("SIGHTLINE_VLM_SERVICE_URL", vlm.baseUrl() + "/v1");
        env.put("SIGHTLINE_GATEWAY_RATE_LIMIT_PER_SECOND", "1000000");
        env.put("SIGHTLINE_GATEWAY_RATE_LIMIT_BURST", "1000000");
        Path log = root.resolve("bench/gateway/target/gateway.log");
        Files.createDirectories(log.getParent());
        pb.redirectErrorStream(true).redirectOutput(log.toFile());
        Process process = pb.start();
        gatewayPid = process.pid();
        try {
            awaitReady(process);
            report.append("# gateway load benchmark\n\n")
                    .append("Run ").append(Instant.now()).append(" on ").append(Runtime.getRuntime().availableProcessors())
                    .append(" cores; load average before start: ").append(loadAverage()).append(".\n")
                    .append("Gateway: packaged jar ").append(jar).append(", own JVM (-Xmx256m, SerialGC); driver and stand-ins in this JVM; loopback.\n\n");

            report.append("## POST /api/v1/query (stand-in fallback answers at once: gateway overhead)\n\n")
                    .append("| concurrency | requests | ok | throughput (req/s) | p50 (ms) | p99 (ms) | gateway CPU ms/request |\n|---|---|---|---|---|---|---|\n");
            String query = "{\"camera\":\"door\",\"query\":\"how many people are there?\"}";
            // warm-up, not reported: the JIT compiles the hot paths first (a start-up cost, not the per-request one)
            step("/api/v1/query", query, KEY, 10, Math.min(requests, 3000));
            step("/api/v1/query", query, KEY, 1, Math.min(requests, 300));
            report.setLength(report.lastIndexOf("|---|---|---|---|---|---|---|\n") + "|---|---|---|---|---|---|---|\n".length());
            for (int c : new int[] {1, 10, 50}) {
                step("/api/v1/query", query, KEY, c, requests);
            }
            report.append("\nBaselines at concurrency 1 (same machine, same moment):\n\n")
                    .append("| baseline | requests | ok | throughput (req/s) | p50 (ms) | p99 (ms) | gateway CPU ms/request |\n|---|---|---|---|---|---|---|\n");
            step("stand-in fallback directly (no gateway)", "http://127.0.0.1:" + fallback.actualPort() + "/api/v1/query",
                    query, KEY, 1, Math.min(requests, 500));
            step("stand-in VLM directly (no gateway; test-support's JDK HttpServer)", vlm.baseUrl() + "/v1/chat/completions",
                    "{\"model\":\"x\",\"messages\":[{\"role\":\"user\",\"content\":\"hello\"}]}", KEY, 1, Math.min(requests, 300));
            step("GET /api/v1/backends/lifecycle (gateway only, no downstream)", gateway + "/api/v1/backends/lifecycle",
                    null, KEY, 1, Math.min(requests, 500));

            vlm.respond(r -> StandInVlmServer.Reply.text("ok"));
            report.append("\n## POST /v1/chat/completions (stand-in VLM answers at once; ").append(slots)
                    .append(" VLM slots)\n\n| concurrency | requests | ok | throughput (req/s) | p50 (ms) | p99 (ms) | gateway CPU ms/request |\n|---|---|---|---|---|---|---|\n");
            String chat = "{\"model\":\"x\",\"messages\":[{\"role\":\"user\",\"content\":\"hello\"}],\"max_tokens\":16}";
            for (int c : new int[] {1, 10}) {
                step("/v1/chat/completions", chat, KEY, c, requests / 2);
            }

            // (the priority step is gone: the gateway no longer queues VLM calls; vlm-service does, bench/vlm-service)
            report.append("\nGateway log: bench/gateway/target/gateway.log\n");
            System.out.println(report);
            Files.writeString(root.resolve("bench/gateway/target/last-run.md"), report.toString());
        } finally {
            process.destroy();
            if (!process.waitFor(15, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
            vlm.close();
            vertx.close();
            Files.deleteIfExists(keys);
            System.exit(0);
        }
    }

    /** {@code requests} POSTs from {@code concurrency} closed-loop clients; one table row. */
    private void step(String path, String body, String key, int concurrency, int requests) throws Exception {
        step(label(concurrency), gateway + path, body, key, concurrency, requests);
    }

    private static String label(int concurrency) {
        return Integer.toString(concurrency);
    }

    /** One table row; {@code body} null means GET. */
    private void step(String label, String url, String body, String key, int concurrency, int requests) throws Exception {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(url))
                .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(30));
        HttpRequest request = (body == null ? builder.GET() : builder.POST(HttpRequest.BodyPublishers.ofString(body))).build();
        AtomicInteger remaining = new AtomicInteger(requests);
        AtomicInteger ok = new AtomicInteger();
        List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
        long deadline = System.nanoTime() + STEP_CAP.toNanos();
        long cpu0 = gatewayCpuMillis();
        ExecutorService pool = Executors.newFixedThreadPool(concurrency);
        long t0 = System.nanoTime();
        CountDownLatch done = new CountDownLatch(concurrency);
        for (int i = 0; i < concurrency; i++) {
            pool.execute(() -> {
                try {
                    while (remaining.getAndDecrement() > 0 && System.nanoTime() < deadline) {
                        long s = System.nanoTime();
                        try {
                            HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
                            if (r.statusCode() == 200) {
                                ok.incrementAndGet();
                            }
                        } catch (Exception e) {
                            // counted as not ok
                        }
                        latencies.add(System.nanoTime() - s);
                    }
                } finally {
                    done.countDown();
                }
            });
        }
        done.await();
        long elapsed = System.nanoTime() - t0;
        long cpu = gatewayCpuMillis() - cpu0;
        pool.shutdown();
        List<Long> sorted = new ArrayList<>(latencies);
        Collections.sort(sorted);
        report.append(String.format(Locale.ROOT, "| %s | %d | %d | %.0f | %.1f | %.1f | %.2f |%n", label, sorted.size(), ok.get(),
                sorted.size() / (elapsed / 1e9), pct(sorted, 50), pct(sorted, 99), sorted.isEmpty() ? Double.NaN : (double) cpu / sorted.size()));
    }

    /** The gateway process's user + system CPU so far, from /proc (clock ticks of 10 ms). */
    private long gatewayCpuMillis() {
        try {
            String stat = Files.readString(Path.of("/proc/" + gatewayPid + "/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10;
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    private static double pct(List<Long> sortedNanos, int p) {
        if (sortedNanos.isEmpty()) {
            return Double.NaN;
        }
        int index = (int) Math.ceil(p / 100.0 * sortedNanos.size()) - 1;
        return sortedNanos.get(Math.max(0, Math.min(sortedNanos.size() - 1, index))) / 1e6;
    }

    private void awaitReady(Process process) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        HttpRequest ready = HttpRequest.newBuilder(URI.create(gateway + "/q/health/ready")).timeout(Duration.ofSeconds(5)).build();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("gateway exited; see bench/gateway/target/gateway.log");
            }
            try {
                if (http.send(ready, HttpResponse.BodyHandlers.ofString()).statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(250); // polling a starting process
        }
        throw new IllegalStateException("gateway not ready within 120 s; see bench/gateway/target/gateway.log");
    }

    /**
     * A stand-in internal service on Vert.x (TCP_NODELAY; the JDK HttpServer adds ~40 ms of Nagle/delayed-ACK
     * wait to every POST on this box, which would swamp what is measured): fixed JSON per path,
     * 200 on /q/health/ready, 404 otherwise.
     */
    private static HttpServer standIn(Vertx vertx, Map<String, String> answers) throws Exception {
        return vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0).setTcpNoDelay(true))
                .requestHandler(req -> req.body().onComplete(ignored -> {
                    String path = req.path();
                    String body = answers.getOrDefault(path, path.equals("/q/health/ready") ? "{\"status\":\"UP\"}" : null);
                    req.response().setStatusCode(body == null ? 404 : 200).putHeader("Content-Type", "application/json")
                            .end(body == null ? "{\"error\":\"not_found\"}" : body);
                }))
                .listen().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static String javaBin() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static Path projectRoot() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.exists(dir.resolve("mvnw"))) {
            dir = dir.getParent();
        }
        if (dir == null) {
            throw new IllegalStateException("run from inside the project");
        }
        return dir;
    }
}
