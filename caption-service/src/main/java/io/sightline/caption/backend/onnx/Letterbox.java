package io.sightline.caption.backend.onnx;

/**
 * YOLOX input: scale by {@code r = min(size/h, size/w)}, bilinear resize to {@code (int)(w*r) x (int)(h*r)},
 * paste at the top-left of a {@code size x size} canvas filled with 114, planar B,G,R floats in 0..255.
 */
record Letterbox(float[] chw, int size, double ratio) {

    static final float PAD = 114f;

    static Letterbox of(BgrImage image, int size) {
        double ratio = Math.min((double) size / image.height, (double) size / image.width);
        int w = Math.max(1, (int) (image.width * ratio));
        int h = Math.max(1, (int) (image.height * ratio));
        BgrImage resized = image.resize(w, h);
        int plane = size * size;
        float[] chw = new float[3 * plane];
        java.util.Arrays.fill(chw, PAD);
        byte[] px = resized.data;
        for (int y = 0; y < h; y++) {
            int row = y * size;
            int src = y * w * 3;
            for (int x = 0; x < w; x++, src += 3) {
                chw[row + x] = px[src] & 0xff;
                chw[plane + row + x] = px[src + 1] & 0xff;
                chw[2 * plane + row + x] = px[src + 2] & 0xff;
            }
        }
        return new Letterbox(chw, size, ratio);
    }
}
