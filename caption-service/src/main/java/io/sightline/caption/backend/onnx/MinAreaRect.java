package io.sightline.caption.backend.onnx;

import java.util.Arrays;
import java.util.Comparator;

/**
 * Geometry behind DB post-processing: convex hull (monotone chain) and the minimum-area enclosing
 * rectangle (rotating calipers), like OpenCV's {@code convexHull} and {@code minAreaRect}.
 */
final class MinAreaRect {

    /** Corners in PaddleOCR's {@code get_mini_boxes} order: tl, tr, br, bl; sides are width and height. */
    record Rect(double[][] corners, double width, double height) {

        double shortSide() {
            return Math.min(width, height);
        }

        /**
         * The rectangle grown by {@code distance} on every side. For a rectangle this equals the
         * min-area rectangle of PaddleOCR's round-joined polygon offset ("unclip").
         */
        Rect expanded(double distance) {
            double[][] grown = new double[4][];
            for (int i = 0; i < 4; i++) {
                double[] c = corners[i];
                double[] along = unit(corners[(i + 1) % 4], c);
                double[] back = unit(corners[(i + 3) % 4], c);
                // move each corner outward along both sides meeting at it
                grown[i] = new double[] {c[0] - (along[0] + back[0]) * distance, c[1] - (along[1] + back[1]) * distance};
            }
            return of(grown);
        }

        private static double[] unit(double[] to, double[] from) {
            double dx = to[0] - from[0];
            double dy = to[1] - from[1];
            double len = Math.hypot(dx, dy);
            return len == 0 ? new double[] {0, 0} : new double[] {dx / len, dy / len};
        }

        /** Orders four rectangle corners as tl, tr, br, bl the way {@code get_mini_boxes} does. */
        static Rect of(double[][] points) {
            double[][] p = points.clone();
            Arrays.sort(p, Comparator.comparingDouble(a -> a[0]));
            double[] tl;
            double[] bl;
            if (p[1][1] > p[0][1]) {
                tl = p[0];
                bl = p[1];
            } else {
                tl = p[1];
                bl = p[0];
            }
            double[] tr;
            double[] br;
            if (p[3][1] > p[2][1]) {
                tr = p[2];
                br = p[3];
            } else {
                tr = p[3];
                br = p[2];
            }
            double w = Math.hypot(tr[0] - tl[0], tr[1] - tl[1]);
            double h = Math.hypot(bl[0] - tl[0], bl[1] - tl[1]);
            return new Rect(new double[][] {tl, tr, br, bl}, w, h);
        }
    }

    private MinAreaRect() {
    }

    /** Convex hull, counter-clockwise without collinear points, of points given as {x0, y0, x1, y1, ...}. */
    static long[][] convexHull(long[] xy) {
        int n = xy.length / 2;
        long[][] pts = new long[n][];
        for (int i = 0; i < n; i++) {
            pts[i] = new long[] {xy[2 * i], xy[2 * i + 1]};
        }
        Arrays.sort(pts, (a, b) -> a[0] != b[0] ? Long.compare(a[0], b[0]) : Long.compare(a[1], b[1]));
        if (n < 3) {
            return pts;
        }
        long[][] hull = new long[2 * n][];
        int k = 0;
        for (int i = 0; i < n; i++) {
            while (k >= 2 && cross(hull[k - 2], hull[k - 1], pts[i]) <= 0) {
                k--;
            }
            hull[k++] = pts[i];
        }
        for (int i = n - 2, lower = k + 1; i >= 0; i--) {
            while (k >= lower && cross(hull[k - 2], hull[k - 1], pts[i]) <= 0) {
                k--;
            }
            hull[k++] = pts[i];
        }
        return Arrays.copyOf(hull, Math.max(1, k - 1));
    }

    private static long cross(long[] o, long[] a, long[] b) {
        return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]);
    }

    /** Minimum-area rectangle around a convex hull (degenerate hulls give a zero-width rectangle). */
    static Rect around(long[][] hull) {
        double[] first = {hull[0][0], hull[0][1]};
        Rect point = Rect.of(new double[][] {first, first.clone(), first.clone(), first.clone()});
        double bestArea = Double.MAX_VALUE;
        double[][] best = null;
        int n = hull.length;
        for (int i = 0; i < n; i++) {
            long[] a = hull[i];
            long[] b = hull[(i + 1) % n];
            double dx = b[0] - a[0];
            double dy = b[1] - a[1];
            double len = Math.hypot(dx, dy);
            if (len == 0) {
                continue;
            }
            double ux = dx / len;
            double uy = dy / len;
            double minU = Double.MAX_VALUE;
            double maxU = -Double.MAX_VALUE;
            double minV = Double.MAX_VALUE;
            double maxV = -Double.MAX_VALUE;
            for (long[] p : hull) {
                double u = p[0] * ux + p[1] * uy;
                double v = -p[0] * uy + p[1] * ux;
                minU = Math.min(minU, u);
                maxU = Math.max(maxU, u);
                minV = Math.min(minV, v);
                maxV = Math.max(maxV, v);
            }
            double area = (maxU - minU) * (maxV - minV);
            if (area < bestArea - 1e-9) {
                bestArea = area;
                best = new double[][] {
                        point(minU, minV, ux, uy), point(maxU, minV, ux, uy),
                        point(maxU, maxV, ux, uy), point(minU, maxV, ux, uy)};
            }
        }
        return best == null ? point : Rect.of(best);
    }

    private static double[] point(double u, double v, double ux, double uy) {
        return new double[] {u * ux - v * uy, u * uy + v * ux};
    }
}
