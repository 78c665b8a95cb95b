package io.sightline.fallback.watch;

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

/** Re-encodes a frame for the VLM: at most {@code maxHeight} pixels high (aspect kept), JPEG. */
final class WatchFrameEncoder {

    private WatchFrameEncoder() {
    }

    static byte[] encode(byte[] image, int maxHeight, float quality) {
        BufferedImage source;
        try {
            source = ImageIO.read(new ByteArrayInputStream(image));
        } catch (IOException e) {
            throw new UncheckedIOException("frame is not a decodable image", e);
        }
        if (source == null) {
            throw new IllegalArgumentException("frame is not a decodable image");
        }
        int height = Math.min(maxHeight, source.getHeight());
        int width = Math.max(1, (int) Math.round(source.getWidth() * (double) height / source.getHeight()));
        BufferedImage target = new BufferedImage(width, height, BufferedImage.TYPE_3BYTE_BGR);
        Graphics2D g = target.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
            g.drawImage(source, 0, 0, width, height, null);
        } finally {
            g.dispose();
        }
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        ByteArrayOutputStream out = new ByteArrayOutputStream(64 * 1024);
        try (MemoryCacheImageOutputStream stream = new MemoryCacheImageOutputStream(out)) {
            writer.setOutput(stream);
            ImageWriteParam param = writer.getDefaultWriteParam();
            param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            param.setCompressionQuality(quality);
            writer.write(null, new IIOImage(target, null, null), param);
        } catch (IOException e) {
            throw new UncheckedIOException("could not encode the frame as JPEG", e);
        } finally {
            writer.dispose();
        }
        return out.toByteArray();
    }
}
