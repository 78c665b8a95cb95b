package io.sightline.bench.onnx;

import io.sightline.caption.backend.onnx.OnnxOptions;
import io.sightline.caption.backend.onnx.OnnxSceneAnalyzer;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * RSS of caption-service's onnx tier alone: loads {@link OnnxSceneAnalyzer} with the service's defaults
 * (sessions from the argument, 1 intra-op thread, OCR on, 8 lines) and feeds every image of a directory
 * (plus optional extra frames) through {@code analyze(image, camera)} from as many threads as sessions,
 * each thread its own camera, so text reuse does not hide OCR. Prints VmRSS/VmHWM after load and after
 * the work. Memory, not time: valid on a busy box.
 *
 * <p>Usage: {@code OnnxMemoryProbe modelsDir imagesDir rounds sessions [extra.jpg ...]}
 */
public final class OnnxMemoryProbe {

    public static void main(String[] args) throws Exception {
        Path models = Path.of(args[0]);
        Path images = Path.of(args[1]);
        int rounds = Integer.parseInt(args[2]);
        int sessions = Integer.parseInt(args[3]);
        List<BufferedImage> frames = new ArrayList<>();
        try (var files = Files.list(images)) {
            for (Path p : files.sorted().toList()) {
                if (p.toString().endsWith(".png") || p.toString().endsWith(".jpg")) {
                    frames.add(ImageIO.read(p.toFile()));
                }
            }
        }
        for (int i = 4; i < args.length; i++) {
            frames.add(ImageIO.read(Path.of(args[i]).toFile()));
        }
        System.out.printf("start: %s%n", memory());
        try (OnnxSceneAnalyzer analyzer = OnnxSceneAnalyzer.load(models, new OnnxOptions(1, sessions, 0.35f, 0.45f, true, 8))) {
            System.out.printf("loaded (%d sessions): %s%n", sessions, memory());
            AtomicInteger texts = new AtomicInteger();
            List<Thread> workers = new ArrayList<>();
            for (int t = 0; t < sessions; t++) {
                int id = t;
                Thread w = new Thread(() -> {
                    for (int r = 0; r < rounds; r++) {
                        for (int f = 0; f < frames.size(); f++) {
                            // a camera per frame and round: every call reads text, the worst case for memory
                            texts.addAndGet(analyzer.analyze(frames.get(f), "cam-" + id + "-" + r + "-" + f).texts().size());
                        }
                    }
                });
                w.start();
                workers.add(w);
            }
            for (Thread w : workers) {
                w.join();
            }
            System.out.printf("after %d rounds x %d frames x %d threads (%d text lines): %s%n", rounds, frames.size(),
                    sessions, texts.get(), memory());
        }
        System.out.printf("closed: %s%n", memory());
    }

    public static String memoryLine() throws IOException {
        return memory();
    }

    static String memory() throws IOException {
        long rss = 0;
        long hwm = 0;
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                rss = Long.parseLong(line.replaceAll("\\D", "")) / 1024;
            } else if (line.startsWith("VmHWM:")) {
                hwm = Long.parseLong(line.replaceAll("\\D", "")) / 1024;
            }
        }
        Runtime rt = Runtime.getRuntime();
        return String.format("RSS %d MiB (peak %d MiB), heap used %d MiB of %d MiB committed", rss, hwm,
                (rt.totalMemory() - rt.freeMemory()) >> 20, rt.totalMemory() >> 20);
    }
}
