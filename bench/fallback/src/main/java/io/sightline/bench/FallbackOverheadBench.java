package io.sightline.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sightline.common.event.DetectionsProduced;
import io.sightline.common.frame.CapturedFrame;
import io.sightline.testsupport.StandInVlmServer;
import io.sightline.testsupport.TestBroker;
import io.sightline.testsupport.TestImages;
import io.sightline.testsupport.TestKafka;
import org.apache.kafka.common.header.internals.RecordHeaders;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Measures fallback-service's own overhead: a packaged service process, a real broker, a stand-in VLM
 * answering after a fixed delay. For 1, 10 and 50 concurrent clients it sends POST /api/v1/query on
 * the VLM-with-image path (confidence 0.1: classify, attach the cached 1024 px frame as a data URI,
 * call the VLM) and on the template path (confidence 0.9: classify, answer from detections).
 * Overhead = client-observed latency minus the stand-in's fixed delay.
 *
 * <p>Args: [path to quarkus-run.jar] (default ../../fallback-service/target/quarkus-app/quarkus-run.jar).
 * System properties: bench.vlm-delay-ms (200), bench.requests (scale of requests per level, 1.0).
 */
public final class FallbackOverheadBench {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOKEN = "bench-token";
    private static final String CAMERA = "bench-cam";

    record Run(String path, int concurrency, int requests, long[] latencyMs, long[] serverMs, int failures, double seconds) {
    }

    public static void main(String[] args) throws Exception {
        Path jar = Path.of(args.length > 0 ? args[0] : "../../fallback-service/target/quarkus-app/quarkus-run.jar").toAbsolutePath();
        if (!Files.exists(jar)) {
            throw new IllegalStateException("package fallback-service first: " + jar);
        }
        long delayMs = Long.getLong("bench.vlm-delay-ms", 200);
        double scale = Double.parseDouble(System.getProperty("bench.requests", "1.0"));

        String bootstrap = TestBroker.bootstrapServers();
        StandInVlmServer vlm = StandInVlmServer.start("bench-vlm")
                .respond(r -> StandInVlmServer.Reply.delayed("A person in a red jacket stands at the door.", delayMs));
        int port = freePort();
        Path log = Path.of("target", "fallback-service.log").toAbsolutePath();
        Files.createDirectories(log.getParent());
        ProcessBuilder builder = new ProcessBuilder(javaBin(), "-Xmx512m", "-jar", jar.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        Map<String, String> env = builder.environment();
        env.put("KAFKA_BOOTSTRAP_SERVERS", bootstrap);
        env.put("QUARKUS_HTTP_PORT", Integer.toString(port));
        env.put("SIGHTLINE_VLM_SERVICE_URL", vlm.baseUrl() + "/v1");
        env.put("SIGHTLINE_INTERNAL_TOKEN", TOKEN);
        env.put("SIGHTLINE_FALLBACK_VLM_TIMEOUT", "30s");
        env.put("QUARKUS_LOG_CATEGORY__IO_SIGHTLINE__LEVEL", "WARN");
        Process service = builder.start();
        System.out.printf("fallback-service pid %d on port %d (log %s), stand-in VLM delay %d ms%n", service.pid(), port, log, delayMs);
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        String base = "http://127.0.0.1:" + port;
        try {
            long t0 = System.nanoTime();
            awaitTrue(() -> get(http, base + "/q/health/ready") == 200, Duration.ofMinutes(3), "service readiness");
            System.out.printf("ready after %.1f s%n", (System.nanoTime() - t0) / 1e9);

            CapturedFrame frame = TestKafka.sendFrame(CAMERA, TestImages.encodeJpeg(scene(1280, 720), 0.85f), 1280, 720);
            DetectionsProduced detections = new DetectionsProduced(1, frame.frameId().toString(), CAMERA, frame.capturedAt(), 1280, 720,
                    "yolox-nano", List.of(
                    new DetectionsProduced.Detection("person", 0.9, new DetectionsProduced.Box(100, 100, 200, 400)),
                    new DetectionsProduced.Detection("person", 0.8, new DetectionsProduced.Box(500, 100, 200, 400)),
                    new DetectionsProduced.Detection("dog", 0.7, new DetectionsProduced.Box(800, 400, 150, 100))), List.of());
            TestKafka.send("detections", CAMERA, JSON.writeValueAsBytes(detections), new RecordHeaders());
            awaitTrue(() -> get(http, base + "/api/v1/cameras/" + CAMERA + "/frame.jpg") == 200, Duration.ofSeconds(60), "cached frame");
            awaitTrue(() -> "template".equals(query(http, base, 0.9).path("response_mode").asText()), Duration.ofSeconds(60), "detections");

            // warm-up: JIT, connection pools, ONNX session
            run(http, base, "vlm_image", 0.1, 4, 40);
            run(http, base, "template", 0.9, 4, 200);

            List<Run> runs = new ArrayList<>();
            for (int c : new int[] {1, 10, 50}) {
                int vlmRequests = (int) Math.max(c * 4, Math.round(scale * (c == 1 ? 50 : c == 10 ? 300 : 750)));
                int templateRequests = (int) Math.max(c * 4, Math.round(scale * (c == 1 ? 300 : c == 10 ? 1000 : 2000)));
                runs.add(run(http, base, "vlm_image", 0.1, c, vlmRequests));
                runs.add(run(http, base, "template", 0.9, c, templateRequests));
            }
            String table = report(runs, delayMs, vlm.maxConcurrentRequests());
            System.out.println(table);
            Files.writeString(Path.of("target", "results.md"), table);
        } finally {
            service.destroy();
            if (!service.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)) {
                service.destroyForcibly();
            }
            vlm.close();
        }
        System.exit(0);
    }

