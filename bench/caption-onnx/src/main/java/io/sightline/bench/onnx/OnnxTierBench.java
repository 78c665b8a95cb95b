package io.sightline.bench.onnx;

import io.sightline.caption.backend.onnx.OnnxOptions;
import io.sightline.caption.backend.onnx.OnnxSceneAnalyzer;
import io.sightline.caption.backend.onnx.SceneAnalysis;
import io.sightline.caption.backend.onnx.SceneCaptionWriter;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiFunction;

/**
 * Timed driver for the onnx tier. Part 1: one caller, one 1-thread session (one core): ms per frame
 * per image, detect-only and detect+OCR, after warm-up; wall time and the caller's CPU time (ONNX
 * Runtime with one intra-op thread computes on the caller's thread), so frames/s per core = 1000 / CPU ms
 * holds even on a busy machine. Part 2: throughput with every core busy,
 * comparing N 1-thread sessions against one N-thread session.
 *
 * <p>Usage: {@code java -jar target/caption-onnx-bench.jar [modelsDir] [imagesDir] [iterations] [seconds]}
 */
public final class OnnxTierBench {

    /** With one intra-op thread ONNX Runtime computes on the calling thread, so its CPU time is the frame's cost. */
    private static final java.lang.management.ThreadMXBean THREADS = java.lang.management.ManagementFactory.getThreadMXBean();
    private static final List<String> IMAGES = List.of("astronaut.png", "coffee.png", "chelsea.png", "text.png", "page.png");

    public static void main(String[] args) throws Exception {
        Path models = Path.of(args.length > 0 ? args[0] : "../../../shared/models");
        Path images = Path.of(args.length > 1 ? args[1] : "../../../shared/testdata/images");
        int iterations = args.length > 2 ? Integer.parseInt(args[2]) : 20;
        int seconds = args.length > 3 ? Integer.parseInt(args[3]) : 15;
        int cores = Runtime.getRuntime().availableProcessors();

        Map<String, BufferedImage> frames = new LinkedHashMap<>();
        for (String name : IMAGES) {
            frames.put(name, ImageIO.read(images.resolve(name).toFile()));
        }
        frames.put("screen-1080p (synthetic)", screen(frames.get("astronaut.png")));
        System.out.printf("# onnx tier bench: %d cores, %s, load average at start: %s%n", cores,
                System.getProperty("java.vm.name") + " " + System.getProperty("java.version"), loadAverage());

        System.out.println();
        System.out.println("## One caller, one session with 1 intra-op thread (one core)");
        System.out.printf("warm-up 5, then %d timed calls per row; ms per frame%n%n", iterations);
        System.out.println("| image | size | mode | mean ms | p50 ms | p90 ms | CPU ms | frames/s per core | detect ms | ocr ms | caption |");
        System.out.println("|---|---|---|---:|---:|---:|---:|---:|---:|---:|---|");
        try (OnnxSceneAnalyzer analyzer = OnnxSceneAnalyzer.load(models, new OnnxOptions(1, 1, 0.45f, 0.45f, true, 20))) {
            for (var e : frames.entrySet()) {
                row(analyzer, e.getKey(), e.getValue(), "detect", iterations, OnnxSceneAnalyzer::detect);
                row(analyzer, e.getKey(), e.getValue(), "detect+OCR", iterations, OnnxSceneAnalyzer::analyze);
            }
        }

        System.out.println();
        System.out.printf("## Throughput with %d callers, %d s per row, images in rotation%n%n", cores, seconds);
        System.out.println("| mode | sessions x intra-op threads | frames | frames/s | frames/s per core | mean ms per frame |");
        System.out.println("|---|---|---:|---:|---:|---:|");
        for (boolean ocr : new boolean[] {false, true}) {
            throughput(models, frames, ocr, cores, 1, seconds);
            throughput(models, frames, ocr, 1, cores, seconds);
        }
        System.out.printf("%nload average at end: %s%n", loadAverage());
    }

