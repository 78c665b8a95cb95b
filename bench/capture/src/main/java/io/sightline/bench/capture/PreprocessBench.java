package io.sightline.bench.capture;

import io.sightline.capture.image.FrameNormaliser;
import io.sightline.capture.image.NormalisedFrame;
import org.bytedeco.ffmpeg.global.avcodec;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.FFmpegFrameRecorder;
import org.bytedeco.javacv.Frame;
import org.bytedeco.javacv.Java2DFrameConverter;

import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;
import java.awt.Color;
import java.awt.GradientPaint;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Frames per second capture-service can preprocess from 1080p input, per core:
 * <ol>
 *   <li>jpeg: 1920x1080 JPEG bytes (a snapshot camera or a push) -> decode -> 1280x720 -> JPEG q85 + thumbnail
 *   (exactly {@code FrameNormaliser.normalise(byte[])}).</li>
 *   <li>video: an MPEG-4 1080p file decoded by FFmpeg (JavaCV) -> BufferedImage -> normalise (what a stream
 *   source does for every sampled frame; the decode of every frame is included).</li>
 * </ol>
 * Each scenario: warm-up, then 5 measured rounds; reported as median frames/s and ms/frame, on 1 thread
 * and on N threads (N = available processors).
 */
public final class PreprocessBench {

    private static final int WARMUP_SECONDS = 8;
    private static final int ROUNDS = 5;
    private static final int ROUND_SECONDS = 4;

    public static void main(String[] args) throws Exception {
        avutil.av_log_set_level(avutil.AV_LOG_ERROR);
        int cores = Runtime.getRuntime().availableProcessors();
        System.out.printf("java %s, %s, %d processors, max heap %d MB%n", System.getProperty("java.version"),
                System.getProperty("os.arch"), cores, Runtime.getRuntime().maxMemory() >> 20);
        FrameNormaliser normaliser = new FrameNormaliser(1280, 85, 10 * 1024 * 1024, 50_000_000L);

        List<byte[]> jpegs = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            jpegs.add(jpeg(scene(1920, 1080, i), 0.9f));
        }
        System.out.printf("input JPEG 1920x1080 q90: %d KB average%n", jpegs.stream().mapToInt(b -> b.length).sum() / jpegs.size() / 1024);
        NormalisedFrame sample = normaliser.normalise(jpegs.get(0));
        System.out.printf("output JPEG %dx%d q85: %d KB%n", sample.width(), sample.height(), sample.jpeg().length / 1024);

