package io.sightline.caption.backend.onnx;

import java.util.Arrays;

/**
 * YOLOX input: scale by {@code r = min(size/h, size/w)}, bilinear resize to {@code (int)(w*r) x (int)(h*r)},
 * paste at the top-left of a {@code size x size} canvas filled with 114, planar B,G,R floats in 0..255.
 */
record Letterbox(float[] chw, int size, double ratio) {

    static final float PAD = 114f;

    static Letterbox of(BgrImage image, int size) {
        float[] chw = new float[3 * size * size];
        return new Letterbox(chw, size, into(image, size, chw));
    }

    /**
     * Writes the letterbox of {@code image} into {@code chw} (length {@code 3 * size * size}, reused by the caller)
     * and returns the scale ratio. The resize writes straight into the planes: the values are exactly those of
     * {@link BgrImage#resize} (rounded to whole grey levels) followed by the copy into planes, without the
     * intermediate image.
     */
    static double into(BgrImage image, int size, float[] chw) {
        int plane = size * size;
        if (chw.length != 3 * plane) {
            throw new IllegalArgumentException("expected " + 3 * plane + " floats, got " + chw.length);
        }
        double ratio = Math.min((double) size / image.height, (double) size / image.width);
        int w = Math.max(1, (int) (image.width * ratio));
        int h = Math.max(1, (int) (image.height * ratio));
        if (w == image.width && h == image.height) {
            copyPlanes(image.data, w, h, size, chw);
        } else {
            resizePlanes(image, w, h, size, chw);
        }
        for (int c = 0; c < 3; c++) {
            int base = c * plane;
            if (w < size) {
                for (int y = 0; y < h; y++) {
                    Arrays.fill(chw, base + y * size + w, base + (y + 1) * size, PAD);
                }
            }
            Arrays.fill(chw, base + h * size, base + plane, PAD);
        }
        return ratio;
    }

    private static void copyPlanes(byte[] px, int w, int h, int size, float[] chw) {
        int plane = size * size;
        for (int y = 0; y < h; y++) {
            int row = y * size;
            int src = y * w * 3;
            for (int x = 0; x < w; x++, src += 3) {
                chw[row + x] = px[src] & 0xff;
                chw[plane + row + x] = px[src + 1] & 0xff;
                chw[2 * plane + row + x] = px[src + 2] & 0xff;
            }
        }
    }

    private static void resizePlanes(BgrImage image, int w, int h, int size, float[] chw) {
        int plane = size * size;
        int[] x0 = new int[w];
        int[] x1 = new int[w];
        float[] wx = new float[w];
        BgrImage.axis(image.width, w, x0, x1, wx);
        int[] y0 = new int[h];
        int[] y1 = new int[h];
        float[] wy = new float[h];
        BgrImage.axis(image.height, h, y0, y1, wy);
        byte[] data = image.data;
        int stride = image.width * 3;
        for (int y = 0; y < h; y++) {
            int r0 = y0[y] * stride;
            int r1 = y1[y] * stride;
            float fy = wy[y];
            int row = y * size;
            for (int x = 0; x < w; x++) {
                int c0 = x0[x] * 3;
                int c1 = x1[x] * 3;
                float fx = wx[x];
                for (int c = 0; c < 3; c++) {
                    float top = (data[r0 + c0 + c] & 0xff) * (1 - fx) + (data[r0 + c1 + c] & 0xff) * fx;
                    float bottom = (data[r1 + c0 + c] & 0xff) * (1 - fx) + (data[r1 + c1 + c] & 0xff) * fx;
                    chw[c * plane + row + x] = Math.min(255, Math.round(top * (1 - fy) + bottom * fy));
                }
            }
        }
    }
}
