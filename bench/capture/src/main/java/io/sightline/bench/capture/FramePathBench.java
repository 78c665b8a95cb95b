package io.sightline.bench.capture;

import io.sightline.capture.image.FrameNormaliser;
import io.sightline.capture.image.NormalisedFrame;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * capture-service's frame path on one thread, per frame: (1) a 1080p q90 JPEG normalised to 1280x720
 * q85 (decode, downscale, encode, thumbnail); (2) a conforming 1280x720 q85 JPEG as pushes and
 * snapshots now take it (header check + subsampled decode for the thumbnail, bytes kept); (3) the same
 * 720p JPEG through the full path every frame took before (decode, encode, thumbnail). Writes the two
 * input JPEGs to {@code outDir} so the OpenCV anchor (opencv/anchor.py) decodes the very same bytes.
 *
 * <p>Args: outDir [seconds per round, default 4] [rounds, default 5]. Prints one line per scenario: median ms/frame.
 */
public final class FramePathBench {

    public static void main(String[] args) throws Exception {
        Path out = Path.of(args.length > 0 ? args[0] : "/tmp/framepath");
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 4;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 5;
        Files.createDirectories(out);
        FrameNormaliser normaliser = new FrameNormaliser(1280, 85, 10 * 1024 * 1024, 50_000_000L);
        byte[] full = jpeg(scene(1920, 1080, 7), 0.90f);
        byte[] conforming = jpeg(scene(1280, 720, 11), 0.85f);
        Files.write(out.resolve("in-1080p-q90.jpg"), full);
        Files.write(out.resolve("in-720p-q85.jpg"), conforming);
        NormalisedFrame check = normaliser.normalise(conforming);
        if (check.jpeg() != conforming) {
            throw new IllegalStateException("the 720p q85 JPEG was not kept as is: the pass-through path is not in this build");
        }
        System.out.printf("inputs: 1080p %d B, 720p %d B; JVM %s %s%n", full.length, conforming.length,
                System.getProperty("java.vm.version"), String.join(" ",
                        java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments()));
        report("1080p q90 -> 1280x720 q85 (normalise)", seconds, rounds, () -> normaliser.normalise(full));
        report("720p q85 conforming (kept, thumbnail from subsampled decode)", seconds, rounds, () -> normaliser.normalise(conforming));
        report("720p q85 full path (decode + encode + thumbnail, as before)", seconds, rounds,
                () -> normaliser.normalise(ImageIO.read(new ByteArrayInputStream(conforming)), 1));
    }

    /** Photo-like test scene, as PreprocessBench makes it (gradient, shapes, sensor noise). */
    static BufferedImage scene(int width, int height, int seed) {
        java.util.Random random = new java.util.Random(seed);
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_3BYTE_BGR);
        java.awt.Graphics2D g = image.createGraphics();
        g.setRenderingHint(java.awt.RenderingHints.KEY_ANTIALIASING, java.awt.RenderingHints.VALUE_ANTIALIAS_ON);
        g.setPaint(new java.awt.GradientPaint(0, 0, new java.awt.Color(40, 70, 120), width, height, new java.awt.Color(200, 180, 140)));
        g.fillRect(0, 0, width, height);
        for (int i = 0; i < 60; i++) {
            g.setColor(new java.awt.Color(random.nextInt(256), random.nextInt(256), random.nextInt(256)));
            g.fillOval(random.nextInt(width), random.nextInt(height), 20 + random.nextInt(300), 20 + random.nextInt(300));
        }
        g.dispose();
        byte[] data = ((java.awt.image.DataBufferByte) image.getRaster().getDataBuffer()).getData();
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) Math.max(0, Math.min(255, (data[i] & 0xFF) + random.nextInt(17) - 8));
        }
        return image;
    }

    static byte[] jpeg(BufferedImage image, float quality) {
        return io.sightline.common.image.JpegImages.encode(image, quality);
    }

    interface Step {
        Object run() throws Exception;
    }

    static void report(String name, int seconds, int rounds, Step step) throws Exception {
        long warmUntil = System.nanoTime() + 6_000_000_000L;
        while (System.nanoTime() < warmUntil) {
            step.run();
        }
        double[] ms = new double[rounds];
        for (int r = 0; r < rounds; r++) {
            long start = System.nanoTime();
            long end = start + seconds * 1_000_000_000L;
            int n = 0;
            long now;
            do {
                step.run();
                n++;
                now = System.nanoTime();
            } while (now < end);
            ms[r] = (now - start) / 1e6 / n;
        }
        Arrays.sort(ms);
        System.out.printf("%-62s %8.2f ms/frame (rounds %s)%n", name, ms[rounds / 2], Arrays.toString(
                Arrays.stream(ms).map(v -> Math.round(v * 100) / 100.0).toArray()));
    }
}
