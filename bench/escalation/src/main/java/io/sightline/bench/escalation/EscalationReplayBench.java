package io.sightline.bench.escalation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sightline.common.frame.CapturedFrame;
import io.sightline.common.frame.FrameRecordCodec;
import io.sightline.common.kafka.FrameSource;
import io.sightline.common.kafka.Topics;
import io.sightline.testsupport.StandInVlmServer;
import io.sightline.testsupport.TestBroker;
import io.sightline.testsupport.TestImages;
import io.sightline.testsupport.TestKafka;
import io.sightline.testsupport.TopicReader;
import org.apache.kafka.clients.consumer.ConsumerRecord;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.Method;
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
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Replays {@link Recording} through the real caption-service (packaged, own JVM, real ONNX models, real broker)
 * twice at once: camera {@code rec-esc} with the escalation pipeline (the defaults: 10 min keep-alive, budgets
 * 6/min and 120/h per camera) and camera {@code rec-all} with it off (every gated frame described). The
 * describing tier is caption-server against a stand-in vlm-service that counts its calls. Frames pass
 * capture-service's own change gate (its {@code ChangeGate} class, loaded from capture-service/target/classes,
 * default settings: 2 % of cells, 24 grey levels, 30 s keep-alive) in recording time, then go to Kafka with
 * their recording time as capture time; the next frame is sent once both captions of the previous one are in
 * (as fast as the stack goes, no frame skipped). Args: {@code [recall window s = 10]}.
 */
