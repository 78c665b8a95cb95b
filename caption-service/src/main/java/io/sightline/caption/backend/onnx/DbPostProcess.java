package io.sightline.caption.backend.onnx;

import java.util.ArrayList;
import java.util.List;

/**
 * PaddleOCR's DB post-processing: threshold the probability map, take connected regions, fit each a
 * minimum-area rectangle, keep it when the region's mean probability is high enough, grow it by the
 * unclip distance {@code area * ratio / perimeter}, and scale it to image pixels.
 *
 * <p>The score is PaddleOCR's {@code score_mode="slow"}: the mean over the region's own outline, not
 * over its rectangle. On photographed pages the lines curve, their rectangles take in background, and
 * the rectangle mean ("fast") drops whole lines below 0.6.
 */
final class DbPostProcess {

    static final float BINARY_THRESHOLD = 0.3f;
    static final float BOX_THRESHOLD = 0.6f;
    static final double UNCLIP_RATIO = 1.5;
    static final int MIN_SIZE = 3;
    static final int MAX_CANDIDATES = 1000;

    private DbPostProcess() {
    }

    /**
     * Text regions of a {@code mapWidth x mapHeight} probability map, in the pixels of an
     * {@code imageWidth x imageHeight} image, in no particular order.
     */
    static List<TextQuad> boxes(float[] prob, int mapWidth, int mapHeight, int imageWidth, int imageHeight) {
        List<TextQuad> out = new ArrayList<>();
        for (long[] extremes : regions(prob, mapWidth, mapHeight, BINARY_THRESHOLD, MAX_CANDIDATES)) {
            MinAreaRect.Rect rect = MinAreaRect.around(MinAreaRect.convexHull(extremes));
            if (rect.shortSide() < MIN_SIZE) {
                continue;
            }
            double score = meanOverRows(prob, mapWidth, extremes);
            if (score < BOX_THRESHOLD) {
                continue;
            }
            MinAreaRect.Rect grown = rect.expanded(unclipDistance(rect.width(), rect.height(), UNCLIP_RATIO));
            if (grown.shortSide() < MIN_SIZE + 2) {
                continue;
            }
            double[][] c = grown.corners();
            double sx = (double) imageWidth / mapWidth;
            double sy = (double) imageHeight / mapHeight;
            TextQuad quad = new TextQuad(
                    scale(c[0], sx, sy, imageWidth, imageHeight), scale(c[1], sx, sy, imageWidth, imageHeight),
                    scale(c[2], sx, sy, imageWidth, imageHeight), scale(c[3], sx, sy, imageWidth, imageHeight),
                    score);
            if ((int) quad.topWidth() <= 3 || (int) quad.leftHeight() <= 3) {
                continue; // PaddleOCR's filter_tag_det_res
            }
            out.add(quad);
        }
        return out;
    }

    /** Offset distance of PaddleOCR's unclip for a rectangle: area x ratio / perimeter. */
    static double unclipDistance(double width, double height, double ratio) {
        double perimeter = 2 * (width + height);
        return perimeter == 0 ? 0 : width * height * ratio / perimeter;
    }

    private static double[] scale(double[] p, double sx, double sy, int width, int height) {
        return new double[] {
                Math.min(width, Math.max(0, Math.round(p[0] * sx))),
                Math.min(height, Math.max(0, Math.round(p[1] * sy)))};
    }

