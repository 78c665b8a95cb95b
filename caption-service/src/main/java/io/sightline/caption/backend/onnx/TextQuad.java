package io.sightline.caption.backend.onnx;

/**
 * A text region as a (possibly rotated) rectangle: corners top-left, top-right, bottom-right,
 * bottom-left as {x, y} pairs in image pixels, with the detector's mean probability inside it.
 */
record TextQuad(double[] tl, double[] tr, double[] br, double[] bl, double score) {

    double topWidth() {
        return Math.hypot(tr[0] - tl[0], tr[1] - tl[1]);
    }

    double leftHeight() {
        return Math.hypot(bl[0] - tl[0], bl[1] - tl[1]);
    }

    /** Crop size as PaddleOCR computes it: the longer of each pair of opposite sides. */
    int cropWidth() {
        return (int) Math.max(topWidth(), Math.hypot(br[0] - bl[0], br[1] - bl[1]));
    }

    int cropHeight() {
        return (int) Math.max(leftHeight(), Math.hypot(br[0] - tr[0], br[1] - tr[1]));
    }

    /** The same quad moved by {@code (dx, dy)}: from a region's pixels to the frame's. */
    TextQuad shifted(double dx, double dy) {
        return new TextQuad(new double[] {tl[0] + dx, tl[1] + dy}, new double[] {tr[0] + dx, tr[1] + dy},
                new double[] {br[0] + dx, br[1] + dy}, new double[] {bl[0] + dx, bl[1] + dy}, score);
    }

    /** Smallest axis-aligned box around the four corners. */
    Box bounds() {
        double x1 = Math.min(Math.min(tl[0], tr[0]), Math.min(br[0], bl[0]));
        double y1 = Math.min(Math.min(tl[1], tr[1]), Math.min(br[1], bl[1]));
        double x2 = Math.max(Math.max(tl[0], tr[0]), Math.max(br[0], bl[0]));
        double y2 = Math.max(Math.max(tl[1], tr[1]), Math.max(br[1], bl[1]));
        return new Box(x1, y1, x2, y2);
    }
}
