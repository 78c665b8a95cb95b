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
import org.apache.kafka.clients.producer.RecordMetadata;

import java.awt.Color;
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
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Future;

/**
 * frames -> captions throughput of caption-service with the {@code none} tier against a real broker.
 * The service runs as it does in production (packaged jar, own JVM); this driver owns the broker, the
 * producer and a captions reader. Every produced frame must be accounted for: captioned, or counted in
 * {@code sightline_frames_skipped_total} because a newer frame of its camera superseded it.
 *
 * <p>Args: {@code frames cameras rounds} (default 5000 50 3). Needs the packaged service: by default
 * {@code target/caption-service-app/quarkus-run.jar}, a private copy of caption-service's
 * {@code target/quarkus-app} (see RESULTS.md), so a concurrent build of the module cannot pull jars away.
 */
public final class PipelineThroughputBench {

    private static final ObjectMapper JSON = new ObjectMapper();

    record Round(int frames, int cameras, long millis, int captions, long skipped, long lagP50, long lagP95, long lagMax) {
    }

    public static void main(String[] args) {
        try {
            bench(args);
            System.exit(0);
        } catch (Throwable e) {
            e.printStackTrace();
            System.exit(1);
        }
    }

    private static void bench(String[] args) throws Exception {
        int frames = args.length > 0 ? Integer.parseInt(args[0]) : 5000;
        int cameras = args.length > 1 ? Integer.parseInt(args[1]) : 50;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        System.setProperty("sightline.test.in-jvm-kafka", "true");
        Path jar = Path.of(System.getProperty("caption.jar", "target/caption-service-app/quarkus-run.jar"));
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " missing: package caption-service and copy its target/quarkus-app to target/caption-service-app first (RESULTS.md)");
        }
        String bootstrap = TestBroker.bootstrapServers();
        int port = freePort();
        Path log = Path.of("target", "caption-service.log").toAbsolutePath();
        Process service = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m",
                "-Dkafka.bootstrap.servers=" + bootstrap,
                "-Dquarkus.http.port=" + port,
                "-Dsightline.caption.backend=none",
                "-Dsightline.internal.token=" + BENCH_TOKEN,
                "-Dsightline.caption.models-download=false",
                "-Dquarkus.log.category.\"io.sightline\".level=WARN",
                "-jar", jar.toAbsolutePath().toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            awaitReady(port);
            byte[] jpeg = TestImages.encodeJpeg(TestImages.scene(640, 360, Color.DARK_GRAY, 100, 80), 0.8f);
            System.out.printf("frame: 640x360 JPEG, %d bytes; %d cores; caption-service pid %d%n", jpeg.length,
                    Runtime.getRuntime().availableProcessors(), service.pid());
            run(port, jpeg, 500, 50, "warm-up");
            List<Round> measured = new ArrayList<>();
            for (int r = 1; r <= rounds; r++) {
                measured.add(run(port, jpeg, frames, cameras, "round " + r));
            }
            for (int r = 1; r <= rounds; r++) {
                measured.add(run(port, jpeg, Math.max(1, frames / 5), frames / 5, "unique cameras " + r));
            }
        } finally {
            service.destroy();
            service.waitFor();
            TestKafka.producer().close(Duration.ofSeconds(5));
        }
    }

    private static Round run(int port, byte[] jpeg, int frames, int cameras, String label) throws Exception {
        long skippedBefore = skipped(port);
        String run = UUID.randomUUID().toString().substring(0, 8);
        KafkaProducer<String, byte[]> producer = TestKafka.producer();
        Map<String, String> lastFrameOfCamera = new HashMap<>();
        Set<String> sent = new HashSet<>();
        try (TopicReader captions = TopicReader.fromNow(Topics.CAPTIONS)) {
            long t0 = System.nanoTime();
            List<Future<RecordMetadata>> acks = new ArrayList<>(frames);
            for (int i = 0; i < frames; i++) {
                String camera = "bench-" + run + "-" + (i % cameras);
                CapturedFrame frame = new CapturedFrame(UUID.randomUUID(), camera, FrameSource.CAMERA, System.currentTimeMillis(),
                        640, 360, CapturedFrame.JPEG, i, 1.0, jpeg);
                acks.add(producer.send(new ProducerRecord<>(Topics.FRAMES, null, camera, jpeg, FrameRecordCodec.toHeaders(frame))));
                lastFrameOfCamera.put(camera, frame.frameId().toString());
                sent.add(frame.frameId().toString());
            }
            for (Future<RecordMetadata> ack : acks) {
                ack.get();
            }
            long producedMs = (System.nanoTime() - t0) / 1_000_000;
            Set<String> lastFrames = new HashSet<>(lastFrameOfCamera.values());
            List<JsonNode> got = new ArrayList<>();
            Set<String> seenLast = new HashSet<>();
            long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
            long lastCaptionAt = t0;
            while (true) {
                List<JsonNode> now = captions.drain(Duration.ofMillis(50)).stream().map(PipelineThroughputBench::json)
                        .filter(c -> sent.contains(c.path("frame_id").asText())).toList();
                if (now.size() > got.size()) {
                    lastCaptionAt = System.nanoTime();
                    got = now;
                    got.forEach(c -> {
                        if (lastFrames.contains(c.path("frame_id").asText())) {
                            seenLast.add(c.path("frame_id").asText());
                        }
                    });
                }
                long skipped = skipped(port) - skippedBefore;
                if (seenLast.size() == lastFrames.size() && got.size() + skipped >= frames) {
                    break;
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(label + ": only " + got.size() + " captions + " + skipped + " skipped of " + frames);
                }
            }
            long millis = (lastCaptionAt - t0) / 1_000_000;
            long skipped = skipped(port) - skippedBefore;
            long[] lags = got.stream().mapToLong(c -> c.path("captioned_at").asLong() - c.path("captured_at").asLong()).sorted().toArray();
            Round round = new Round(frames, cameras, millis, got.size(), skipped, pct(lags, 0.5), pct(lags, 0.95),
                    lags.length == 0 ? 0 : lags[lags.length - 1]);
            System.out.printf("%-18s frames %5d cameras %4d | produced in %5d ms | all accounted in %5d ms = %7.0f frames/s | "
                            + "captions %5d (%7.0f/s) skipped %5d | lag p50 %4d ms p95 %4d ms max %4d ms%n",
                    label, frames, cameras, producedMs, millis, frames * 1000.0 / Math.max(1, millis), got.size(),
                    got.size() * 1000.0 / Math.max(1, millis), skipped, round.lagP50(), round.lagP95(), round.lagMax());
            if (got.size() + skipped != frames) {
                throw new IllegalStateException(label + ": " + got.size() + " captions + " + skipped + " skipped != " + frames);
            }
            return round;
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
        throw new IllegalStateException("caption-service did not become ready; see target/caption-service.log");
    }

    /** caption-service requires the internal token on every route but /q/health (common's InternalTokenFilter). */
    private static final String BENCH_TOKEN = "bench-internal-token-0123456789";

    private static String get(int port, String path) throws Exception {
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                        .header("Authorization", "Bearer " + BENCH_TOKEN).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

}
