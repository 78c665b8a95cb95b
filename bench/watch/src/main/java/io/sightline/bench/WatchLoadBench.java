package io.sightline.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sightline.testsupport.StandInVlmServer;
import io.sightline.testsupport.TestBroker;
import io.sightline.testsupport.TestImages;
import io.sightline.testsupport.TestKafka;

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
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * 200 concurrent watch jobs on the packaged watch-service (separate JVM, -Xmx512m) against the in-JVM broker and a
 * stand-in VLM that answers "not met, look again in N s" after a fixed delay. Measures, over a fixed window:
 * iterations/s (sum of the jobs' iteration counters), VLM calls/s (as the stand-in received them), heap used after
 * a GC-free sample and process RSS; the baseline is the same process idle with no jobs, measured first.
 *
 * <p>Args: [path to quarkus-run.jar] (default ../../watch-service/target/quarkus-app/quarkus-run.jar).
 * System properties: bench.jobs (200), bench.cameras (20), bench.vlm-delay-ms (200), bench.next-run-in (5),
 * bench.window-s (60), bench.vlm-slots (64).
 */
public final class WatchLoadBench {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOKEN = "bench-token";

    record Sample(double heapMb, double rssMb, double cpuSeconds) {
    }

    public static void main(String[] args) throws Exception {
        Path jar = Path.of(args.length > 0 ? args[0] : "../../watch-service/target/quarkus-app/quarkus-run.jar").toAbsolutePath();
        if (!Files.exists(jar)) {
            throw new IllegalStateException("package watch-service first: " + jar);
        }
        int jobs = Integer.getInteger("bench.jobs", 200);
        int cameras = Integer.getInteger("bench.cameras", 20);
        long delayMs = Long.getLong("bench.vlm-delay-ms", 200);
        int nextRunIn = Integer.getInteger("bench.next-run-in", 5);
        int windowS = Integer.getInteger("bench.window-s", 60);
        int slots = Integer.getInteger("bench.vlm-slots", 64);

        String bootstrap = TestBroker.bootstrapServers();
        AtomicInteger vlmCalls = new AtomicInteger();
        String verdict = "{\"condition_met\": false, \"next_run_in\": " + nextRunIn
                + ", \"reasoning\": \"The porch is empty.\", \"notification_message\": \"\"}";
        StandInVlmServer vlm = StandInVlmServer.start("bench-vlm").respond(r -> {
            vlmCalls.incrementAndGet();
            return StandInVlmServer.Reply.delayed(verdict, delayMs);
        });
        int port = freePort();
        Path log = Path.of("target", "watch-service.log").toAbsolutePath();
        Path state = Files.createTempDirectory("bench-watch-state");
        Files.createDirectories(log.getParent());
        ProcessBuilder builder = new ProcessBuilder(javaBin(), "-Xmx512m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-Djava.awt.headless=true", "-jar", jar.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        Map<String, String> env = builder.environment();
        env.put("KAFKA_BOOTSTRAP_SERVERS", bootstrap);
        env.put("QUARKUS_HTTP_PORT", Integer.toString(port));
        env.put("SIGHTLINE_STATE_DIR", state.toString());
        env.put("SIGHTLINE_VLM_SERVICE_URL", vlm.baseUrl() + "/v1");
        env.put("SIGHTLINE_INTERNAL_TOKEN", TOKEN);
        env.put("SIGHTLINE_WATCH_VLM_MAX_CONCURRENT", Integer.toString(slots));
        env.put("SIGHTLINE_WATCH_MAX_JOBS", Integer.toString(Math.max(200, jobs)));
        env.put("SIGHTLINE_WATCH_MAX_JOBS_PER_CAMERA", Integer.toString(Math.max(20, jobs / cameras + 1)));
        // measure the loop, not the budget (the default global budget, 30000/h, would cap this load at 8.3 calls/s)
        env.put("SIGHTLINE_WATCH_BUDGET_GLOBAL_CALLS_PER_HOUR", "0");
        env.put("QUARKUS_LOG_CATEGORY__IO_SIGHTLINE__LEVEL", "WARN");
        Process service = builder.start();
        System.out.printf("watch-service pid %d on port %d (log %s), %d jobs on %d cameras, stand-in VLM delay %d ms, next_run_in %d s%n",
                service.pid(), port, log, jobs, cameras, delayMs, nextRunIn);
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        String base = "http://127.0.0.1:" + port;
        try {
            long t0 = System.nanoTime();
            awaitTrue(() -> get(http, base + "/q/health/ready").statusCode() == 200, Duration.ofMinutes(3), "service readiness");
            System.out.printf("ready after %.1f s%n", (System.nanoTime() - t0) / 1e9);

            byte[] jpeg = TestImages.encodeJpeg(scene(1280, 720), 0.85f);
            List<String> names = new ArrayList<>();
            for (int c = 0; c < cameras; c++) {
                names.add("bench-cam-" + c);
                TestKafka.sendFrame(names.get(c), jpeg, 1280, 720);
            }
            // cameras keep sending (one frame per camera every 5 s): frames expire after latest-state's frame-ttl
            java.util.concurrent.ScheduledExecutorService pusher = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "bench-camera-pusher");
                t.setDaemon(true);
                return t;
            });
            pusher.scheduleWithFixedDelay(() -> names.forEach(n -> TestKafka.sendFrame(n, jpeg, 1280, 720)), 5, 5,
                    java.util.concurrent.TimeUnit.SECONDS);
            // the service knows a camera once its frame is cached: creating a job answers 404 before
            awaitTrue(() -> create(http, base, names.get(cameras - 1), "probe").statusCode() == 201, Duration.ofSeconds(60), "frames cached");
            cancelAll(http, base);

            // baseline: idle (no running job), after a settle
            Thread.sleep(5_000); // a bench, not a test: a fixed settle time is the measurement
            Sample idle = sample(http, base, service.pid());
            int callsBefore = vlmCalls.get();

            long createStart = System.nanoTime();
            for (int j = 0; j < jobs; j++) {
                HttpResponse<String> r = create(http, base, names.get(j % cameras), "bench job " + j);
                if (r.statusCode() != 201) {
                    throw new IllegalStateException("create job " + j + ": " + r.statusCode() + " " + r.body());
                }
            }
            double createS = (System.nanoTime() - createStart) / 1e9;
            // warm-up: every job has looked at least once
            awaitTrue(() -> iterations(http, base) >= jobs, Duration.ofMinutes(3), "every job's first look");

            long itersStart = iterations(http, base);
            int callsStart = vlmCalls.get();
            Sample loadStart = sample(http, base, service.pid());
            long windowStart = System.nanoTime();
            Thread.sleep(windowS * 1000L);
            double seconds = (System.nanoTime() - windowStart) / 1e9;
            long itersEnd = iterations(http, base);
            int callsEnd = vlmCalls.get();
            Sample load = sample(http, base, service.pid());
            JsonNode all = JSON.readTree(get(http, base + "/api/v1/watch?status=running").body());
            StringBuilder outcomes = new StringBuilder();
            Matcher om = Pattern.compile("(?m)^sightline_watch_iterations_total\\{[^}]*outcome=\"([a-z_]+)\"[^}]*} ([0-9.eE+]+)")
                    .matcher(get(http, base + "/q/metrics").body());
            while (om.find()) {
                outcomes.append(outcomes.length() == 0 ? "" : ", ").append(om.group(1)).append(' ').append((long) Double.parseDouble(om.group(2)));
            }
            String table = report(jobs, cameras, delayMs, nextRunIn, slots, createS, idle, loadStart, load,
                    (itersEnd - itersStart) / seconds, (callsEnd - callsStart) / seconds, all.size(), callsBefore, vlm.maxConcurrentRequests(), seconds);
            Map<String, Integer> lastOutcomes = new java.util.TreeMap<>();
            for (JsonNode job : all) {
                lastOutcomes.merge(job.path("last_outcome").asText().replaceAll("[0-9a-f-]{36}", "<id>"), 1, Integer::sum);
            }
            table += "iterations by outcome since start (all phases): " + outcomes + "\n";
            table += "last_outcome of the jobs at the end: " + lastOutcomes + "\n";
            System.out.println(table);
            Files.writeString(Path.of("target", "results.md"), table);
            pusher.shutdownNow();
            cancelAll(http, base);
        } finally {
            service.destroy();
            if (!service.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)) {
                service.destroyForcibly();
            }
            vlm.close();
        }
        System.exit(0);
    }

    private static String report(int jobs, int cameras, long delayMs, int nextRunIn, int slots, double createS, Sample idle,
                                 Sample loadStart, Sample load, double itersPerS, double callsPerS, int running, int probeCalls,
                                 int maxInFlight, double seconds) throws IOException {
        double cpu = (load.cpuSeconds() - loadStart.cpuSeconds()) / seconds;
        double ideal = jobs / (nextRunIn + delayMs / 1000.0);
        StringBuilder out = new StringBuilder();
        out.append("| | jobs running | iterations/s | VLM calls/s | heap used (MB) | RSS (MB) | CPU (cores) |\n");
        out.append("|---|---|---|---|---|---|---|\n");
        out.append(String.format(Locale.ROOT, "| baseline: idle, no jobs | 0 | 0 | 0 | %.0f | %.0f | - |%n", idle.heapMb(), idle.rssMb()));
        out.append(String.format(Locale.ROOT, "| %d jobs, %d cameras | %d | %.1f | %.1f | %.0f | %.0f | %.2f |%n", jobs, cameras, running,
                itersPerS, callsPerS, load.heapMb(), load.rssMb(), cpu));
        out.append(String.format(Locale.ROOT, "%nwindow %.0f s; stand-in VLM fixed delay %d ms, verdict \"not met, next_run_in %d\" "
                        + "(ideal pace: %.1f iterations/s); %d VLM slots; most VLM requests in flight at once: %d; %d jobs created in %.1f s; "
                        + "cores: %d; load average at end: %s%n",
                seconds, delayMs, nextRunIn, ideal, slots, maxInFlight, jobs, createS, Runtime.getRuntime().availableProcessors(),
                Files.readString(Path.of("/proc/loadavg")).trim()));
        return out.toString();
    }

    private static Sample sample(HttpClient http, String base, long pid) throws IOException {
        String metrics = get(http, base + "/q/metrics").body();
        double heap = 0;
        Matcher m = Pattern.compile("(?m)^jvm_memory_used_bytes\\{[^}]*area=\"heap\"[^}]*} ([0-9.eE+]+)").matcher(metrics);
        while (m.find()) {
            heap += Double.parseDouble(m.group(1));
        }
        double rss = 0;
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                rss = Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
            }
        }
        String[] stat = Files.readString(Path.of("/proc/" + pid + "/stat")).split("\\) ")[1].split(" ");
        double cpu = (Long.parseLong(stat[11]) + Long.parseLong(stat[12])) / 100.0; // utime + stime, clock ticks (100/s)
        return new Sample(heap / 1e6, rss, cpu);
    }

    private static long iterations(HttpClient http, String base) {
        try {
            JsonNode all = JSON.readTree(get(http, base + "/api/v1/watch?status=running").body());
            StringBuilder outcomes = new StringBuilder();
            Matcher om = Pattern.compile("(?m)^sightline_watch_iterations_total\\{[^}]*outcome=\"([a-z_]+)\"[^}]*} ([0-9.eE+]+)")
                    .matcher(get(http, base + "/q/metrics").body());
            while (om.find()) {
                outcomes.append(outcomes.length() == 0 ? "" : ", ").append(om.group(1)).append(' ').append((long) Double.parseDouble(om.group(2)));
            }
            long sum = 0;
            for (JsonNode job : all) {
                sum += job.path("iterations").asLong();
            }
            return sum;
        } catch (IOException e) {
            return -1;
        }
    }

    private static HttpResponse<String> create(HttpClient http, String base, String camera, String condition) {
        try {
            String body = JSON.writeValueAsString(Map.of("camera", camera, "condition", condition, "max_duration_minutes", 120));
            return http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/watch")).header("Content-Type", "application/json")
                    .header("Authorization", "Bearer " + TOKEN).timeout(Duration.ofSeconds(30))
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void cancelAll(HttpClient http, String base) throws IOException {
        for (JsonNode job : JSON.readTree(get(http, base + "/api/v1/watch?status=running").body())) {
            try {
                http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/watch/" + job.path("id").asText()))
                        .header("Authorization", "Bearer " + TOKEN).DELETE().build(), HttpResponse.BodyHandlers.discarding());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
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
        g.dispose();
        return image;
    }

    private static HttpResponse<String> get(HttpClient http, String url) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + TOKEN)
                    .timeout(Duration.ofSeconds(30)).GET().build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void awaitTrue(java.util.function.BooleanSupplier condition, Duration timeout, String what) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try {
                if (condition.getAsBoolean()) {
                    return;
                }
            } catch (RuntimeException e) {
                // not up yet
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("timed out waiting for " + what);
            }
            Thread.sleep(200);
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
