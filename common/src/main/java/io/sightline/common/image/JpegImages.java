package io.sightline.common.image;

import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The one way frames are shrunk and JPEG-encoded for Kafka, the cache and the VLM: scale to fit a
 * box (aspect kept, never enlarged) onto an opaque canvas, then encode at an explicit quality.
 */
public final class JpegImages {

    private JpegImages() {
    }

    /** Size of a {@code width x height} image scaled to fit {@code maxWidth x maxHeight}: {@code [w, h]}. */
    public static int[] fittedSize(int width, int height, int maxWidth, int maxHeight) {
        double scale = Math.min(1.0, Math.min((double) maxWidth / width, (double) maxHeight / height));
        return new int[] {Math.max(1, (int) Math.round(width * scale)), Math.max(1, (int) Math.round(height * scale))};
    }

    /**
     * The image scaled (bilinear) to fit {@code maxWidth x maxHeight} on an opaque BGR canvas; transparent
     * areas of a PNG become white rather than black. Use {@link Integer#MAX_VALUE} for an unbounded side.
     */
    public static BufferedImage fit(BufferedImage source, int maxWidth, int maxHeight) {
        int[] size = fittedSize(source.getWidth(), source.getHeight(), maxWidth, maxHeight);
        BufferedImage target = new BufferedImage(size[0], size[1], BufferedImage.TYPE_3BYTE_BGR);
        Graphics2D g = target.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
            g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, size[0], size[1]);
            g.drawImage(source, 0, 0, size[0], size[1], null);
        } finally {
            g.dispose();
        }
        return target;
    }

    /** JPEG bytes of an opaque image at {@code quality} in (0, 1]. */
    public static byte[] encode(BufferedImage image, float quality) {
        if (!(quality > 0f && quality <= 1f)) {
            throw new IllegalArgumentException("JPEG quality must be in (0, 1], was " + quality);
        }
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        ByteArrayOutputStream out = new ByteArrayOutputStream(Math.max(16 * 1024, image.getWidth() * image.getHeight() / 4));
        try (MemoryCacheImageOutputStream stream = new MemoryCacheImageOutputStream(out)) {
            writer.setOutput(stream);
            ImageWriteParam param = writer.getDefaultWriteParam();
            param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            param.setCompressionQuality(quality);
            writer.write(null, new IIOImage(image, null, null), param);
        } catch (IOException e) {
            throw new UncheckedIOException("could not encode the image as JPEG", e);
        } finally {
            writer.dispose();
        }
        return out.toByteArray();
    }

    /** {@link #fit} then {@link #encode}. */
    public static byte[] fitAndEncode(BufferedImage source, int maxWidth, int maxHeight, float quality) {
        return encode(fit(source, maxWidth, maxHeight), quality);
    }
}
