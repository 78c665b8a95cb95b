package io.sightline.caption.backend.onnx;

import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Decodes YOLOX's raw head {@code [cells, 5 + classes]} for a square input: cells are the grids of
 * strides 8, 16, 32 (rows then columns); {@code cx = (p0 + gx) * s}, {@code w = exp(p2) * s};
 * objectness and class scores are already sigmoid, score = obj x class.
 */
final class YoloxDecoder {

    static final int[] STRIDES = {8, 16, 32};

    private YoloxDecoder() {
    }

    static int cellCount(int inputSize) {
        int cells = 0;
        for (int s : STRIDES) {
            cells += (inputSize / s) * (inputSize / s);
        }
        return cells;
    }

    /**
     * Candidates above {@code scoreThreshold}, one per (cell, class), boxes divided by {@code ratio} and
     * clipped to the original image. Reads {@code raw} at absolute positions (ORT's output buffer as it is, no
     * copy); only cells whose objectness passes the threshold are decoded.
     */
    static List<ScoredBox> candidates(FloatBuffer raw, int inputSize, int classes, double ratio,
                                      float scoreThreshold, int imageWidth, int imageHeight) {
        int stride = 5 + classes;
        int cells = cellCount(inputSize);
        if (raw.capacity() != cells * stride) {
            throw new IllegalArgumentException("expected " + cells + "x" + stride + " outputs, got " + raw.capacity());
        }
        List<ScoredBox> out = new ArrayList<>();
        int cell = 0;
        for (int s : STRIDES) {
            int grid = inputSize / s;
            for (int gy = 0; gy < grid; gy++) {
                for (int gx = 0; gx < grid; gx++, cell++) {
                    int o = cell * stride;
                    float objectness = raw.get(o + 4);
                    if (objectness < scoreThreshold) {
                        continue; // class scores are <= 1, so no class can pass
                    }
                    double cx = (raw.get(o) + gx) * s;
                    double cy = (raw.get(o + 1) + gy) * s;
                    double w = Math.exp(raw.get(o + 2)) * s;
                    double h = Math.exp(raw.get(o + 3)) * s;
                    Box box = null;
                    for (int c = 0; c < classes; c++) {
                        float score = objectness * raw.get(o + 5 + c);
                        if (score >= scoreThreshold) {
                            if (box == null) {
                                box = new Box(cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)
                                        .scaled(1 / ratio).clipped(imageWidth, imageHeight);
                            }
                            if (box.area() > 0) {
                                out.add(new ScoredBox(c, score, box));
                            }
                        }
                    }
                }
            }
        }
        return out;
    }
}