    /**
     * 8-connected regions of pixels above the threshold. Each region is returned as the leftmost and
     * rightmost pixel of each of its rows, {x, y, x, y, ...}: enough for its convex hull.
     */
    static List<long[]> regions(float[] prob, int width, int height, float threshold, int limit) {
        int[] label = new int[width * height];
        int[] stack = new int[width * height];
        List<long[]> regions = new ArrayList<>();
        int[] rowMin = new int[height];
        int[] rowMax = new int[height];
        int next = 0;
        for (int start = 0; start < label.length && regions.size() < limit; start++) {
            if (label[start] != 0 || prob[start] <= threshold) {
                continue;
            }
            next++;
            int top = start / width;
            int bottom = top;
            java.util.Arrays.fill(rowMin, Integer.MAX_VALUE);
            java.util.Arrays.fill(rowMax, Integer.MIN_VALUE);
            int sp = 0;
            stack[sp++] = start;
            label[start] = next;
            while (sp > 0) {
                int p = stack[--sp];
                int x = p % width;
                int y = p / width;
                if (x < rowMin[y]) {
                    rowMin[y] = x;
                }
                if (x > rowMax[y]) {
                    rowMax[y] = x;
                }
                top = Math.min(top, y);
                bottom = Math.max(bottom, y);
                for (int dy = -1; dy <= 1; dy++) {
                    int ny = y + dy;
                    if (ny < 0 || ny >= height) {
                        continue;
                    }
                    for (int dx = -1; dx <= 1; dx++) {
                        int nx = x + dx;
                        if (nx < 0 || nx >= width) {
                            continue;
                        }
                        int q = ny * width + nx;
                        if (label[q] == 0 && prob[q] > threshold) {
                            label[q] = next;
                            stack[sp++] = q;
                        }
                    }
                }
            }
            long[] extremes = new long[(bottom - top + 1) * 4];
            int k = 0;
            for (int y = top; y <= bottom; y++) {
                if (rowMin[y] == Integer.MAX_VALUE) {
                    continue;
                }
                extremes[k++] = rowMin[y];
                extremes[k++] = y;
                extremes[k++] = rowMax[y];
                extremes[k++] = y;
            }
            regions.add(java.util.Arrays.copyOf(extremes, k));
        }
        return regions;
    }

    /** Mean probability over a region filled row by row between its extremes (its outline, holes included). */
    static double meanOverRows(float[] prob, int width, long[] extremes) {
        double sum = 0;
        long count = 0;
        for (int i = 0; i + 3 < extremes.length; i += 4) {
            int row = (int) extremes[i + 1] * width;
            for (int x = (int) extremes[i]; x <= extremes[i + 2]; x++) {
                sum += prob[row + x];
                count++;
            }
        }
        return count == 0 ? 0 : sum / count;
    }

    /** Mean probability over the pixels inside a convex quadrilateral (boundary included): PaddleOCR's "fast" score. */
    static double meanInside(float[] prob, int width, int height, double[][] quad) {
        double minX = Double.MAX_VALUE;
        double minY = Double.MAX_VALUE;
        double maxX = -Double.MAX_VALUE;
        double maxY = -Double.MAX_VALUE;
        for (double[] p : quad) {
            minX = Math.min(minX, p[0]);
            minY = Math.min(minY, p[1]);
            maxX = Math.max(maxX, p[0]);
            maxY = Math.max(maxY, p[1]);
        }
        int x0 = Math.max(0, (int) Math.floor(minX));
        int x1 = Math.min(width - 1, (int) Math.ceil(maxX));
        int y0 = Math.max(0, (int) Math.floor(minY));
        int y1 = Math.min(height - 1, (int) Math.ceil(maxY));
        double sum = 0;
        int count = 0;
        for (int y = y0; y <= y1; y++) {
            for (int x = x0; x <= x1; x++) {
                if (inside(quad, x, y)) {
                    sum += prob[y * width + x];
                    count++;
                }
            }
        }
        return count == 0 ? 0 : sum / count;
    }

    private static boolean inside(double[][] quad, double x, double y) {
        // corners run tl, tr, br, bl: clockwise on screen; half a pixel of slack keeps edge pixels in
        for (int i = 0; i < 4; i++) {
            double[] a = quad[i];
            double[] b = quad[(i + 1) % 4];
            double ex = b[0] - a[0];
            double ey = b[1] - a[1];
            double len = Math.hypot(ex, ey);
            if (len == 0) {
                continue;
            }
            double side = (ex * (y - a[1]) - ey * (x - a[0])) / len;
            if (side < -0.5) {
                return false;
            }
        }
        return true;
    }
}
