package io.sightline.fallback.cache;

import io.sightline.common.frame.CapturedFrame;
import io.sightline.common.frame.InvalidFrameException;

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

/**
 * Turns a frame as published into the form the cache keeps and the VLM receives: JPEG of the
 * configured quality, longest side at most {@code maxSide} (never upscaled). Decoding here also
 * proves the bytes are an image; undecodable ones fail with {@link InvalidFrameException}.
 */
public final class FrameReencoder {

    private final int maxSide;
    private final float quality;

    public FrameReencoder(int maxSide, int jpegQuality) {
        if (maxSide < 16) {
            throw new IllegalArgumentException("max side must be at least 16 px, was " + maxSide);
        }
        if (jpegQuality < 1 || jpegQuality > 100) {
            throw new IllegalArgumentException("JPEG quality must be 1-100, was " + jpegQuality);
        }
        this.maxSide = maxSide;
        this.quality = jpegQuality / 100f;
    }

    /** Size after the downscale rule: the longest side becomes {@code maxSide} when it is larger, aspect kept. */
    public static int[] scaledSize(int width, int height, int maxSide) {
        int longest = Math.max(width, height);
        if (longest <= maxSide) {
            return new int[] {width, height};
        }
        double scale = (double) maxSide / longest;
        return new int[] {Math.max(1, (int) Math.round(width * scale)), Math.max(1, (int) Math.round(height * scale))};
    }

    public CapturedFrame reencode(CapturedFrame frame) {
        BufferedImage decoded = decode(frame.image());
        int[] size = scaledSize(decoded.getWidth(), decoded.getHeight(), maxSide);
        BufferedImage rgb = new BufferedImage(size[0], size[1], BufferedImage.TYPE_3BYTE_BGR);
        Graphics2D g = rgb.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
            g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
            // PNG with alpha: composite on white rather than black
            g.setColor(java.awt.Color.WHITE);
            g.fillRect(0, 0, size[0], size[1]);
            g.drawImage(decoded, 0, 0, size[0], size[1], null);
        } finally {
            g.dispose();
        }
        byte[] jpeg = encodeJpeg(rgb);
        return new CapturedFrame(frame.frameId(), frame.camera(), frame.source(), frame.capturedAt(), size[0], size[1],
                CapturedFrame.JPEG, frame.seq(), frame.changeScore(), jpeg);
    }

    private static BufferedImage decode(byte[] bytes) {
        BufferedImage image;
        try {
            image = ImageIO.read(new ByteArrayInputStream(bytes));
        } catch (IOException | RuntimeException e) {
            throw new InvalidFrameException("image does not decode: " + e.getMessage(), e);
        }
        if (image == null || image.getWidth() < 1 || image.getHeight() < 1) {
            throw new InvalidFrameException("image does not decode (no reader accepts the bytes)");
        }
        return image;
    }

    private byte[] encodeJpeg(BufferedImage image) {
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        ByteArrayOutputStream out = new ByteArrayOutputStream(64 * 1024);
        try (MemoryCacheImageOutputStream stream = new MemoryCacheImageOutputStream(out)) {
            writer.setOutput(stream);
            ImageWriteParam param = writer.getDefaultWriteParam();
            param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            param.setCompressionQuality(quality);
            writer.write(null, new IIOImage(image, null, null), param);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            writer.dispose();
        }
        return out.toByteArray();
    }
}