    private static Run run(HttpClient http, String base, String path, double confidence, int concurrency, int requests) throws Exception {
        long[] latency = new long[requests];
        long[] server = new long[requests];
        AtomicInteger next = new AtomicInteger();
        AtomicInteger failures = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(concurrency);
        long start = System.nanoTime();
        List<Future<?>> workers = new ArrayList<>();
        for (int w = 0; w < concurrency; w++) {
            workers.add(pool.submit(() -> {
                int i;
                while ((i = next.getAndIncrement()) < requests) {
                    long t = System.nanoTime();
                    JsonNode answer = query(http, base, confidence);
                    latency[i] = (System.nanoTime() - t) / 1_000_000;
                    server[i] = answer.path("processing_time_ms").asLong(-1);
                    if (!path.equals(answer.path("response_mode").asText())) {
                        failures.incrementAndGet();
                    }
                }
                return null;
            }));
        }
        for (Future<?> f : workers) {
            f.get();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        pool.shutdown();
        Arrays.sort(latency);
        Arrays.sort(server);
        return new Run(path, concurrency, requests, latency, server, failures.get(), seconds);
    }

    private static JsonNode query(HttpClient http, String base, double confidence) {
        try {
            // the VLM path asks something only the image answers; the template path a count the detections answer
            String text = confidence < 0.4 ? "What is the person wearing?" : "How many people are there?";
            String body = JSON.writeValueAsString(Map.of("camera", CAMERA, "query", text, "confidence", confidence));
            HttpRequest request = HttpRequest.newBuilder(URI.create(base + "/api/v1/query"))
                    .header("Content-Type", "application/json").header("Authorization", "Bearer " + TOKEN)
                    .timeout(Duration.ofSeconds(60)).POST(HttpRequest.BodyPublishers.ofString(body)).build();
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            return JSON.readTree(response.body());
        } catch (IOException e) {
            return JSON.createObjectNode().put("response_mode", "client-error: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String report(List<Run> runs, long delayMs, int vlmMaxConcurrent) throws Exception {
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "| path | concurrent | requests | failures | throughput (req/s) | latency p50 / p99 (ms) "
                + "| overhead p50 / p99 (ms) | server processing_time p50 / p99 (ms) |%n"));
        out.append("|---|---|---|---|---|---|---|---|\n");
        for (Run r : runs) {
            long sub = r.path().equals("vlm_image") ? delayMs : 0;
            out.append(String.format(Locale.ROOT, "| %s | %d | %d | %d | %.1f | %d / %d | %d / %d | %d / %d |%n",
                    r.path(), r.concurrency(), r.requests(), r.failures(), r.requests() / r.seconds(),
                    pct(r.latencyMs(), 0.5), pct(r.latencyMs(), 0.99),
                    pct(r.latencyMs(), 0.5) - sub, pct(r.latencyMs(), 0.99) - sub,
                    pct(r.serverMs(), 0.5), pct(r.serverMs(), 0.99)));
        }
        out.append(String.format(Locale.ROOT, "%nstand-in VLM fixed delay %d ms; most VLM requests in flight at once: %d; "
                + "cores: %d; load average at end: %s%n", delayMs, vlmMaxConcurrent, Runtime.getRuntime().availableProcessors(),
                Files.readString(Path.of("/proc/loadavg")).trim()));
        return out.toString();
    }

    private static long pct(long[] sorted, double p) {
        int rank = (int) Math.ceil(p * sorted.length);
        return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
    }

    /** A 1280x720 frame with some structure, so JPEG sizes are realistic (~100 KB), not a flat colour. */
    private static BufferedImage scene(int w, int h) {
        BufferedImage image = TestImages.scene(w, h, Color.DARK_GRAY, w / 3, h / 3);
        Graphics2D g = image.createGraphics();
        java.util.Random random = new java.util.Random(42);
        for (int i = 0; i < 400; i++) {
            g.setColor(new Color(random.nextInt(0xFFFFFF)));
            g.fillOval(random.nextInt(w), random.nextInt(h), 5 + random.nextInt(60), 5 + random.nextInt(60));
        }
        g.drawImage(TestImages.read("astronaut.png"), 40, 40, 400, 400, null);
        g.dispose();
        return image;
    }

    private static int get(HttpClient http, String url) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + TOKEN).timeout(Duration.ofSeconds(5)).GET().build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private static void awaitTrue(java.util.function.BooleanSupplier condition, Duration timeout, String what) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("timed out waiting for " + what);
            }
            Thread.sleep(200); // polling a separate process from a plain main(), not a test
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static String javaBin() {
        return System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
    }
}
