package io.sightline.caption.backend;

import io.sightline.common.frame.CapturedFrame;
import io.sightline.common.frame.InvalidFrameException;
import jakarta.enterprise.context.ApplicationScoped;

import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
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
        BufferedImage source = decode(frame);
        double scale = Math.min(1.0, Math.min((double) maxWidth / source.getWidth(), (double) maxHeight / source.getHeight()));
        int w = Math.max(1, (int) Math.round(source.getWidth() * scale));
        int h = Math.max(1, (int) Math.round(source.getHeight() * scale));
        BufferedImage target = new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR);
        Graphics2D g = target.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
        g.drawImage(source, 0, 0, w, h, null);
        g.dispose();
        return encodeJpeg(target, quality);
    }

    static byte[] encodeJpeg(BufferedImage image, int quality) {
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (MemoryCacheImageOutputStream stream = new MemoryCacheImageOutputStream(out)) {
            writer.setOutput(stream);
            ImageWriteParam param = writer.getDefaultWriteParam();
            param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            param.setCompressionQuality(Math.max(1, Math.min(100, quality)) / 100f);
            writer.write(null, new IIOImage(image, null, null), param);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            writer.dispose();
        }
        return out.toByteArray();
    }
}
