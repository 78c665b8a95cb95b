package io.sightline.capture.image;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentSampleModel;
import java.awt.image.DataBufferByte;

/**
 * Downscaling of TYPE_3BYTE_BGR images on the raw bytes: 2x2 box halving while the image is at least
 * twice the target, then bilinear to the exact size. Java2D's bilinear drawImage takes a generic
 * path for 3-byte BGR and cost most of the per-frame budget (see bench/capture/RESULTS.md).
 */
final class BgrResampler {

    private BgrResampler() {
    }

    /** The image as TYPE_3BYTE_BGR (the same instance when it already is). */
    static BufferedImage toBgr(BufferedImage source) {
        if (isPlainBgr(source)) {
            return source;
        }
        BufferedImage out = new BufferedImage(source.getWidth(), source.getHeight(), BufferedImage.TYPE_3BYTE_BGR);
        Graphics2D g = out.createGraphics();
        try {
            if (source.getColorModel().hasAlpha()) {
                g.setColor(Color.WHITE);
                g.fillRect(0, 0, out.getWidth(), out.getHeight());
            }
            g.drawImage(source, 0, 0, null);
        } finally {
            g.dispose();
        }
        return out;
    }

    /** Packed B,G,R bytes, rows without padding, starting at offset 0: what the loops below can index directly. */
    private static boolean isPlainBgr(BufferedImage image) {
        if (image.getType() != BufferedImage.TYPE_3BYTE_BGR
                || !(image.getRaster().getDataBuffer() instanceof DataBufferByte buffer)
                || !(image.getSampleModel() instanceof ComponentSampleModel model)) {
            return false;
        }
        int[] offsets = model.getBandOffsets();
        return buffer.getOffset() == 0 && model.getPixelStride() == 3 && model.getScanlineStride() == image.getWidth() * 3
                && offsets.length == 3 && offsets[0] == 2 && offsets[1] == 1 && offsets[2] == 0
                && image.getRaster().getSampleModelTranslateX() == 0 && image.getRaster().getSampleModelTranslateY() == 0
                && buffer.getData().length >= image.getWidth() * image.getHeight() * 3;
    }

    /** A new TYPE_3BYTE_BGR image of the target size (a copy even when the size does not change). */
    static BufferedImage resize(BufferedImage bgr, int targetW, int targetH) {
        byte[] src = ((DataBufferByte) bgr.getRaster().getDataBuffer()).getData();
        int w = bgr.getWidth();
        int h = bgr.getHeight();
        while (w / 2 >= targetW && h / 2 >= targetH && w >= 2 && h >= 2) {
            src = halve(src, w, h);
            w /= 2;
            h /= 2;
        }
        BufferedImage out = new BufferedImage(targetW, targetH, BufferedImage.TYPE_3BYTE_BGR);
        byte[] dst = ((DataBufferByte) out.getRaster().getDataBuffer()).getData();
        if (w == targetW && h == targetH) {
            System.arraycopy(src, 0, dst, 0, dst.length);
        } else {
            bilinear(src, w, h, dst, targetW, targetH);
        }
        return out;
    }

    private static byte[] halve(byte[] src, int w, int h) {
        int hw = w / 2;
        int hh = h / 2;
        byte[] dst = new byte[hw * hh * 3];
        int srcStride = w * 3;
        for (int y = 0; y < hh; y++) {
            int row0 = 2 * y * srcStride;
            int row1 = row0 + srcStride;
            int d = y * hw * 3;
            for (int x = 0; x < hw; x++) {
                int s = x * 6;
                for (int c = 0; c < 3; c++) {
                    int sum = (src[row0 + s + c] & 0xFF) + (src[row0 + s + 3 + c] & 0xFF)
                            + (src[row1 + s + c] & 0xFF) + (src[row1 + s + 3 + c] & 0xFF);
                    dst[d++] = (byte) ((sum + 2) >> 2);
                }
            }
        }
        return dst;
    }

    private static void bilinear(byte[] src, int sw, int sh, byte[] dst, int dw, int dh) {
        int srcStride = sw * 3;
        // 16.16 fixed point, pixel centres aligned
        long xStep = ((long) sw << 16) / dw;
        long yStep = ((long) sh << 16) / dh;
        int[] x0 = new int[dw];
        int[] xf = new int[dw];
        for (int x = 0; x < dw; x++) {
            long sx = Math.max(0, (x * xStep) + (xStep >> 1) - (1 << 15));
            int ix = (int) (sx >> 16);
            if (ix >= sw - 1) {
                x0[x] = (sw - 1) * 3;
                xf[x] = 0;
            } else {
                x0[x] = ix * 3;
                xf[x] = (int) ((sx >> 8) & 0xFF);
            }
        }
        int d = 0;
        for (int y = 0; y < dh; y++) {
            long sy = Math.max(0, (y * yStep) + (yStep >> 1) - (1 << 15));
            int iy = (int) (sy >> 16);
            int fy = (int) ((sy >> 8) & 0xFF);
            if (iy >= sh - 1) {
                iy = sh - 1;
                fy = 0;
            }
            int row0 = iy * srcStride;
            int row1 = iy < sh - 1 ? row0 + srcStride : row0;
            for (int x = 0; x < dw; x++) {
                int p = x0[x];
                int fx = xf[x];
                int q = fx == 0 ? p : p + 3;
                for (int c = 0; c < 3; c++) {
                    int top = (src[row0 + p + c] & 0xFF) * (256 - fx) + (src[row0 + q + c] & 0xFF) * fx;
                    int bottom = (src[row1 + p + c] & 0xFF) * (256 - fx) + (src[row1 + q + c] & 0xFF) * fx;
                    dst[d++] = (byte) ((top * (256 - fy) + bottom * fy + (1 << 15)) >> 16);
                }
            }
        }
    }
}
