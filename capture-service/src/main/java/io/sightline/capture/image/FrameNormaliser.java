package io.sightline.capture.image;

import io.sightline.common.frame.FrameRecordCodec;
import io.sightline.common.image.JpegImages;
import io.sightline.common.kafka.Topics;

import javax.imageio.ImageIO;
import javax.imageio.ImageReadParam;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Iterator;

/**
 * Turns whatever a source delivers into a publishable frame: decode (with a pixel-count guard read
 * from the image header before any pixel is decoded), EXIF orientation, downscale so the long side is
 * at most {@code maxLongSide}, JPEG at {@code quality}. Thread-safe; each call uses its own codec objects.
 */
public final class FrameNormaliser {

    private final int maxLongSide;
    private final float quality;
    private final int maxBytes;
    private final long maxPixels;

    /** Lowest estimated JPEG quality published as it came. */
    static final int MIN_KEPT_QUALITY = 50;
    /** Highest estimated JPEG quality published as it came. */
    static final int MAX_KEPT_QUALITY = 95;

    static {
        ImageIO.setUseCache(false);
    }

    public FrameNormaliser(int maxLongSide, int jpegQuality, int maxBytes, long maxPixels) {
        if (maxLongSide < 16) {
            throw new IllegalArgumentException("max long side must be at least 16 px, was " + maxLongSide);
        }
        if (jpegQuality < 1 || jpegQuality > 100) {
            throw new IllegalArgumentException("JPEG quality must be 1-100, was " + jpegQuality);
        }
        this.maxLongSide = maxLongSide;
        this.quality = jpegQuality / 100f;
        this.maxBytes = maxBytes;
        this.maxPixels = maxPixels;
    }

    public int maxBytes() {
        return maxBytes;
    }

    /**
     * Normalises encoded JPEG/PNG bytes; rejects what is not a sound, reasonably sized image. A JPEG that
     * already fits the contract (see {@link #fitsAsIs}) is kept byte for byte: only its header is validated
     * and its luma DC coefficients (or a subsampled decode) feed the thumbnail. Everything else is decoded, oriented, downscaled and encoded.
     */
    public NormalisedFrame normalise(byte[] encoded) throws ImageRejectedException {
        validate(encoded);
        if (isJpeg(encoded)) {
            JpegHeader header = JpegHeader.parse(encoded);
            if (header != null) {
                checkPixels(header.width(), header.height());
                if (fitsAsIs(header, encoded)) {
                    return new NormalisedFrame(encoded, header.width(), header.height(), keptThumbnail(encoded, header));
                }
            }
        }
        return normalise(decode(encoded), isJpeg(encoded) ? ExifOrientation.read(encoded) : 1);
    }

    /**
     * A JPEG consumers can take as it is: 8-bit baseline or progressive YCbCr, long side within
     * {@code maxLongSide}, no EXIF rotation to apply, quality between {@value #MIN_KEPT_QUALITY} and
     * {@value #MAX_KEPT_QUALITY} (above, re-encoding saves bytes; below, the frame is too blocky to keep
     * as the reference copy), and within the topic's record size.
     */
    boolean fitsAsIs(JpegHeader header, byte[] encoded) {
        return header.isPlainYcbcr()
                && Math.max(header.width(), header.height()) <= maxLongSide
                && header.quality() >= MIN_KEPT_QUALITY && header.quality() <= MAX_KEPT_QUALITY
                && encoded.length <= Topics.MAX_FRAME_BYTES
                && ExifOrientation.read(encoded) == 1;
    }

    /**
     * The thumbnail of a JPEG kept as it is: from its luma DC coefficients (a 1/8-scale grey image, no pixel
     * decoded) when the image has at least one 8x8 block per thumbnail cell, else (small image, or a stream
     * {@link LumaDcReader} does not take) from a subsampled ImageIO decode, which also rejects what is corrupt.
     */
    Thumbnail keptThumbnail(byte[] encoded, JpegHeader header) throws ImageRejectedException {
        if (header.width() >= 8 * Thumbnail.GRID && header.height() >= 8 * Thumbnail.GRID) {
            LumaBlockMeans blocks = LumaDcReader.read(encoded);
            if (blocks != null) {
                return Thumbnail.of(blocks);
            }
        }
        return subsampledThumbnail(encoded, header);
    }

    /** The thumbnail from a subsampled ImageIO decode (a few hundred pixels across are plenty for a 64x64 grid). */
    Thumbnail subsampledThumbnail(byte[] encoded, JpegHeader header) throws ImageRejectedException {
        return Thumbnail.of(readReduced(encoded, header));
    }

    private BufferedImage readReduced(byte[] encoded, JpegHeader header) throws ImageRejectedException {
        int step = Math.max(1, Math.min(header.width(), header.height()) / (2 * Thumbnail.GRID));
        BufferedImage image = read(encoded, step);
        return image.getType() == BufferedImage.TYPE_3BYTE_BGR ? image : BgrResampler.toBgr(image);
    }

