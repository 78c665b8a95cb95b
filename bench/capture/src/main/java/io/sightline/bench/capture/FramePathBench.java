package io.sightline.bench.capture;

import io.sightline.capture.image.ExifOrientation;
import io.sightline.capture.image.FrameNormaliser;
import io.sightline.capture.image.JpegHeader;
import io.sightline.capture.image.NormalisedFrame;
import io.sightline.capture.image.Thumbnail;

import javax.imageio.ImageIO;
import javax.imageio.ImageReadParam;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * capture-service's frame path on one thread, per frame: (1) a 1080p q90 JPEG normalised to 1280x720
 * q85 (decode, downscale, encode, thumbnail); (2) a conforming 1280x720 q85 JPEG as pushes and
 * snapshots now take it (header check + thumbnail from the luma DC coefficients, bytes kept); (2b) the
 * same, with the thumbnail from the subsampled ImageIO decode the kept path used before the DC reader
 * (the same-run baseline for it); (3) the same 720p JPEG through the full path every frame took before
 * the kept path (decode, encode, thumbnail). Writes the two input JPEGs to {@code outDir} so the OpenCV
 * anchor (opencv/anchor.py) decodes the very same bytes.
 *
 * <p>Args: outDir [seconds per round, default 4] [rounds, default 5]. Prints one line per scenario: median
 * wall ms/frame and median thread-CPU ms/frame of the rounds (CPU time is what to read on a shared box).
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
        report("720p q85 conforming (kept, thumbnail from luma DC)", seconds, rounds, () -> normaliser.normalise(conforming));
        report("720p q85 conforming (kept, thumbnail from subsampled decode)", seconds, rounds, () -> keptBeforeDcReader(conforming));
        report("720p q85 full path (decode + encode + thumbnail, as before)", seconds, rounds,
                () -> normaliser.normalise(ImageIO.read(new ByteArrayInputStream(conforming)), 1));
    }

    /**
     * The kept path as it was before the DC reader, from the service's public pieces: header parse, pixel
     * and EXIF checks, then the thumbnail of an ImageIO decode subsampled by min(w, h) / 128 (what
     * {@code FrameNormaliser.subsampledThumbnail} still does when the DC reader does not take a stream).
     */
    static Thumbnail keptBeforeDcReader(byte[] jpeg) throws Exception {
        JpegHeader header = JpegHeader.parse(jpeg);
        if (header == null || (long) header.width() * header.height() > 50_000_000L || ExifOrientation.read(jpeg) != 1) {
            throw new IllegalStateException("not a conforming JPEG");
        }
        int step = Math.max(1, Math.min(header.width(), header.height()) / (2 * Thumbnail.GRID));
        try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(jpeg))) {
            ImageReader reader = ImageIO.getImageReaders(in).next();
            try {
                reader.setInput(in, true, true);
                ImageReadParam param = reader.getDefaultReadParam();
                param.setSourceSubsampling(step, step, 0, 0);
                BufferedImage image = reader.read(0, param);
                if (image.getType() != BufferedImage.TYPE_3BYTE_BGR) {
                    throw new IllegalStateException("expected a 3-byte BGR decode, got type " + image.getType());
                }
                return Thumbnail.of(image);
            } finally {
                reader.dispose();
            }
        }
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
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long warmUntil = System.nanoTime() + 6_000_000_000L;
        while (System.nanoTime() < warmUntil) {
            step.run();
        }
        double[] ms = new double[rounds];
        double[] cpuMs = new double[rounds];
        for (int r = 0; r < rounds; r++) {
            long cpuStart = threads.getCurrentThreadCpuTime();
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
            cpuMs[r] = (threads.getCurrentThreadCpuTime() - cpuStart) / 1e6 / n;
        }
        String wallRounds = Arrays.toString(Arrays.stream(ms).map(v -> Math.round(v * 100) / 100.0).toArray());
        Arrays.sort(ms);
        Arrays.sort(cpuMs);
        System.out.printf("%-62s %8.2f ms/frame %8.2f cpu-ms/frame (wall rounds %s)%n", name, ms[rounds / 2], cpuMs[rounds / 2], wallRounds);
    }
}
