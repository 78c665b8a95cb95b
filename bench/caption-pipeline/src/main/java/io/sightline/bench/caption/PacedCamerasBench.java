package io.sightline.bench.caption;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sightline.common.frame.CapturedFrame;
import io.sightline.common.frame.FrameRecordCodec;
import io.sightline.common.kafka.FrameSource;
import io.sightline.common.kafka.Topics;
import io.sightline.testsupport.TestBroker;
import io.sightline.testsupport.TestImages;
import io.sightline.testsupport.TestKafka;
import io.sightline.testsupport.TopicReader;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Cameras at a steady frame rate through caption-service's {@code onnx} tier (YOLOX-Nano + PaddleOCR, OCR
 * on), as issue 13 asks: "8 cameras at 1 frame/s each with OCR on: 8 of 8 captioned, lag p50 < 500 ms; with
 * 16 cameras the newest frame of each is captioned and lag stays bounded".
 *
 * <p>Each camera shows one of the test photos (astronaut, coffee, chelsea, page: people, objects, a cat,
 * printed text) with a small square moving across it, so every frame differs a little, as a real camera's
 * would. Frames are produced on schedule (a frame per camera every {@code 1/fps} s, camera phases spread over
 * the period) with a plain Kafka producer; captions are read back. Lag = {@code captioned_at - captured_at}.
 * Escalation is off: this measures the ONNX eyes, not the VLM.
 *
 * <p>Args: {@code cameras fps seconds [cameras fps seconds ...]} (default {@code 8 1 60 16 1 60}).
 * JVM flags for the service: system property {@code caption.jvm} (space separated; default {@code -Xmx512m}).
 */
public final class PacedCamerasBench {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOKEN = "bench-internal-token-0123456789";
    private static final String[] PHOTOS = {"astronaut.png", "coffee.png", "chelsea.png", "page.png"};

    public static void main(String[] args) {
        try {
            bench(args.length == 0 ? new String[] {"8", "1", "60", "16", "1", "60"} : args);
            System.exit(0);
        } catch (Throwable e) {
            e.printStackTrace();
            System.exit(1);
        }
    }