    /** Normalises an already decoded image (a video frame); the image is not modified or retained. */
    public NormalisedFrame normalise(BufferedImage image, int exifOrientation) {
        BufferedImage scaled = ExifOrientation.apply(downscale(image), exifOrientation);
        byte[] jpeg = encode(scaled, quality);
        float q = quality;
        while (jpeg.length > Topics.MAX_FRAME_BYTES && q > 0.3f) {
            q -= 0.15f;
            jpeg = encode(scaled, q);
        }
        if (jpeg.length > Topics.MAX_FRAME_BYTES) {
            throw new IllegalStateException("frame of " + scaled.getWidth() + "x" + scaled.getHeight()
                    + " does not fit the topic's " + Topics.MAX_FRAME_BYTES + " bytes even at low quality; lower max-long-side");
        }
        return new NormalisedFrame(jpeg, scaled.getWidth(), scaled.getHeight(), Thumbnail.of(scaled));
    }

    /** Decodes with the guards; the result may be larger than {@code maxLongSide} (subsampled only for huge inputs). */
    BufferedImage decode(byte[] encoded) throws ImageRejectedException {
        validate(encoded);
        return read(encoded, 0);
    }

    private void validate(byte[] encoded) throws ImageRejectedException {
        if (encoded == null || encoded.length == 0) {
            throw new ImageRejectedException(ImageRejectedException.Kind.EMPTY, "the image is empty (0 bytes)");
        }
        if (encoded.length > maxBytes) {
            throw new ImageRejectedException(ImageRejectedException.Kind.TOO_MANY_BYTES,
                    "the image has " + encoded.length + " bytes, more than the limit of " + maxBytes);
        }
        String type = FrameRecordCodec.sniffContentType(encoded);
        if (type == null) {
            throw new ImageRejectedException(ImageRejectedException.Kind.NOT_AN_IMAGE,
                    "the bytes are not a JPEG or PNG image (magic bytes do not match)");
        }
        boolean jpeg = isJpeg(encoded);
        if (jpeg && !endsWithJpegEnd(encoded)) {
            throw new ImageRejectedException(ImageRejectedException.Kind.TRUNCATED,
                    "the JPEG is truncated (no end-of-image marker after " + encoded.length + " bytes)");
        }
        if (!jpeg && !endsWithPngEnd(encoded)) {
            throw new ImageRejectedException(ImageRejectedException.Kind.TRUNCATED,
                    "the PNG is truncated (no IEND chunk after " + encoded.length + " bytes)");
        }
    }

    private void checkPixels(int width, int height) throws ImageRejectedException {
        if (width <= 0 || height <= 0) {
            throw new ImageRejectedException(ImageRejectedException.Kind.NOT_AN_IMAGE,
                    "the image header declares " + width + "x" + height + " pixels");
        }
        if ((long) width * height > maxPixels) {
            throw new ImageRejectedException(ImageRejectedException.Kind.TOO_MANY_PIXELS,
                    "the image declares " + width + "x" + height + " = " + ((long) width * height)
                            + " pixels, more than the limit of " + maxPixels);
        }
    }

    /** Reads with the pixel guard; {@code step} 0 picks a subsampling that only kicks in for huge inputs. */
    private BufferedImage read(byte[] encoded, int step) throws ImageRejectedException {
        try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(encoded))) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                throw new ImageRejectedException(ImageRejectedException.Kind.NOT_AN_IMAGE, "no decoder recognises the image");
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                int width = reader.getWidth(0);
                int height = reader.getHeight(0);
                checkPixels(width, height);
                ImageReadParam param = reader.getDefaultReadParam();
                int factor = Math.max(width, height) / maxLongSide;
                if (step > 1) {
                    param.setSourceSubsampling(step, step, 0, 0);
                } else if (step == 0 && factor >= 4) {
                    // keep at least twice the target so the area downscale still smooths
                    param.setSourceSubsampling(factor / 2, factor / 2, 0, 0);
                }
                BufferedImage image = reader.read(0, param);
                if (image == null) {
                    throw new ImageRejectedException(ImageRejectedException.Kind.NOT_AN_IMAGE, "the image could not be decoded");
                }
                return image;
            } finally {
                reader.dispose();
            }
        } catch (IOException | RuntimeException e) {
            String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            throw new ImageRejectedException(ImageRejectedException.Kind.TRUNCATED, "the image is corrupt: " + why);
        }
    }

    /** A TYPE_3BYTE_BGR copy whose long side is at most {@code maxLongSide}; halving steps keep big reductions smooth. */
    BufferedImage downscale(BufferedImage source) {
        int width = source.getWidth();
        int height = source.getHeight();
        double scale = Math.min(1.0, (double) maxLongSide / Math.max(width, height));
        int targetW = Math.max(1, (int) Math.round(width * scale));
        int targetH = Math.max(1, (int) Math.round(height * scale));
        return BgrResampler.resize(BgrResampler.toBgr(source), targetW, targetH);
    }

    static byte[] encode(BufferedImage image, float quality) {
        return JpegImages.encode(image, quality);
    }

    private static boolean isJpeg(byte[] bytes) {
        return bytes.length >= 3 && (bytes[0] & 0xFF) == 0xFF && (bytes[1] & 0xFF) == 0xD8;
    }

    /** EOI (FF D9) at the end, tolerating the zero padding some cameras append. */
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
}
