package io.sightline.capture.testing;

import org.bytedeco.ffmpeg.global.avcodec;
import org.bytedeco.javacv.FFmpegFrameRecorder;
import org.bytedeco.javacv.Java2DFrameConverter;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.nio.file.Path;

/** Video files written through FFmpeg (the same binding the service reads with), so tests need no ffmpeg binary. */
public final class TestVideos {

    private TestVideos() {
    }

    /** An MPEG-4 video of a square moving across a dark background. */
    public static Path movingSquare(Path file, int width, int height, int frames, int fps) throws Exception {
        try (FFmpegFrameRecorder recorder = new FFmpegFrameRecorder(file.toFile(), width, height)) {
            recorder.setVideoCodec(avcodec.AV_CODEC_ID_MPEG4);
            recorder.setFormat("mp4");
            recorder.setFrameRate(fps);
            recorder.setVideoBitrate(4_000_000);
            recorder.start();
            Java2DFrameConverter converter = new Java2DFrameConverter();
            for (int i = 0; i < frames; i++) {
                BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_3BYTE_BGR);
                Graphics2D g = image.createGraphics();
                g.setColor(new Color(20, 30, 60));
                g.fillRect(0, 0, width, height);
                g.setColor(Color.ORANGE);
                int size = height / 3;
                g.fillRect((i * (width - size)) / Math.max(1, frames - 1), height / 3, size, size);
                g.dispose();
                recorder.record(converter.convert(image));
            }
            recorder.stop();
        }
        return file;
    }
}
