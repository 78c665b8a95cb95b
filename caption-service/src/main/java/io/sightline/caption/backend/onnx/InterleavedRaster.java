package io.sightline.caption.backend.onnx;

import java.awt.image.BufferedImage;
import java.awt.image.ComponentSampleModel;
import java.awt.image.DataBufferByte;
import java.awt.image.DataBufferInt;
import java.awt.image.Raster;
import java.awt.image.SinglePixelPackedSampleModel;

/**
 * A decoded image's samples where they already are, in its raster's own array: bytes with B, G and R at fixed
 * offsets in each pixel (3BYTE_BGR, 4BYTE_ABGR, grey), or packed ints with B, G and R at fixed shifts (INT_RGB,
 * INT_ARGB, INT_BGR). Lets the detector's letterbox read a frame without copying it to B,G,R bytes first.
 * Grey is read as its sample values, as {@link BgrImage#of} does.
 *
 * @param bytes     the byte samples, or null for packed ints
 * @param ints      the packed int pixels, or null for bytes
 * @param offset    index of the first pixel's first element
 * @param rowStride elements from one row to the next
 * @param pixelStride elements from one pixel to the next (1 for packed ints)
 * @param b         byte offset (or int shift) of blue in a pixel; {@code g}, {@code r} likewise
 */
record InterleavedRaster(int width, int height, byte[] bytes, int[] ints, int offset, int rowStride, int pixelStride,
                         int b, int g, int r) {

    /** B,G,R bytes of a {@link BgrImage}. */
    static InterleavedRaster of(BgrImage image) {
        return new InterleavedRaster(image.width, image.height, image.data, null, 0, image.width * 3, 3, 0, 1, 2);
    }

    /** The image's raster read in place, or null for a layout not listed above (convert it with {@link BgrImage#of}). */
    static InterleavedRaster inPlace(BufferedImage image) {
        int w = image.getWidth();
        int h = image.getHeight();
        Raster raster = image.getRaster();
        if (raster.getMinX() != 0 || raster.getMinY() != 0 || raster.getWidth() != w || raster.getHeight() != h
                || raster.getParent() != null || raster.getDataBuffer().getNumBanks() != 1) {
            return null;
        }
        switch (image.getType()) {
            case BufferedImage.TYPE_3BYTE_BGR, BufferedImage.TYPE_4BYTE_ABGR, BufferedImage.TYPE_4BYTE_ABGR_PRE,
                    BufferedImage.TYPE_BYTE_GRAY -> {
                if (!(raster.getSampleModel() instanceof ComponentSampleModel sm)) {
                    return null;
                }
                byte[] data = ((DataBufferByte) raster.getDataBuffer()).getData();
                int[] bands = sm.getBandOffsets();
                int offset = raster.getDataBuffer().getOffset();
                int bands3 = bands.length;
                // 3BYTE_BGR's bands are R,G,B at offsets 2,1,0; ABGR's R,G,B,A at 3,2,1,0; grey one band
                return bands3 == 1
                        ? new InterleavedRaster(w, h, data, null, offset, sm.getScanlineStride(), sm.getPixelStride(),
                        bands[0], bands[0], bands[0])
                        : new InterleavedRaster(w, h, data, null, offset, sm.getScanlineStride(), sm.getPixelStride(),
                        bands[2], bands[1], bands[0]);
            }
            case BufferedImage.TYPE_INT_RGB, BufferedImage.TYPE_INT_ARGB, BufferedImage.TYPE_INT_ARGB_PRE,
                    BufferedImage.TYPE_INT_BGR -> {
                if (!(raster.getSampleModel() instanceof SinglePixelPackedSampleModel sm)) {
                    return null;
                }
                int[] data = ((DataBufferInt) raster.getDataBuffer()).getData();
                int[] shifts = sm.getBitOffsets(); // R, G, B (then A)
                return new InterleavedRaster(w, h, null, data, raster.getDataBuffer().getOffset(), sm.getScanlineStride(),
                        1, shifts[2], shifts[1], shifts[0]);
            }
            default -> {
                return null;
            }
        }
    }
}
