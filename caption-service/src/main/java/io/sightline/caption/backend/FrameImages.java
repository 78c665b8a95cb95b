package io.sightline.caption.backend;

import io.sightline.common.frame.CapturedFrame;
import io.sightline.common.frame.InvalidFrameException;
import io.sightline.common.image.JpegImages;
import jakarta.enterprise.context.ApplicationScoped;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Decodes each frame at most once while it walks the chain (a fallback tier reuses the pixels) and
 * makes the downscaled JPEG remote tiers send. Call {@link #release} when the frame is done.
 * Decoding is CPU work: call from worker threads only.
 */
@ApplicationScoped
public class FrameImages {

    private final Map<UUID, BufferedImage> decoded = new ConcurrentHashMap<>();

    /** The frame's pixels; throws {@link InvalidFrameException} when the bytes do not decode. */
    public BufferedImage decode(CapturedFrame frame) {
        return decoded.computeIfAbsent(frame.frameId(), id -> decodeBytes(frame));
    }

    public void release(UUID frameId) {
        decoded.remove(frameId);
    }

    static BufferedImage decodeBytes(CapturedFrame frame) {
        BufferedImage image;
        try {
            image = ImageIO.read(new ByteArrayInputStream(frame.image()));
        } catch (IOException | RuntimeException e) {
            throw new InvalidFrameException("image bytes do not decode as " + frame.contentType() + ": " + e.getMessage(), e);
        }
        if (image == null || image.getWidth() < 1 || image.getHeight() < 1) {
            throw new InvalidFrameException("image bytes do not decode as " + frame.contentType());
        }
        return image;
    }

    /** The frame scaled to fit {@code maxWidth x maxHeight} (never enlarged), as JPEG of the given quality. */
    public byte[] downscaledJpeg(CapturedFrame frame, int maxWidth, int maxHeight, int quality) {
        return JpegImages.fitAndEncode(decode(frame), maxWidth, maxHeight, Math.max(1, Math.min(100, quality)) / 100f);
    }
}
