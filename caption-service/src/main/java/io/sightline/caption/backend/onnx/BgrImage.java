package io.sightline.caption.backend.onnx;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.awt.image.DataBufferInt;
import java.awt.image.Raster;

/**
 * An 8-bit image as interleaved B,G,R bytes (OpenCV's layout), the form both models were trained on.
 * Resampling follows OpenCV's INTER_LINEAR (half-pixel centres, clamped borders) so tensors match the
 * reference Python pipelines.
 */
final class BgrImage {

    final int width;
    final int height;
    /** {@code width * height * 3} bytes, row-major, B,G,R per pixel. */
    final byte[] data;

    BgrImage(int width, int height, byte[] data) {
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("image must not be empty: " + width + "x" + height);
        }
        if (data.length != width * height * 3) {
            throw new IllegalArgumentException("expected " + width * height * 3 + " bytes, got " + data.length);
        }
        this.width = width;
        this.height = height;
        this.data = data;
    }

    /**
     * Reads the pixels straight from the raster where the layout is known. Grey images are read as
     * their sample values: {@link BufferedImage#getRGB} would push them through a linear-to-sRGB
     * conversion and brighten them.
     */
    static BgrImage of(BufferedImage image) {
        int w = image.getWidth();
        int h = image.getHeight();
        byte[] out = new byte[w * h * 3];
        Raster raster = image.getRaster();
        boolean wholeRaster = raster.getMinX() == 0 && raster.getMinY() == 0
                && raster.getWidth() == w && raster.getHeight() == h && raster.getParent() == null;
        switch (wholeRaster ? image.getType() : BufferedImage.TYPE_CUSTOM) {
            case BufferedImage.TYPE_3BYTE_BGR -> {
                byte[] src = ((DataBufferByte) raster.getDataBuffer()).getData();
                System.arraycopy(src, 0, out, 0, out.length);
            }
            case BufferedImage.TYPE_4BYTE_ABGR, BufferedImage.TYPE_4BYTE_ABGR_PRE -> {
                byte[] src = ((DataBufferByte) raster.getDataBuffer()).getData();
                for (int i = 0, j = 0; j < out.length; i += 4, j += 3) {
                    out[j] = src[i + 1];
                    out[j + 1] = src[i + 2];
                    out[j + 2] = src[i + 3];
                }
            }
            case BufferedImage.TYPE_BYTE_GRAY -> {
                byte[] src = ((DataBufferByte) raster.getDataBuffer()).getData();
                for (int i = 0, j = 0; i < src.length && j < out.length; i++, j += 3) {
                    out[j] = src[i];
                    out[j + 1] = src[i];
                    out[j + 2] = src[i];
                }
            }
            case BufferedImage.TYPE_INT_RGB, BufferedImage.TYPE_INT_ARGB, BufferedImage.TYPE_INT_ARGB_PRE -> {
                int[] src = ((DataBufferInt) raster.getDataBuffer()).getData();
                for (int i = 0, j = 0; j < out.length; i++, j += 3) {
                    int p = src[i];
                    out[j] = (byte) p;
                    out[j + 1] = (byte) (p >> 8);
                    out[j + 2] = (byte) (p >> 16);
                }
            }
            case BufferedImage.TYPE_INT_BGR -> {
                int[] src = ((DataBufferInt) raster.getDataBuffer()).getData();
                for (int i = 0, j = 0; j < out.length; i++, j += 3) {
                    int p = src[i];
                    out[j] = (byte) (p >> 16);
                    out[j + 1] = (byte) (p >> 8);
                    out[j + 2] = (byte) p;
                }
            }
            default -> {
                if (raster.getNumBands() == 1 && raster.getSampleModel().getSampleSize(0) == 8) {
                    int[] row = new int[w];
                    for (int y = 0; y < h; y++) {
                        raster.getSamples(0, y, w, 1, 0, row);
                        for (int x = 0, j = y * w * 3; x < w; x++, j += 3) {
                            byte v = (byte) row[x];
                            out[j] = v;
                            out[j + 1] = v;
                            out[j + 2] = v;
                        }
                    }
                } else {
                    int[] row = new int[w];
                    for (int y = 0; y < h; y++) {
                        image.getRGB(0, y, w, 1, row, 0, w);
                        for (int x = 0, j = y * w * 3; x < w; x++, j += 3) {
                            int p = row[x];
                            out[j] = (byte) p;
                            out[j + 1] = (byte) (p >> 8);
                            out[j + 2] = (byte) (p >> 16);
                        }
                    }
                }
            }
        }
        return new BgrImage(w, h, out);
    }

    int at(int x, int y, int channel) {
        return data[(y * width + x) * 3 + channel] & 0xff;
    }

    /** The {@code w x h} rectangle at {@code (x, y)}, which must lie inside the image. */
    BgrImage crop(int x, int y, int w, int h) {
        if (x < 0 || y < 0 || w <= 0 || h <= 0 || x + w > width || y + h > height) {
            throw new IllegalArgumentException("crop " + w + "x" + h + " at " + x + "," + y + " outside " + width + "x"
                    + height);
        }
        if (x == 0 && y == 0 && w == width && h == height) {
            return this;
        }
        byte[] out = new byte[w * h * 3];
        for (int row = 0; row < h; row++) {
            System.arraycopy(data, ((y + row) * width + x) * 3, out, row * w * 3, w * 3);
        }
        return new BgrImage(w, h, out);
    }

    /** Bilinear resize as OpenCV's {@code cv2.resize(..., INTER_LINEAR)}. */
    BgrImage resize(int newWidth, int newHeight) {
        if (newWidth == width && newHeight == height) {
            return this;
        }
        int[] x0 = new int[newWidth];
        int[] x1 = new int[newWidth];
        float[] wx = new float[newWidth];
        axis(width, newWidth, x0, x1, wx);
        int[] y0 = new int[newHeight];
        int[] y1 = new int[newHeight];
        float[] wy = new float[newHeight];
        axis(height, newHeight, y0, y1, wy);
        byte[] out = new byte[newWidth * newHeight * 3];
        int stride = width * 3;
        for (int y = 0; y < newHeight; y++) {
            int r0 = y0[y] * stride;
            int r1 = y1[y] * stride;
            float fy = wy[y];
            int o = y * newWidth * 3;
            for (int x = 0; x < newWidth; x++) {
                int c0 = x0[x] * 3;
                int c1 = x1[x] * 3;
                float fx = wx[x];
                for (int c = 0; c < 3; c++) {
                    float top = (data[r0 + c0 + c] & 0xff) * (1 - fx) + (data[r0 + c1 + c] & 0xff) * fx;
                    float bottom = (data[r1 + c0 + c] & 0xff) * (1 - fx) + (data[r1 + c1 + c] & 0xff) * fx;
                    out[o++] = (byte) Math.min(255, Math.round(top * (1 - fy) + bottom * fy));
                }
            }
        }
        return new BgrImage(newWidth, newHeight, out);
    }

    static void axis(int src, int dst, int[] i0, int[] i1, float[] w) {
        double scale = (double) src / dst;
        for (int d = 0; d < dst; d++) {
            double s = (d + 0.5) * scale - 0.5;
            if (s < 0) {
                s = 0;
            }
            int a = (int) Math.floor(s);
            if (a >= src - 1) {
                i0[d] = src - 1;
                i1[d] = src - 1;
                w[d] = 0;
            } else {
                i0[d] = a;
                i1[d] = a + 1;
                w[d] = (float) (s - a);
            }
        }
    }

    /**
     * Cuts out the rectangle with corners {@code tl, tr, br, bl} (any rotation) as an upright
     * {@code outWidth x outHeight} image: destination (u, v) samples {@code tl + u/w (tr-tl) + v/h (bl-tl)},
     * bilinear, borders replicated, as PaddleOCR's perspective crop does for a rectangle.
     */
    BgrImage warpRectangle(double[] tl, double[] tr, double[] bl, int outWidth, int outHeight) {
        byte[] out = new byte[outWidth * outHeight * 3];
        double ux = (tr[0] - tl[0]) / outWidth;
        double uy = (tr[1] - tl[1]) / outWidth;
        double vx = (bl[0] - tl[0]) / outHeight;
        double vy = (bl[1] - tl[1]) / outHeight;
        int o = 0;
        for (int v = 0; v < outHeight; v++) {
            for (int u = 0; u < outWidth; u++) {
                double sx = tl[0] + u * ux + v * vx;
                double sy = tl[1] + u * uy + v * vy;
                int xa = (int) Math.floor(sx);
                int ya = (int) Math.floor(sy);
                double fx = sx - xa;
                double fy = sy - ya;
                int xA = clamp(xa, width - 1);
                int xB = clamp(xa + 1, width - 1);
                int yA = clamp(ya, height - 1);
                int yB = clamp(ya + 1, height - 1);
                for (int c = 0; c < 3; c++) {
                    double top = at(xA, yA, c) * (1 - fx) + at(xB, yA, c) * fx;
                    double bottom = at(xA, yB, c) * (1 - fx) + at(xB, yB, c) * fx;
                    out[o++] = (byte) Math.min(255, (int) Math.round(top * (1 - fy) + bottom * fy));
                }
            }
        }
        return new BgrImage(outWidth, outHeight, out);
    }

    /** Turned 90 degrees counter-clockwise ({@code np.rot90}): used for tall crops of vertical text. */
    BgrImage rotate90CounterClockwise() {
        byte[] out = new byte[data.length];
        int newWidth = height;
        int newHeight = width;
        for (int y = 0; y < newHeight; y++) {
            for (int x = 0; x < newWidth; x++) {
                int src = (x * width + (width - 1 - y)) * 3;
                int dst = (y * newWidth + x) * 3;
                out[dst] = data[src];
                out[dst + 1] = data[src + 1];
                out[dst + 2] = data[src + 2];
            }
        }
        return new BgrImage(newWidth, newHeight, out);
    }

    BgrImage rotate180() {
        byte[] out = new byte[data.length];
        int pixels = width * height;
        for (int i = 0; i < pixels; i++) {
            int j = pixels - 1 - i;
            out[j * 3] = data[i * 3];
            out[j * 3 + 1] = data[i * 3 + 1];
            out[j * 3 + 2] = data[i * 3 + 2];
        }
        return new BgrImage(width, height, out);
    }

    private static int clamp(int v, int max) {
        return v < 0 ? 0 : Math.min(v, max);
    }
}
