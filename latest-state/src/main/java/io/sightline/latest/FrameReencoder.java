package io.sightline.latest;

import io.sightline.common.frame.CapturedFrame;
import io.sightline.common.frame.InvalidFrameException;
import io.sightline.common.image.JpegImages;

import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Iterator;

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
        return JpegImages.fittedSize(width, height, maxSide, maxSide);
    }

    /**
     * Cheap proof that the bytes are a complete image, without decoding pixels: a decoder recognises the
     * header and reads a positive size from it, and a JPEG ends with its end-of-image marker (a PNG with IEND).
     */
    public static void checkHeader(byte[] bytes) {
        if (bytes == null || bytes.length < 8) {
            throw new InvalidFrameException("image does not decode (only " + (bytes == null ? 0 : bytes.length) + " bytes)");
        }
        boolean jpeg = (bytes[0] & 0xFF) == 0xFF && (bytes[1] & 0xFF) == 0xD8;
        if (jpeg ? !endsWithJpegEnd(bytes) : !endsWithPngEnd(bytes)) {
            throw new InvalidFrameException("image does not decode (truncated: no end marker after " + bytes.length + " bytes)");
        }
        try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(bytes))) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                throw new InvalidFrameException("image does not decode (no reader accepts the bytes)");
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                if (reader.getWidth(0) < 1 || reader.getHeight(0) < 1) {
                    throw new InvalidFrameException("image does not decode (header declares no pixels)");
                }
            } finally {
                reader.dispose();
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof InvalidFrameException invalid) {
                throw invalid;
            }
            throw new InvalidFrameException("image does not decode: " + e.getMessage(), e);
        }
    }

    private static boolean endsWithJpegEnd(byte[] bytes) {
        int end = bytes.length;
        while (end > 2 && bytes[end - 1] == 0 && bytes.length - end < 4096) {
            end--;
        }
        return end >= 4 && (bytes[end - 2] & 0xFF) == 0xFF && (bytes[end - 1] & 0xFF) == 0xD9;
    }

    private static boolean endsWithPngEnd(byte[] bytes) {
        int n = bytes.length;
        return n >= 20 && bytes[n - 8] == 'I' && bytes[n - 7] == 'E' && bytes[n - 6] == 'N' && bytes[n - 5] == 'D';
    }

    public CapturedFrame reencode(CapturedFrame frame) {
        BufferedImage fitted = JpegImages.fit(decode(frame.image()), maxSide, maxSide);
        byte[] jpeg = JpegImages.encode(fitted, quality);
        return new CapturedFrame(frame.frameId(), frame.camera(), frame.source(), frame.capturedAt(), fitted.getWidth(),
                fitted.getHeight(), CapturedFrame.JPEG, frame.seq(), frame.changeScore(), jpeg);
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
}
