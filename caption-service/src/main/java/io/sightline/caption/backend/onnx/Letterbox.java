package io.sightline.caption.backend.onnx;

import java.nio.FloatBuffer;

/**
 * YOLOX input: scale by {@code r = min(size/h, size/w)}, bilinear resize to {@code (int)(w*r) x (int)(h*r)},
 * paste at the top-left of a {@code size x size} canvas filled with 114, planar B,G,R floats in 0..255.
 *
 * <p>One per reused input tensor: it reads the frame's raster in place ({@link InterleavedRaster}) and writes the
 * resized pixels straight into the tensor's buffer. The resize's index and weight tables are kept for the last
 * source size, and the padding is written only when the pasted size changes (nothing else writes there). The
 * values are exactly those of {@link BgrImage#resize} (rounded to whole grey levels) copied into planes. Not
 * thread-safe.
 */
final class Letterbox {

    static final float PAD = 114f;

    /** A letterbox in a float array (tests, benches). */
    record Planes(float[] chw, double ratio) {
    }

    private final int size;
    private final float[] rowB;
    private final float[] rowG;
    private final float[] rowR;
    private int sourceWidth = -1;
    private int sourceHeight = -1;
    private int width;
    private int height;
    private double ratio;
    private int[] x0;
    private int[] x1;
    private float[] wx;
    private int[] y0;
    private int[] y1;
    private float[] wy;
    private FloatBuffer paddedTarget;
    private int paddedWidth = -1;
    private int paddedHeight = -1;

    Letterbox(int size) {
        this.size = size;
        this.rowB = new float[size];
        this.rowG = new float[size];
        this.rowR = new float[size];
    }

    static Planes of(BgrImage image, int size) {
        float[] chw = new float[3 * size * size];
        double ratio = new Letterbox(size).write(InterleavedRaster.of(image), FloatBuffer.wrap(chw));
        return new Planes(chw, ratio);
    }

    /**
     * Writes the letterbox of {@code image} into {@code target} (absolute positions {@code 0 .. 3*size*size}) and
     * returns the scale ratio.
     */
    double write(InterleavedRaster image, FloatBuffer target) {
        if (target.capacity() != 3 * size * size) {
            throw new IllegalArgumentException("expected " + 3 * size * size + " floats, got " + target.capacity());
        }
        if (image.width() != sourceWidth || image.height() != sourceHeight) {
            tables(image.width(), image.height());
        }
        if (image.bytes() != null) {
            resizeBytes(image, target);
        } else {
            resizeInts(image, target);
        }
        if (target != paddedTarget || width != paddedWidth || height != paddedHeight) {
            pad(target);
        }
        return ratio;
    }

    private void tables(int srcWidth, int srcHeight) {
        ratio = Math.min((double) size / srcHeight, (double) size / srcWidth);
        width = Math.max(1, (int) (srcWidth * ratio));
        height = Math.max(1, (int) (srcHeight * ratio));
        x0 = new int[width];
        x1 = new int[width];
        wx = new float[width];
        BgrImage.axis(srcWidth, width, x0, x1, wx);
        y0 = new int[height];
        y1 = new int[height];
        wy = new float[height];
        BgrImage.axis(srcHeight, height, y0, y1, wy);
        sourceWidth = srcWidth;
        sourceHeight = srcHeight;
    }

    private void pad(FloatBuffer target) {
        int plane = size * size;
        for (int c = 0; c < 3; c++) {
            int base = c * plane;
            for (int y = 0; y < height; y++) {
                for (int i = base + y * size + width; i < base + (y + 1) * size; i++) {
                    target.put(i, PAD);
                }
            }
            for (int i = base + height * size; i < base + plane; i++) {
                target.put(i, PAD);
            }
        }
        paddedTarget = target;
        paddedWidth = width;
        paddedHeight = height;
    }

    // same expression as BgrImage.resize, so the floats are identical; an unscaled frame has weights 0 and
    // reads each pixel as is
    private void resizeBytes(InterleavedRaster image, FloatBuffer target) {
        int plane = size * size;
        byte[] data = image.bytes();
        int ps = image.pixelStride();
        int ob = image.b();
        int og = image.g();
        int or = image.r();
        for (int y = 0; y < height; y++) {
            int r0 = image.offset() + y0[y] * image.rowStride();
            int r1 = image.offset() + y1[y] * image.rowStride();
            float fy = wy[y];
            float gy = 1 - fy;
            for (int x = 0; x < width; x++) {
                int c0 = x0[x] * ps;
                int c1 = x1[x] * ps;
                float fx = wx[x];
                float gx = 1 - fx;
                rowB[x] = blend(data, r0 + c0 + ob, r0 + c1 + ob, r1 + c0 + ob, r1 + c1 + ob, fx, gx, fy, gy);
                rowG[x] = blend(data, r0 + c0 + og, r0 + c1 + og, r1 + c0 + og, r1 + c1 + og, fx, gx, fy, gy);
                rowR[x] = blend(data, r0 + c0 + or, r0 + c1 + or, r1 + c0 + or, r1 + c1 + or, fx, gx, fy, gy);
            }
            putRow(target, y * size, plane);
        }
    }

    /** One resized row of each plane into the target: bulk copies, the resize loop stays on heap arrays. */
    private void putRow(FloatBuffer target, int row, int plane) {
        target.put(row, rowB, 0, width);
        target.put(plane + row, rowG, 0, width);
        target.put(2 * plane + row, rowR, 0, width);
    }

    private static float blend(byte[] d, int a, int b, int c, int e, float fx, float gx, float fy, float gy) {
        float top = (d[a] & 0xff) * gx + (d[b] & 0xff) * fx;
        float bottom = (d[c] & 0xff) * gx + (d[e] & 0xff) * fx;
        return Math.min(255, Math.round(top * gy + bottom * fy));
    }

    private void resizeInts(InterleavedRaster image, FloatBuffer target) {
        int plane = size * size;
        int[] data = image.ints();
        int sb = image.b();
        int sg = image.g();
        int sr = image.r();
        for (int y = 0; y < height; y++) {
            int r0 = image.offset() + y0[y] * image.rowStride();
            int r1 = image.offset() + y1[y] * image.rowStride();
            float fy = wy[y];
            float gy = 1 - fy;
            for (int x = 0; x < width; x++) {
                int p00 = data[r0 + x0[x]];
                int p01 = data[r0 + x1[x]];
                int p10 = data[r1 + x0[x]];
                int p11 = data[r1 + x1[x]];
                float fx = wx[x];
                float gx = 1 - fx;
                rowB[x] = blend(p00, p01, p10, p11, sb, fx, gx, fy, gy);
                rowG[x] = blend(p00, p01, p10, p11, sg, fx, gx, fy, gy);
                rowR[x] = blend(p00, p01, p10, p11, sr, fx, gx, fy, gy);
            }
            putRow(target, y * size, plane);
        }
    }

    private static float blend(int p00, int p01, int p10, int p11, int shift, float fx, float gx, float fy, float gy) {
        float top = ((p00 >> shift) & 0xff) * gx + ((p01 >> shift) & 0xff) * fx;
        float bottom = ((p10 >> shift) & 0xff) * gx + ((p11 >> shift) & 0xff) * fx;
        return Math.min(255, Math.round(top * gy + bottom * fy));
    }
}
