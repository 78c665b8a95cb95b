package io.sightline.watch;

import io.sightline.common.image.JpegImages;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
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
        return JpegImages.fitAndEncode(source, Integer.MAX_VALUE, maxHeight, quality);
    }
}
