package io.sightline.capture.image;

import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.stream.MemoryCacheImageOutputStream;
import java.awt.Color;
import java.awt.GradientPaint;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Random;

/** JPEGs written by ImageIO with a chosen luma sampling, restart interval and progressive mode. */
final class JpegFixtures {

    private JpegFixtures() {
    }

    /** How to write: luma sampling factors (chroma stays 1x1), restart interval in MCUs (0: none), progressive. */
    record Encoding(int lumaH, int lumaV, int restartInterval, boolean progressive) {
        static final Encoding YUV420 = new Encoding(2, 2, 0, false);
        static final Encoding YUV422 = new Encoding(2, 1, 0, false);
        static final Encoding YUV444 = new Encoding(1, 1, 0, false);
        static final Encoding YUV420_RESTARTS = new Encoding(2, 2, 7, false);
        static final Encoding YUV444_RESTARTS = new Encoding(1, 1, 1, false);
        static final Encoding PROGRESSIVE = new Encoding(2, 2, 0, true);
        static final Encoding PROGRESSIVE_444 = new Encoding(1, 1, 0, true);
    }

    static byte[] encode(BufferedImage image, float quality, Encoding encoding) {
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (MemoryCacheImageOutputStream stream = new MemoryCacheImageOutputStream(out)) {
            writer.setOutput(stream);
            ImageWriteParam param = writer.getDefaultWriteParam();
            param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            param.setCompressionQuality(quality);
            if (encoding.progressive()) {
                param.setProgressiveMode(ImageWriteParam.MODE_DEFAULT);
            }
            IIOMetadata metadata = writer.getDefaultImageMetadata(ImageTypeSpecifier.createFromRenderedImage(image), param);
            String format = "javax_imageio_jpeg_image_1.0";
            Element tree = (Element) metadata.getAsTree(format);
            Element sequence = (Element) tree.getElementsByTagName("markerSequence").item(0);
            NodeList components = sequence.getElementsByTagName("componentSpec");
            if (components.getLength() == 3) {
                Element luma = (Element) components.item(0);
                luma.setAttribute("HsamplingFactor", Integer.toString(encoding.lumaH()));
                luma.setAttribute("VsamplingFactor", Integer.toString(encoding.lumaV()));
            }
            if (encoding.restartInterval() > 0) {
                Element dri = new javax.imageio.metadata.IIOMetadataNode("dri");
                dri.setAttribute("interval", Integer.toString(encoding.restartInterval()));
                sequence.insertBefore(dri, sequence.getElementsByTagName("sof").item(0));
            }
            metadata.setFromTree(format, tree);
            writer.write(null, new IIOImage(image, null, metadata), param);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } finally {
            writer.dispose();
        }
        return out.toByteArray();
    }

    /** Photo-like scene as the capture bench makes it: gradient, shapes, sensor noise (seeded). */
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
        addNoise(image, random);
        return image;
    }

    static void addNoise(BufferedImage bgr, Random random) {
        byte[] data = ((DataBufferByte) bgr.getRaster().getDataBuffer()).getData();
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) Math.max(0, Math.min(255, (data[i] & 0xFF) + random.nextInt(17) - 8));
        }
    }

    /** Offset of the first entropy-coded byte (just after the first SOS segment). */
    static int scanDataStart(byte[] jpeg) {
        int pos = 2;
        while (true) {
            int marker = jpeg[pos + 1] & 0xFF;
            int length = ((jpeg[pos + 2] & 0xFF) << 8) | (jpeg[pos + 3] & 0xFF);
            if (marker == 0xDA) {
                return pos + 2 + length;
            }
            pos += 2 + length;
        }
    }

    /** Offset of the first marker of the given code. */
    static int markerAt(byte[] jpeg, int code) {
        for (int i = 0; i + 1 < jpeg.length; i++) {
            if ((jpeg[i] & 0xFF) == 0xFF && (jpeg[i + 1] & 0xFF) == code) {
                return i;
            }
        }
        return -1;
    }
}
