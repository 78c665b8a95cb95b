package io.sightline.caption.support;

import io.sightline.common.frame.CapturedFrame;
import io.sightline.common.frame.FrameRecordCodec;
import io.sightline.common.kafka.FrameSource;
import io.sightline.testsupport.TestImages;
import io.sightline.testsupport.TestKafka;

import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.UUID;

/** Scenes composed from the shared test images (astronaut = a person, chelsea = a cat) on a plain 1280x720 frame. */
public final class Scenes {

    public static final int WIDTH = 1280;
    public static final int HEIGHT = 720;

    private Scenes() {
    }

    public static BufferedImage empty() {
        BufferedImage frame = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_3BYTE_BGR);
        Graphics2D g = frame.createGraphics();
        g.setColor(new Color(120, 124, 118));
        g.fillRect(0, 0, WIDTH, HEIGHT);
        g.dispose();
        return frame;
    }

    /** Pastes a test image scaled to {@code size} px high at (x, y). */
    public static BufferedImage with(BufferedImage frame, String image, int x, int y, int size) {
        BufferedImage src = TestImages.read(image);
        int w = (int) Math.round(src.getWidth() * (size / (double) src.getHeight()));
        Graphics2D g = frame.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.drawImage(src, x, y, w, size, null);
        g.dispose();
        return frame;
    }

    /** A monitor-like dark panel with light text lines. */
    public static BufferedImage withText(BufferedImage frame, String... lines) {
        Graphics2D g = frame.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(new Color(25, 28, 36));
        g.fillRect(100, 120, 1080, 80 + 70 * lines.length);
        g.setColor(Color.WHITE);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 44));
        for (int i = 0; i < lines.length; i++) {
            g.drawString(lines[i], 150, 200 + 70 * i);
        }
        g.dispose();
        return frame;
    }

    public static BufferedImage person(int x) {
        return with(empty(), "astronaut.png", x, 200, 420);
    }

    /** Publishes a frame captured at {@code capturedAt} exactly as capture-service would. */
    public static CapturedFrame send(String camera, BufferedImage image, long capturedAt) {
        byte[] jpeg = TestImages.encodeJpeg(image, 0.9f);
        CapturedFrame frame = new CapturedFrame(UUID.randomUUID(), camera, FrameSource.CAMERA, capturedAt, image.getWidth(),
                image.getHeight(), CapturedFrame.JPEG, 1, 0.5, jpeg);
        TestKafka.send("frames", camera, jpeg, FrameRecordCodec.toHeaders(frame));
        return frame;
    }
}