    private static void bench(String[] args) throws Exception {
        System.setProperty("sightline.test.in-jvm-kafka", "true");
        Path jar = Path.of(System.getProperty("caption.jar", "target/caption-service-app/quarkus-run.jar"));
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " missing: package caption-service and copy its target/quarkus-app to target/caption-service-app first (RESULTS.md)");
        }
        String bootstrap = TestBroker.bootstrapServers();
        int port = freePort();
        Path log = Path.of("target", "caption-service-paced.log").toAbsolutePath();
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.addAll(Arrays.asList(System.getProperty("caption.jvm", "-Xmx512m").trim().split("\\s+")));
        command.addAll(List.of(
                "-Dkafka.bootstrap.servers=" + bootstrap,
                "-Dquarkus.http.port=" + port,
                "-Dsightline.caption.backend=onnx",
                "-Dsightline.caption.models-dir=" + TestImages.modelsDir(),
                "-Dsightline.caption.models-download=false",
                "-Dsightline.caption.escalation.enabled=false",
                "-Dsightline.internal.token=" + TOKEN,
                "-Dquarkus.log.category.\"io.sightline\".level=WARN",
                "-jar", jar.toAbsolutePath().toString()));
        Process service = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            awaitReady(port);
            System.out.printf("caption-service pid %d, flags %s; %d cores; load average %s%n", service.pid(),
                    System.getProperty("caption.jvm", "-Xmx512m"), Runtime.getRuntime().availableProcessors(), loadAverage());
            run(port, 4, 1, 15, "warm-up", service.pid());
            for (int i = 0; i + 2 < args.length; i += 3) {
                int cameras = Integer.parseInt(args[i]);
                double fps = Double.parseDouble(args[i + 1]);
                int seconds = Integer.parseInt(args[i + 2]);
                run(port, cameras, fps, seconds, cameras + " cameras x " + fps + " fps", service.pid());
            }
        } finally {
            service.destroy();
            service.waitFor();
            TestKafka.producer().close(Duration.ofSeconds(5));
        }
    }

    private static void run(int port, int cameras, double fps, int seconds, String label, long pid) throws Exception {
        String run = UUID.randomUUID().toString().substring(0, 8);
        KafkaProducer<String, byte[]> producer = TestKafka.producer();
        BufferedImage[] photos = new BufferedImage[cameras];
        for (int c = 0; c < cameras; c++) {
            photos[c] = fit(TestImages.read(PHOTOS[c % PHOTOS.length]), 640, 480);
        }
        long periodNanos = (long) (1e9 / fps);
        int perCamera = (int) Math.round(seconds * fps);
        Map<String, String> lastFrameOf = new HashMap<>();
        Map<String, String> cameraOfFrame = new HashMap<>();
        long skippedBefore = skipped(port);
        long cpuBefore = cpuTicks(pid);
        try (TopicReader captions = TopicReader.fromNow(Topics.CAPTIONS)) {
            long t0 = System.nanoTime();
            for (int n = 0; n < perCamera; n++) {
                for (int c = 0; c < cameras; c++) {
                    long due = t0 + n * periodNanos + c * periodNanos / cameras;
                    long wait = due - System.nanoTime();
                    if (wait > 0) {
                        Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000)); // pacing a load generator, not a test
                    }
                    String camera = "paced-" + run + "-" + c;
                    byte[] jpeg = TestImages.encodeJpeg(withSquare(photos[c], n), 0.85f);
                    CapturedFrame frame = new CapturedFrame(UUID.randomUUID(), camera, FrameSource.CAMERA, System.currentTimeMillis(),
                            photos[c].getWidth(), photos[c].getHeight(), CapturedFrame.JPEG, n, fps, jpeg);
                    producer.send(new ProducerRecord<>(Topics.FRAMES, null, camera, jpeg, FrameRecordCodec.toHeaders(frame)));
                    lastFrameOf.put(camera, frame.frameId().toString());
                    cameraOfFrame.put(frame.frameId().toString(), camera);
                }
            }
            producer.flush();
            long sentAt = System.nanoTime();
            // the run ends when the newest frame of every camera is captioned (or 60 s after the last send)
            List<JsonNode> got = new ArrayList<>();
            long deadline = sentAt + Duration.ofSeconds(60).toNanos();
            while (System.nanoTime() < deadline) {
                // drain() answers everything read since the reader opened, not only what is new
                got = captions.drain(Duration.ofMillis(200)).stream().map(PacedCamerasBench::json)
                        .filter(j -> cameraOfFrame.containsKey(j.path("frame_id").asText())).toList();
                long newest = got.stream().filter(j -> lastFrameOf.containsValue(j.path("frame_id").asText())).count();
                if (newest == cameras) {
                    break;
                }
            }
            double busySeconds = (cpuTicks(pid) - cpuBefore) / 100.0;
            double wallSeconds = (System.nanoTime() - t0) / 1e9;
            Map<String, Integer> perCam = new HashMap<>();
            got.forEach(j -> perCam.merge(cameraOfFrame.get(j.path("frame_id").asText()), 1, Integer::sum));
            long newestCaptioned = got.stream().filter(j -> lastFrameOf.containsValue(j.path("frame_id").asText())).count();
            long[] lags = got.stream().mapToLong(j -> j.path("captioned_at").asLong() - j.path("captured_at").asLong()).sorted().toArray();
            int[] counts = lastFrameOf.keySet().stream().mapToInt(k -> perCam.getOrDefault(k, 0)).sorted().toArray();
            System.out.printf("%-22s sent %4d | captions %4d (per camera min %d max %d), skipped as stale %4d | cameras captioned %d of %d, "
                            + "newest frame captioned %d of %d | lag p50 %5d ms p95 %5d ms max %5d ms | service CPU %.2f cores%n",
                    label, perCamera * cameras, got.size(), counts.length == 0 ? 0 : counts[0], counts.length == 0 ? 0 : counts[counts.length - 1],
                    skipped(port) - skippedBefore, perCam.size(), cameras, newestCaptioned, cameras,
                    pct(lags, 0.5), pct(lags, 0.95), lags.length == 0 ? 0 : lags[lags.length - 1], busySeconds / wallSeconds);
        }
    }

    private static BufferedImage fit(BufferedImage source, int maxWidth, int maxHeight) {
        double scale = Math.min(1.0, Math.min(maxWidth / (double) source.getWidth(), maxHeight / (double) source.getHeight()));
        int w = (int) Math.round(source.getWidth() * scale);
        int h = (int) Math.round(source.getHeight() * scale);
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR);
        Graphics2D g = out.createGraphics();
        g.drawImage(source, 0, 0, w, h, null);
        g.dispose();
        return out;
    }

    /** The photo with a 24 px square that moves 8 px a frame along the bottom edge. */
    private static BufferedImage withSquare(BufferedImage photo, int n) {
        BufferedImage out = new BufferedImage(photo.getWidth(), photo.getHeight(), BufferedImage.TYPE_3BYTE_BGR);
        Graphics2D g = out.createGraphics();
        g.drawImage(photo, 0, 0, null);
        g.setColor(Color.ORANGE);
        int x = (n * 8) % Math.max(1, photo.getWidth() - 24);
        g.fillRect(x, photo.getHeight() - 32, 24, 24);
        g.dispose();
        return out;
    }

    private static long cpuTicks(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(f[11]) + Long.parseLong(f[12]);
        } catch (IOException e) {
            return 0;
        }
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (IOException e) {
            return "?";
        }
    }

    private static long pct(long[] sorted, double p) {
        if (sorted.length == 0) {
            return 0;
        }
        return sorted[Math.min(sorted.length - 1, Math.max(0, (int) Math.ceil(p * sorted.length) - 1))];
    }

    private static JsonNode json(org.apache.kafka.clients.consumer.ConsumerRecord<String, byte[]> r) {
        try {
            return JSON.readTree(r.value());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static long skipped(int port) throws Exception {
        String metrics = get(port, "/q/metrics");
        return (long) metrics.lines().filter(l -> l.startsWith("sightline_frames_skipped_total{"))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.indexOf('}') + 1).trim().split("\\s+")[0])).sum();
    }

    private static void awaitReady(int port) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        while (System.nanoTime() < deadline) {
            try {
                HttpResponse<String> r = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build().send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + port + "/q/health/ready")).build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(250); // load driver polling a starting process; not a test
        }
        throw new IllegalStateException("caption-service not ready on port " + port);
    }

    private static String get(int port, String path) throws Exception {
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                        .header("Authorization", "Bearer " + TOKEN).build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
