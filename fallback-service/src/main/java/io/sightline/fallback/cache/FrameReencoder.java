package io.sightline.fallback.cache;

import io.sightline.common.frame.CapturedFrame;
import io.sightline.common.frame.InvalidFrameException;
import io.sightline.common.image.JpegImages;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;

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
