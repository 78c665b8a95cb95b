package io.sightline.caption.backend.onnx;

/** Axis-aligned box as corners, in whatever pixel space the caller works in. */
record Box(double x1, double y1, double x2, double y2) {

    double area() {
        return Math.max(0, x2 - x1) * Math.max(0, y2 - y1);
    }

    double iou(Box other) {
        double w = Math.min(x2, other.x2) - Math.max(x1, other.x1);
        double h = Math.min(y2, other.y2) - Math.max(y1, other.y1);
        if (w <= 0 || h <= 0) {
            return 0;
        }
        double inter = w * h;
        double union = area() + other.area() - inter;
        return union <= 0 ? 0 : inter / union;
    }

    Box scaled(double factor) {
        return new Box(x1 * factor, y1 * factor, x2 * factor, y2 * factor);
    }

    Box clipped(double width, double height) {
        return new Box(clamp(x1, width), clamp(y1, height), clamp(x2, width), clamp(y2, height));
    }

    private static double clamp(double v, double max) {
        return v < 0 ? 0 : Math.min(v, max);
    }
}