        Path video = Files.createTempFile("bench-1080p", ".mp4");
        try {
            writeVideo(video, 120);
            for (int threads : new int[] {1, cores}) {
                report("jpeg  decode+resize+encode", threads, () -> jpegWorker(normaliser, jpegs));
                report("video ffmpeg decode+resize+encode", threads, () -> videoWorker(normaliser, video, true));
                report("video ffmpeg decode only", threads, () -> videoWorker(normaliser, video, false));
            }
        } finally {
            Files.deleteIfExists(video);
        }
    }

    /** A worker runs until its deadline and returns frames done. */
    private interface Worker {
        long run(long deadlineNanos) throws Exception;
    }

    private interface WorkerFactory {
        Worker create() throws Exception;
    }

    private static Worker jpegWorker(FrameNormaliser normaliser, List<byte[]> jpegs) {
        return deadline -> {
            long n = 0;
            while (System.nanoTime() < deadline) {
                normaliser.normalise(jpegs.get((int) (n % jpegs.size())));
                n++;
            }
            return n;
        };
    }

    private static Worker videoWorker(FrameNormaliser normaliser, Path video, boolean normalise) {
        return deadline -> {
            long n = 0;
            Java2DFrameConverter converter = new Java2DFrameConverter();
            while (System.nanoTime() < deadline) {
                try (FFmpegFrameGrabber grabber = new FFmpegFrameGrabber(video.toFile())) {
                    grabber.start();
                    Frame frame;
                    while (System.nanoTime() < deadline && (frame = grabber.grabImage()) != null) {
                        if (normalise) {
                            normaliser.normalise(converter.convert(frame), 1);
                        }
                        n++;
                    }
                }
            }
            return n;
        };
    }

    private static void report(String name, int threads, WorkerFactory factory) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            runRound(pool, threads, factory, WARMUP_SECONDS);
            double[] fps = new double[ROUNDS];
            for (int r = 0; r < ROUNDS; r++) {
                fps[r] = runRound(pool, threads, factory, ROUND_SECONDS);
            }
            java.util.Arrays.sort(fps);
            double median = fps[ROUNDS / 2];
            System.out.printf("%-36s threads=%d  %7.1f frames/s  (%.1f per thread, %.2f ms/frame/thread; rounds %.1f..%.1f)%n",
                    name, threads, median, median / threads, 1000.0 * threads / median, fps[0], fps[ROUNDS - 1]);
        } finally {
            pool.shutdownNow();
        }
    }

    private static double runRound(ExecutorService pool, int threads, WorkerFactory factory, int seconds) throws Exception {
        List<Worker> workers = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            workers.add(factory.create());
        }
        long start = System.nanoTime();
        long deadline = start + seconds * 1_000_000_000L;
        List<Future<Long>> futures = new ArrayList<>();
        for (Worker w : workers) {
            Callable<Long> task = () -> w.run(deadline);
            futures.add(pool.submit(task));
        }
        long frames = 0;
        for (Future<Long> f : futures) {
            frames += f.get();
        }
        return frames / ((System.nanoTime() - start) / 1e9);
    }

    /** A photo-like 1080p scene: gradients, shapes and noise, so JPEG sizes resemble camera frames. */
    static BufferedImage scene(int width, int height, int seed) {
        Random random = new Random(seed);
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_3BYTE_BGR);
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setPaint(new GradientPaint(0, 0, new Color(40, 70, 120), width, height, new Color(200, 180, 140)));
        g.fillRect(0, 0, width, height);
        for (int i = 0; i < 60; i++) {
            g.setColor(new Color(random.nextInt(256), random.nextInt(256), random.nextInt(256)));
            g.fillOval(random.nextInt(width), random.nextInt(height), 20 + random.nextInt(300), 20 + random.nextInt(300));
        }
        g.dispose();
        byte[] data = ((java.awt.image.DataBufferByte) image.getRaster().getDataBuffer()).getData();
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) Math.max(0, Math.min(255, (data[i] & 0xFF) + random.nextInt(17) - 8));
        }
        return image;
    }

    static byte[] jpeg(BufferedImage image, float quality) throws Exception {
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (MemoryCacheImageOutputStream stream = new MemoryCacheImageOutputStream(out)) {
            writer.setOutput(stream);
            ImageWriteParam param = writer.getDefaultWriteParam();
            param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            param.setCompressionQuality(quality);
            writer.write(null, new IIOImage(image, null, null), param);
        } finally {
            writer.dispose();
        }
        return out.toByteArray();
    }

    static void writeVideo(Path file, int frames) throws Exception {
        try (FFmpegFrameRecorder recorder = new FFmpegFrameRecorder(file.toFile(), 1920, 1080)) {
            recorder.setVideoCodec(avcodec.AV_CODEC_ID_MPEG4);
            recorder.setFormat("mp4");
            recorder.setFrameRate(25);
            recorder.setVideoBitrate(8_000_000);
            recorder.start();
            Java2DFrameConverter converter = new Java2DFrameConverter();
            BufferedImage base = scene(1920, 1080, 42);
            for (int i = 0; i < frames; i++) {
                BufferedImage frame = new BufferedImage(1920, 1080, BufferedImage.TYPE_3BYTE_BGR);
                Graphics2D g = frame.createGraphics();
                g.drawImage(base, 0, 0, null);
                g.setColor(Color.ORANGE);
                g.fillRect(i * 12 % 1700, 400, 220, 220);
                g.dispose();
                recorder.record(converter.convert(frame));
            }
            recorder.stop();
        }
    }
}