public final class EscalationReplayBench {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOKEN = "bench-escalation-token";
    private static final String ESC = "rec-esc";
    private static final String ALL = "rec-all";

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
        int window = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        // "counted": the baseline is the gated frame count instead of a second camera described frame by frame
        // (half the work; the measured baseline equals the gated count, see README.md)
        boolean measureBaseline = !(args.length > 1 && args[1].equals("counted"));
        System.setProperty("sightline.test.in-jvm-kafka", "true");
        Path root = Path.of(System.getProperty("sightline.project.root", "../..")).toAbsolutePath().normalize();
        Path jar = Path.of(System.getProperty("caption.jar", "target/caption-service-app/quarkus-run.jar"));
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " missing: see README.md (package caption-service, copy its quarkus-app)");
        }
        Gate gate = new Gate();
        Recording recording = new Recording();
        AtomicInteger vlmCalls = new AtomicInteger();
        StandInVlmServer vlm = StandInVlmServer.start("caption-model");
        vlm.respond(r -> {
            vlmCalls.incrementAndGet();
            return StandInVlmServer.Reply.text("A described scene (" + r.images().size() + " image).");
        });
        String bootstrap = TestBroker.bootstrapServers();
        int port = freePort();
        Path log = Path.of("target", "caption-service.log").toAbsolutePath();
        Process service = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx640m",
                "-Dkafka.bootstrap.servers=" + bootstrap,
                "-Dquarkus.http.port=" + port,
                "-Dsightline.caption.backend=caption-server",
                "-Dsightline.caption.caption-server.base-url=" + vlm.baseUrl() + "/v1",
                "-Dsightline.caption.caption-server.model=caption-model",
                "-Dsightline.caption.models-dir=" + TestImages.modelsDir().toAbsolutePath(),
                "-Dsightline.caption.models-download=false",
                "-Dsightline.caption.escalation.cameras." + ALL + ".enabled=false",
                "-Dsightline.internal.token=" + TOKEN,
                "-Dquarkus.log.category.\"io.sightline\".level=WARN",
                "-jar", jar.toAbsolutePath().toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        long t0 = (System.currentTimeMillis() / 3_600_000L + 1) * 3_600_000L; // recording starts on the next full hour
        List<Sent> sent = new ArrayList<>();
        try (TopicReader captions = TopicReader.fromNow(Topics.CAPTIONS)) {
            awaitReady(port);
            awaitEscalationActive(port);
            System.out.printf("caption-service pid %d on :%d; %d cores; recording %d s at 1 fps%n", service.pid(), port,
                    Runtime.getRuntime().availableProcessors(), Recording.SECONDS);
            long wall0 = System.nanoTime();
            Map<String, Integer> gated = new TreeMap<>();
            for (int t = 0; t < Recording.SECONDS; t++) {
                BufferedImage frame = recording.frame(t);
                Gate.Decision d = gate.decide(frame, t * 1_000_000_000L);
                if (!d.publish()) {
                    continue;
                }
                gated.merge(d.reason(), 1, Integer::sum);
                byte[] jpeg = TestImages.encodeJpeg(frame, 0.85f);
                CapturedFrame esc = frame(ESC, t0 + t * 1000L, jpeg, d.score(), t);
                CapturedFrame all = frame(ALL, t0 + t * 1000L, jpeg, d.score(), t);
                TestKafka.send(Topics.FRAMES, ESC, jpeg, FrameRecordCodec.toHeaders(esc));
                if (measureBaseline) {
                    TestKafka.send(Topics.FRAMES, ALL, jpeg, FrameRecordCodec.toHeaders(all));
                }
                JsonNode a = json(captions.awaitOne(r -> id(r).equals(esc.frameId().toString()), Duration.ofSeconds(120)));
                JsonNode b = measureBaseline ? json(captions.awaitOne(r -> id(r).equals(all.frameId().toString()), Duration.ofSeconds(120)))
                        : JSON.createObjectNode().put("backend", "caption-server").put("counted", true);
                sent.add(new Sent(t, Recording.windy(t), a, b));
                if (sent.size() % 50 == 0) {
                    System.out.printf("  %d gated frames replayed (recording second %d, %d s wall)%n", sent.size(), t,
                            (System.nanoTime() - wall0) / 1_000_000_000L);
                }
            }
            long wallS = (System.nanoTime() - wall0) / 1_000_000_000L;
            report(sent, gated, vlmCalls.get(), window, wallS, metrics(port));
        } finally {
            service.destroy();
            service.waitFor();
            vlm.close();
            TestKafka.producer().close(Duration.ofSeconds(5));
        }
    }

    record Sent(int t, boolean windy, JsonNode esc, JsonNode all) {
        boolean escDescribed() {
            return esc.path("escalated").asBoolean() && "caption-server".equals(esc.path("backend").asText());
        }

        boolean allDescribed() {
            return "caption-server".equals(all.path("backend").asText());
        }
    }

    private static void report(List<Sent> sent, Map<String, Integer> gated, int vlmCalls, int window, long wallS, String metrics) {
        long escCalls = sent.stream().filter(Sent::escDescribed).count();
        long allCalls = sent.stream().filter(Sent::allDescribed).count();
        long escCallsCalm = sent.stream().filter(s -> !s.windy() && s.escDescribed()).count();
        long allCallsCalm = sent.stream().filter(s -> !s.windy() && s.allDescribed()).count();
        System.out.printf("%ngated frames: %d of %d %s; wall time %d s%n", sent.size(), Recording.SECONDS, gated, wallS);
        System.out.printf("stand-in vlm-service calls: %d (escalation %d + every gated frame %d)%n", vlmCalls, escCalls, allCalls);
        System.out.printf("%n| | describing every gated frame | escalation | ratio |%n|---|---|---|---|%n");
        System.out.printf("| VLM calls per camera-hour | %d | %d | %.1fx fewer |%n", allCalls, escCalls, allCalls / (double) Math.max(1, escCalls));
        System.out.printf("| of which outside the windy spells | %d | %d | %.1fx fewer |%n", allCallsCalm, escCallsCalm,
                allCallsCalm / (double) Math.max(1, escCallsCalm));
        Map<String, Integer> reasons = new TreeMap<>();
        sent.forEach(s -> reasons.merge((s.escDescribed() ? "escalated " : "suppressed ") + s.esc().path("escalation_reason").asText(), 1, Integer::sum));
        System.out.printf("%nrec-esc decisions: %s%n", reasons);
        System.out.printf("%n| event | start (s) | first described frame (s) | within %d s |%n|---|---|---|---|%n", window);
        int recalled = 0;
        for (Recording.Event e : Recording.EVENTS) {
            Sent first = sent.stream().filter(s -> s.t() >= e.start() && s.escDescribed()).findFirst().orElse(null);
            boolean ok = first != null && first.t() - e.start() <= window;
            recalled += ok ? 1 : 0;
            System.out.printf("| %s | %d | %s | %s |%n", e.name(), e.start(),
                    first == null ? "none" : first.t() + " (" + first.esc().path("escalation_reason").asText() + " "
                            + first.esc().path("escalation_detail").asText("") + ")", ok ? "yes" : "NO");
        }
        System.out.printf("%nevent recall: %d/%d = %.0f %%%n", recalled, Recording.EVENTS.size(), 100.0 * recalled / Recording.EVENTS.size());
        System.out.println("\nescalated frames of rec-esc:");
        sent.stream().filter(Sent::escDescribed).forEach(s -> System.out.printf("  t=%4d %s %s%n", s.t(),
                s.esc().path("escalation_reason").asText(), s.esc().path("escalation_detail").asText("")));
        System.out.println("\nmetrics:");
        metrics.lines().filter(l -> l.startsWith("sightline_caption_escalations_total") || l.startsWith("sightline_caption_suppressed_total"))
                .forEach(l -> System.out.println("  " + l));
        JsonNode sample = sent.stream().map(Sent::esc).filter(c -> !c.path("escalated").asBoolean()).reduce((a, b) -> b).orElse(null);
        System.out.println("\na suppressed caption: " + sample);
    }

    private static CapturedFrame frame(String camera, long at, byte[] jpeg, double score, int seq) {
        return new CapturedFrame(UUID.randomUUID(), camera, FrameSource.CAMERA, at, Recording.WIDTH, Recording.HEIGHT,
                CapturedFrame.JPEG, seq, score, jpeg);
    }

    private static String id(ConsumerRecord<String, byte[]> r) {
        return json(r).path("frame_id").asText();
    }

    private static JsonNode json(ConsumerRecord<String, byte[]> r) {
        try {
            return JSON.readTree(r.value());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** capture-service's change gate and thumbnail, by reflection (the bench does not depend on the service module). */
    static final class Gate {
        record Decision(boolean publish, double score, String reason) {
        }

        private final Object gate;
        private final Method decide;
        private final Method thumbnail;

        Gate() throws Exception {
            Class<?> gateClass = Class.forName("io.sightline.capture.gate.ChangeGate");
            Class<?> thumbClass = Class.forName("io.sightline.capture.image.Thumbnail");
            Constructor<?> c = gateClass.getConstructor(double.class, long.class, int.class);
            gate = c.newInstance(0.02, Duration.ofSeconds(30).toNanos(), 24);
            decide = gateClass.getMethod("decide", thumbClass, long.class);
            thumbnail = thumbClass.getMethod("of", BufferedImage.class);
        }

        Decision decide(BufferedImage frame, long nanos) throws Exception {
            Object d = decide.invoke(gate, thumbnail.invoke(null, frame), nanos);
            Class<?> dc = d.getClass();
            return new Decision((boolean) dc.getMethod("publish").invoke(d), (double) dc.getMethod("score").invoke(d),
                    dc.getMethod("reason").invoke(d).toString());
        }
    }

    private static void awaitReady(int port) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        HttpClient http = HttpClient.newHttpClient();
        while (System.nanoTime() < deadline) {
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/q/health/ready")).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (IOException ignored) {
                // not listening yet
            }
            Thread.sleep(500);
        }
        throw new IllegalStateException("caption-service not ready in 3 min (target/caption-service.log)");
    }

    private static void awaitEscalationActive(int port) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        String body = "";
        while (System.nanoTime() < deadline) {
            body = get(port, "/api/v1/backends");
            if (JSON.readTree(body).path("escalation").path("active").asBoolean()) {
                return;
            }
            Thread.sleep(500);
        }
        throw new IllegalStateException("escalation pipeline not active: " + body);
    }

    private static String metrics(int port) throws Exception {
        return get(port, "/q/metrics");
    }

    private static String get(int port, String path) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Authorization", "Bearer " + TOKEN).build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
