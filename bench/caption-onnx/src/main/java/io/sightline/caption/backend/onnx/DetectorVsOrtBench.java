package io.sightline.caption.backend.onnx;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import io.sightline.caption.models.RequiredModels;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Issue 13's detector targets in one run, rows interleaved round by round:
 * <ul>
 *   <li>{@code raw ORT}: YOLOX-Nano {@code session.run} in a loop, same model file, same session options as the
 *       service ({@link SessionTuning#FIXED_SHAPE}, 1 intra-op thread), the input tensor (the frame's letterbox)
 *       prepared once: the anchor.</li>
 *   <li>{@code detect (decoded)}: {@link OnnxSceneAnalyzer#detect} on the decoded frame: letterbox, run,
 *       YOLOX decode, NMS, detections.</li>
 *   <li>{@code detect (JPEG)}: the same from the JPEG bytes, decoded as caption-service's {@code FrameImages}
 *       does (ImageIO).</li>
 *   <li>{@code detect+OCR <image>}: {@link OnnxSceneAnalyzer#analyze} (no camera, so text is always read) next to
 *       {@code detect} of the same image; {@code detect+OCR <image>, same camera again}: the second and later
 *       frames of a camera whose content did not change (text reused, OCR skipped).</li>
 * </ul>
 * Each row runs {@code seconds} per round after one warm-up pass; per round the median wall time per call and
 * the caller thread's CPU time per call (with one intra-op thread ORT computes on the caller's thread, so CPU ms
 * is the frame's cost even on a busy box); the table shows the median of the rounds.
 *
 * <p>Usage: {@code DetectorVsOrtBench modelsDir imagesDir frame.jpg rounds seconds warmupSeconds}
 */
public final class DetectorVsOrtBench {

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private static final String SCREEN_1080P = "screen-1080p (synthetic)";
    /** Images that also get a "same camera again" row (text reused): one photo, the text images. */
    private static final List<String> SAME_CAMERA_ROWS = List.of("astronaut.png", "text.png", "page.png");

    private interface Call {
        Object run() throws Exception;
    }

    private record Sample(double wallMs, double cpuMs, int calls) {
    }

    public static void main(String[] args) throws Exception {
        Path models = Path.of(args[0]);
        Path images = Path.of(args[1]);
        Path jpegFile = Path.of(args[2]);
        int rounds = args.length > 3 ? Integer.parseInt(args[3]) : 3;
        double seconds = args.length > 4 ? Double.parseDouble(args[4]) : 3;
        double warmup = args.length > 5 ? Double.parseDouble(args[5]) : 3;

        byte[] jpeg = Files.isRegularFile(jpegFile) ? Files.readAllBytes(jpegFile) : syntheticFrame(images);
        BufferedImage frame = ImageIO.read(new ByteArrayInputStream(jpeg));
        Map<String, BufferedImage> ocrImages = new LinkedHashMap<>();
        for (String name : List.of("astronaut.png", "coffee.png", "chelsea.png", "text.png", "page.png")) {
            ocrImages.put(name, ImageIO.read(images.resolve(name).toFile()));
        }
        ocrImages.put(SCREEN_1080P, screen1080p(ImageIO.read(images.resolve("astronaut.png").toFile())));
        System.out.printf("# detector vs raw ONNX Runtime: %s %dx%d (%d bytes), %d cores, %s %s, load average %s%n",
                Files.isRegularFile(jpegFile) ? jpegFile.getFileName() : "coffee.png at 1280x720 q85", frame.getWidth(), frame.getHeight(), jpeg.length,
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.vm.name"),
                System.getProperty("java.version"), loadAverage());
        System.out.printf("# %d rounds x %.1f s per row after %.1f s warm-up per row; JVM flags %s%n", rounds, seconds,
                warmup, ManagementFactory.getRuntimeMXBean().getInputArguments());

        OrtEnvironment env = OrtEnvironment.getEnvironment();
        Path yolox = RequiredModels.YOLOX_NANO.resolveIn(models);
        try (OrtSession.SessionOptions so = SessionTuning.FIXED_SHAPE.options(1);
             OrtSession raw = env.createSession(yolox.toString(), so);
             OnnxSceneAnalyzer analyzer = OnnxSceneAnalyzer.load(models, new OnnxOptions(1, 1, 0.35f, 0.45f, true, 8))) {
            String input = raw.getInputNames().iterator().next();
            Letterbox.Planes box = Letterbox.of(BgrImage.of(frame), ObjectDetector.INPUT_SIZE);
            FloatBuffer direct = ByteBuffer.allocateDirect(box.chw().length * 4).order(ByteOrder.nativeOrder()).asFloatBuffer();
            direct.put(box.chw()).rewind();
            try (OnnxTensor tensor = OnnxTensor.createTensor(env, direct,
                    new long[] {1, 3, ObjectDetector.INPUT_SIZE, ObjectDetector.INPUT_SIZE})) {
                Map<String, Call> rows = new LinkedHashMap<>();
                Map<String, Call> primes = new LinkedHashMap<>();
                rows.put("raw ORT session.run (anchor)", () -> {
                    try (OrtSession.Result r = raw.run(Map.of(input, tensor))) {
                        return r.size();
                    }
                });
                rows.put("detect (decoded frame)", () -> analyzer.detect(frame));
                rows.put("detect (JPEG bytes: decode + detect)",
                        () -> analyzer.detect(ImageIO.read(new ByteArrayInputStream(jpeg))));
                for (var e : ocrImages.entrySet()) {
                    BufferedImage img = e.getValue();
                    rows.put("detect " + e.getKey(), () -> analyzer.detect(img));
                    rows.put("detect+OCR " + e.getKey(), () -> analyzer.analyze(img));
                    if (!SAME_CAMERA_ROWS.contains(e.getKey())) {
                        continue;
                    }
                    String camera = "bench-" + e.getKey();
                    // the camera's last OCR is read right before the row, so no read ages out (30 s) within it
                    primes.put("detect+OCR " + e.getKey() + ", same camera again", () -> analyzer.analyze(img, camera));
                    rows.put("detect+OCR " + e.getKey() + ", same camera again", () -> analyzer.analyze(img, camera));
                }
                System.out.println("# what each row found: " + analyzer.detect(frame).objects().size() + " objects in the frame; "
                        + describe(analyzer, ocrImages));

                for (var e : rows.entrySet()) {
                    prime(primes, e.getKey());
                    measure(e.getValue(), warmup);
                }
                Map<String, List<Sample>> samples = new LinkedHashMap<>();
                for (int r = 0; r < rounds; r++) {
                    for (var e : rows.entrySet()) {
                        prime(primes, e.getKey());
                        samples.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(measure(e.getValue(), seconds));
                    }
                }
                print(samples, ocrImages.keySet());
            }
        }
        System.out.printf("%nload average at end: %s%n", loadAverage());
    }

    /** Without the capture bench's 720p JPEG: coffee.png scaled to 1280x720, JPEG q85 (a conforming pushed frame). */
    private static byte[] syntheticFrame(Path images) throws java.io.IOException {
        BufferedImage coffee = ImageIO.read(images.resolve("coffee.png").toFile());
        BufferedImage frame = new BufferedImage(1280, 720, BufferedImage.TYPE_3BYTE_BGR);
        java.awt.Graphics2D g = frame.createGraphics();
        g.setRenderingHint(java.awt.RenderingHints.KEY_INTERPOLATION, java.awt.RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.drawImage(coffee, 0, 0, 1280, 720, null);
        g.dispose();
        var writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        var param = writer.getDefaultWriteParam();
        param.setCompressionMode(javax.imageio.ImageWriteParam.MODE_EXPLICIT);
        param.setCompressionQuality(0.85f);
        var bytes = new java.io.ByteArrayOutputStream();
        try (var out = ImageIO.createImageOutputStream(bytes)) {
            writer.setOutput(out);
            writer.write(null, new javax.imageio.IIOImage(frame, null, null), param);
        } finally {
            writer.dispose();
        }
        return bytes.toByteArray();
    }

    /**
     * A white 1920x1080 screen with four 28 px lines, one 16 px monospaced "small print" line and astronaut.png
     * pasted in: OnnxTierBench's screen, RESULTS.md's screen-1080p row.
     */
    static BufferedImage screen1080p(BufferedImage photo) {
        BufferedImage frame = new BufferedImage(1920, 1080, BufferedImage.TYPE_3BYTE_BGR);
        java.awt.Graphics2D g = frame.createGraphics();
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
        return frame;
    }

    private static String describe(OnnxSceneAnalyzer analyzer, Map<String, BufferedImage> images) {
        List<String> parts = new ArrayList<>();
        for (var e : images.entrySet()) {
            SceneAnalysis a = analyzer.analyze(e.getValue());
            parts.add(e.getKey() + ": " + a.objects().size() + " objects, " + a.texts().size() + " text lines");
        }
        return String.join("; ", parts);
    }

    private static void prime(Map<String, Call> primes, String row) throws Exception {
        Call prime = primes.get(row);
        if (prime != null) {
            prime.run();
        }
    }

    private static Sample measure(Call call, double seconds) throws Exception {
        List<Double> walls = new ArrayList<>();
        long cpu0 = THREADS.getCurrentThreadCpuTime();
        long end = System.nanoTime() + (long) (seconds * 1e9);
        do {
            long t0 = System.nanoTime();
            call.run();
            walls.add((System.nanoTime() - t0) / 1e6);
        } while (System.nanoTime() < end || walls.size() < 3);
        double cpu = (THREADS.getCurrentThreadCpuTime() - cpu0) / 1e6 / walls.size();
        return new Sample(median(walls), cpu, walls.size());
    }

    private static void print(Map<String, List<Sample>> samples, Iterable<String> ocrImages) {
        Map<String, double[]> med = new LinkedHashMap<>();
        for (var e : samples.entrySet()) {
            med.put(e.getKey(), new double[] {
                    median(e.getValue().stream().map(Sample::wallMs).toList()),
                    median(e.getValue().stream().map(Sample::cpuMs).toList()),
                    e.getValue().stream().mapToInt(Sample::calls).sum()});
        }
        System.out.println();
        System.out.println("| row | calls | wall p50 ms | CPU ms per call | ratio (wall) | ratio (CPU) | target |");
        System.out.println("|---|---:|---:|---:|---:|---:|---|");
        double[] anchor = med.get("raw ORT session.run (anchor)");
        for (var e : med.entrySet()) {
            String name = e.getKey();
            double[] v = e.getValue();
            String ratioWall = "";
            String ratioCpu = "";
            String target = "";
            if (name.startsWith("detect (")) {
                ratioWall = ratio(v[0], anchor[0]);
                ratioCpu = ratio(v[1], anchor[1]);
                target = "<= 1.15x raw ORT";
            } else if (name.startsWith("detect+OCR ")) {
                String image = name.substring("detect+OCR ".length()).replace(", same camera again", "");
                double[] detect = med.get("detect " + image);
                ratioWall = ratio(v[0], detect[0]) + " of detect";
                ratioCpu = ratio(v[1], detect[1]) + " of detect";
                target = image.equals("astronaut.png") && !name.endsWith("again") ? "<= 2x detect (no text)" : "";
            }
            System.out.printf("| %s | %d | %.2f | %.2f | %s | %s | %s |%n", name, (int) v[2], v[0], v[1], ratioWall, ratioCpu,
                    target);
        }
    }

    private static String ratio(double a, double b) {
        return String.format("%.2fx", a / b);
    }

    private static double median(List<Double> values) {
        double[] v = values.stream().mapToDouble(Double::doubleValue).toArray();
        Arrays.sort(v);
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (java.io.IOException e) {
            return "n/a";
        }
    }
}