    private static void row(OnnxSceneAnalyzer analyzer, String name, BufferedImage image, String mode, int iterations,
                            BiFunction<OnnxSceneAnalyzer, BufferedImage, SceneAnalysis> call) {
        SceneAnalysis last = null;
        for (int i = 0; i < 5; i++) {
            last = call.apply(analyzer, image);
        }
        long[] nanos = new long[iterations];
        long cpu = 0;
        long detect = 0;
        long ocr = 0;
        for (int i = 0; i < iterations; i++) {
            long c0 = THREADS.getCurrentThreadCpuTime();
            long t0 = System.nanoTime();
            last = call.apply(analyzer, image);
            nanos[i] = System.nanoTime() - t0;
            cpu += THREADS.getCurrentThreadCpuTime() - c0;
            detect += last.detectMs();
            ocr += last.ocrMs();
        }
        Arrays.sort(nanos);
        double mean = Arrays.stream(nanos).average().orElse(0) / 1e6;
        double cpuMs = cpu / 1e6 / iterations;
        System.out.printf("| %s | %dx%d | %s | %.1f | %.1f | %.1f | %.1f | %.1f | %d | %d | %s |%n", name, image.getWidth(),
                image.getHeight(), mode, mean, nanos[iterations / 2] / 1e6, nanos[(int) (iterations * 0.9)] / 1e6,
                cpuMs, 1000 / cpuMs, detect / iterations, ocr / iterations,
                (mode.equals("detect") ? SceneCaptionWriter.labels(last) : SceneCaptionWriter.caption(last))
                        .replace("|", "\\|"));
    }

    private static void throughput(Path models, Map<String, BufferedImage> frames, boolean ocr, int sessions,
                                   int threads, int seconds) throws InterruptedException {
        int cores = Runtime.getRuntime().availableProcessors();
        List<BufferedImage> rotation = new ArrayList<>(frames.values());
        try (OnnxSceneAnalyzer analyzer = OnnxSceneAnalyzer.load(models,
                new OnnxOptions(threads, sessions, 0.45f, 0.45f, ocr, 20))) {
            for (BufferedImage image : rotation) {
                analyzer.analyze(image); // warm-up
            }
            AtomicLong done = new AtomicLong();
            long end = System.nanoTime() + seconds * 1_000_000_000L;
            CountDownLatch finished = new CountDownLatch(cores);
            for (int c = 0; c < cores; c++) {
                int offset = c;
                Thread worker = new Thread(() -> {
                    int i = offset;
                    while (System.nanoTime() < end) {
                        analyzer.analyze(rotation.get(i++ % rotation.size()));
                        done.incrementAndGet();
                    }
                    finished.countDown();
                }, "bench-" + c);
                worker.start();
            }
            long started = System.nanoTime();
            finished.await();
            double elapsed = (System.nanoTime() - started) / 1e9;
            double fps = done.get() / elapsed;
            System.out.printf("| %s | %d x %d | %d | %.2f | %.2f | %.1f |%n", ocr ? "detect+OCR" : "detect",
                    sessions, threads, done.get(), fps, fps / cores, 1000.0 * cores / fps);
        }
    }

    /** A 1920x1080 dashboard-like frame: five lines of text (one small) and a photo. */
    private static BufferedImage screen(BufferedImage photo) {
        BufferedImage image = new BufferedImage(1920, 1080, BufferedImage.TYPE_3BYTE_BGR);
        java.awt.Graphics2D g = image.createGraphics();
        g.setRenderingHint(java.awt.RenderingHints.KEY_TEXT_ANTIALIASING, java.awt.RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(java.awt.Color.WHITE);
        g.fillRect(0, 0, 1920, 1080);
        g.setColor(java.awt.Color.BLACK);
        g.setFont(new java.awt.Font(java.awt.Font.SANS_SERIF, java.awt.Font.PLAIN, 28));
        String[] lines = {"Build #2041 passed in 3 min 12 s", "Deploy to staging: waiting for approval",
                "Tests: 412 passed, 0 failed", "Coverage 81.4%"};
        for (int i = 0; i < lines.length; i++) {
            g.drawString(lines[i], 120, 200 + i * 60);
        }
        g.setFont(new java.awt.Font(java.awt.Font.MONOSPACED, java.awt.Font.PLAIN, 16));
        g.drawString("small print: last updated 23:41 by ci-bot", 120, 600);
        g.drawImage(photo, 1300, 300, null);
        g.dispose();
        return image;
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (IOException e) {
            return "n/a";
        }
    }

    private OnnxTierBench() {
    }
}
