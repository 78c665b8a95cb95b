package io.sightline.caption.backend.onnx;

import java.util.ArrayList;
import java.util.List;

/**
 * Where the half-resolution text pass says text may be: the probability map cut at a deliberately low threshold,
 * each connected blob's bounding box in frame pixels, padded by two line heights (DB's unclip grows a line by about
 * one, and the detector needs the line's surroundings to find the same box it finds in the whole frame: with one
 * line height, an upside-down line came out a pixel different and was read differently), aligned to the detector's 32 px grid and merged
 * while any two overlap. The full-resolution pass then runs on these regions only.
 */
final class CoarseTextMap {

    /** The coarse pass runs at half the frame's own resolution: 16 px print is still 8 px there, and found. */
    static final double SCALE = 0.5;
    /**
     * Below DB's own 0.3: a miss here loses the text for good, a false mark costs one small region pass. The map
     * of these models is almost binary (photos without text stay below 0.01), so the value is not critical.
     */
    static final float THRESHOLD = 0.1f;
    /** Regions covering more than this share of the frame: one whole-frame pass is cheaper than the crops. */
    static final double WHOLE_FRAME_SHARE = 0.5;
    /** Least padding around a marked blob, frame pixels. */
    static final int MIN_PAD = 32;
    static final int ALIGN = 32;

    /**
     * A region of the frame to run the full-resolution pass on, in frame pixels, and the detector input size it is
     * resized to (multiples of 32, at the full pass's scale).
     */
    record Region(int x, int y, int width, int height, int inputWidth, int inputHeight) {
        long area() {
            return (long) width * height;
        }
    }

    private CoarseTextMap() {
    }

    /** The coarse pass's input size for a {@code width x height} frame: half of it, multiples of 32. */
    static int[] inputSize(int width, int height) {
        return new int[] {align(width * SCALE), align(height * SCALE)};
    }

    private static int align(double side) {
        return Math.max(ALIGN, (int) Math.round(side / ALIGN) * ALIGN);
    }

    /**
     * Regions of a {@code mapWidth x mapHeight} coarse map, in a {@code imageWidth x imageHeight} frame whose
     * full-resolution pass runs at {@code fineScaleX, fineScaleY} (input pixels per frame pixel). Empty when nothing
     * reaches the threshold.
     */
    static List<Region> regions(float[] prob, int mapWidth, int mapHeight, int imageWidth, int imageHeight,
                                double fineScaleX, double fineScaleY) {
        double sx = (double) imageWidth / mapWidth;
        double sy = (double) imageHeight / mapHeight;
        List<int[]> boxes = new ArrayList<>();
        for (long[] blob : DbPostProcess.regions(prob, mapWidth, mapHeight, THRESHOLD, DbPostProcess.MAX_CANDIDATES)) {
            long x0 = Long.MAX_VALUE;
            long x1 = Long.MIN_VALUE;
            long y0 = Long.MAX_VALUE;
            long y1 = Long.MIN_VALUE;
            for (int i = 0; i + 1 < blob.length; i += 2) {
                x0 = Math.min(x0, blob[i]);
                x1 = Math.max(x1, blob[i]);
                y0 = Math.min(y0, blob[i + 1]);
                y1 = Math.max(y1, blob[i + 1]);
            }
            int left = (int) Math.floor(x0 * sx);
            int right = (int) Math.ceil((x1 + 1) * sx);
            int top = (int) Math.floor(y0 * sy);
            int bottom = (int) Math.ceil((y1 + 1) * sy);
            int pad = Math.max(MIN_PAD, 2 * (bottom - top));
            boxes.add(aligned(left - pad, top - pad, right + pad, bottom + pad, imageWidth, imageHeight,
                    fineScaleX, fineScaleY));
        }
        merge(boxes, imageWidth, imageHeight, fineScaleX, fineScaleY);
        List<Region> regions = new ArrayList<>(boxes.size());
        for (int[] b : boxes) {
            int w = b[2] - b[0];
            int h = b[3] - b[1];
            regions.add(new Region(b[0], b[1], w, h, align(w * fineScaleX), align(h * fineScaleY)));
        }
        return regions;
    }

    /** Total area of regions (they do not overlap). */
    static long area(List<Region> regions) {
        long sum = 0;
        for (Region r : regions) {
            sum += r.area();
        }
        return sum;
    }

    /** {x0, y0, x1, y1} widened to the full pass's 32-px grid and clipped to the frame. */
    private static int[] aligned(int x0, int y0, int x1, int y1, int width, int height, double fsx, double fsy) {
        double gx = ALIGN / fsx;
        double gy = ALIGN / fsy;
        int ax0 = Math.max(0, (int) Math.floor(Math.floor(Math.max(0, x0) / gx) * gx));
        int ay0 = Math.max(0, (int) Math.floor(Math.floor(Math.max(0, y0) / gy) * gy));
        int ax1 = Math.min(width, (int) Math.ceil(Math.ceil(Math.min(width, x1) / gx) * gx));
        int ay1 = Math.min(height, (int) Math.ceil(Math.ceil(Math.min(height, y1) / gy) * gy));
        return new int[] {ax0, ay0, Math.max(ax0 + 1, ax1), Math.max(ay0 + 1, ay1)};
    }

    private static void merge(List<int[]> boxes, int width, int height, double fsx, double fsy) {
        boolean merged = true;
        while (merged) {
            merged = false;
            outer:
            for (int i = 0; i < boxes.size(); i++) {
                for (int j = i + 1; j < boxes.size(); j++) {
                    int[] a = boxes.get(i);
                    int[] b = boxes.get(j);
                    if (a[0] < b[2] && b[0] < a[2] && a[1] < b[3] && b[1] < a[3]) {
                        boxes.set(i, aligned(Math.min(a[0], b[0]), Math.min(a[1], b[1]), Math.max(a[2], b[2]),
                                Math.max(a[3], b[3]), width, height, fsx, fsy));
                        boxes.remove(j);
                        merged = true;
                        break outer;
                    }
                }
            }
        }
    }
}
