package io.sightline.caption.backend.onnx;

import io.sightline.common.event.DetectionsProduced;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The last text read per camera, with a coarse grey print of the frame it was read from, so OCR (4-30x the cost
 * of detection) runs only where the picture changed:
 * <ul>
 * <li>no print cell changed: the whole text is reused;</li>
 * <li>a few cells changed (a person walking past a notice, a clock's digits, a cursor): only the part of the
 *     frame around them is read again, widened to take in every line it touches, and the lines elsewhere are
 *     kept ({@link Plan#region()});</li>
 * <li>much of the frame changed, a different size, or the last full read is too old: the frame is read afresh.</li>
 * </ul>
 * Each cell of the print is compared against the frame its text was last read from, not the previous frame, so
 * slow drift adds up and triggers a read of that part.
 */
final class TextReuse {

    static final int GRID = 64;
    /** Grey-level difference (0-255) at which a print cell counts as changed; JPEG noise of a still scene stays under 3. */
    static final int CELL_THRESHOLD = 8;
    /** Share of changed cells up to which only their part of the frame is read again. */
    static final double MAX_PARTIAL_CHANGED = 0.20;
    /** A part to read again larger than this share of the frame is read as a whole frame. */
    static final double MAX_PARTIAL_AREA = 0.5;
    /** Pixels around a kept line's box that still count as touching the changed part. */
    static final int LINE_MARGIN = 4;

    record Print(int width, int height, byte[] cells) {
    }

    /** A rectangle of the frame in pixels. */
    record Region(int x, int y, int width, int height) {

        boolean intersects(DetectionsProduced.Box b) {
            return b.x() - LINE_MARGIN < x + width && b.x() + b.width() + LINE_MARGIN > x
                    && b.y() - LINE_MARGIN < y + height && b.y() + b.height() + LINE_MARGIN > y;
        }

        Region union(DetectionsProduced.Box b, int frameWidth, int frameHeight) {
            int x1 = Math.max(0, Math.min(x, (int) Math.floor(b.x()) - LINE_MARGIN));
            int y1 = Math.max(0, Math.min(y, (int) Math.floor(b.y()) - LINE_MARGIN));
            int x2 = Math.min(frameWidth, Math.max(x + width, (int) Math.ceil(b.x() + b.width()) + LINE_MARGIN));
            int y2 = Math.min(frameHeight, Math.max(y + height, (int) Math.ceil(b.y() + b.height()) + LINE_MARGIN));
            return new Region(x1, y1, x2 - x1, y2 - y1);
        }

        long area() {
            return (long) width * height;
        }
    }

    /**
     * What to read of a frame: {@code region} null = nothing, {@code kept} is the camera's whole text; otherwise
     * read {@code region} only and add its lines to {@code kept}, the lines that lie outside it.
     */
    record Plan(List<DetectionsProduced.RecognizedText> kept, Region region) {
    }

    private record Read(Print print, List<DetectionsProduced.RecognizedText> texts, long fullReadAtNanos) {
    }

    private final long maxAgeNanos;
    private final Map<String, Read> byCamera;

    TextReuse(int maxCameras, long maxAgeNanos) {
        this.maxAgeNanos = maxAgeNanos;
        this.byCamera = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Read> eldest) {
                return size() > maxCameras;
            }
        };
    }

    /** How much of this frame must be read, given what the camera's last read saw; null = all of it. */
    synchronized Plan plan(String camera, Print print, long nowNanos) {
        Read last = byCamera.get(camera);
        if (last == null || nowNanos - last.fullReadAtNanos() > maxAgeNanos || !sameShape(last.print(), print)) {
            return null;
        }
        Region changed = changedRegion(last.print(), print);
        if (changed == null) {
            return new Plan(last.texts(), null);
        }
        if (changed.width() == 0) {
            return null;
        }
        // widened until no kept line touches it: a line is either read again whole or kept whole
        Region region = changed;
        boolean grew = true;
        while (grew) {
            grew = false;
            for (DetectionsProduced.RecognizedText t : last.texts()) {
                Region wider = region.intersects(t.box()) ? region.union(t.box(), print.width(), print.height()) : region;
                if (!wider.equals(region)) {
                    region = wider;
                    grew = true;
                }
            }
        }
        if (region.area() > MAX_PARTIAL_AREA * print.width() * print.height()) {
            return null;
        }
        List<DetectionsProduced.RecognizedText> kept = new ArrayList<>();
        for (DetectionsProduced.RecognizedText t : last.texts()) {
            if (!region.intersects(t.box())) {
                kept.add(t);
            }
        }
        return new Plan(List.copyOf(kept), region);
    }

    /** A whole frame was read. */
    synchronized void remember(String camera, Print print, List<DetectionsProduced.RecognizedText> texts, long nowNanos) {
        byCamera.put(camera, new Read(print, List.copyOf(texts), nowNanos));
    }

    /**
     * {@code region} of a frame was read again: the print takes this frame's cells there (the rest keep the values
     * their text was read from) and the text becomes {@code texts}. The full read's age stays.
     */
    synchronized void rememberPart(String camera, Print print, Region region, List<DetectionsProduced.RecognizedText> texts) {
        Read last = byCamera.get(camera);
        if (last == null || !sameShape(last.print(), print)) {
            return;
        }
        int cols = columns(print);
        int rows = print.cells().length / cols;
        byte[] cells = last.print().cells().clone();
        for (int cy = 0; cy < rows; cy++) {
            for (int cx = 0; cx < cols; cx++) {
                int x0 = cx * print.width() / cols;
                int y0 = cy * print.height() / rows;
                int x1 = (cx + 1) * print.width() / cols;
                int y1 = (cy + 1) * print.height() / rows;
                if (x0 >= region.x() && y0 >= region.y() && x1 <= region.x() + region.width() && y1 <= region.y() + region.height()) {
                    cells[cy * cols + cx] = print.cells()[cy * cols + cx];
                }
            }
        }
        byCamera.put(camera, new Read(new Print(print.width(), print.height(), cells), List.copyOf(texts), last.fullReadAtNanos()));
    }

    /**
     * The pixels of the changed cells' bounding box, one cell wider on each side; null when no cell changed, and
     * an empty region when too many did for a partial read.
     */
    static Region changedRegion(Print a, Print b) {
        int cols = columns(b);
        int rows = b.cells().length / cols;
        int minX = Integer.MAX_VALUE;
        int minY = Integer.MAX_VALUE;
        int maxX = -1;
        int maxY = -1;
        int changed = 0;
        for (int cy = 0; cy < rows; cy++) {
            for (int cx = 0; cx < cols; cx++) {
                int i = cy * cols + cx;
                if (Math.abs((a.cells()[i] & 0xFF) - (b.cells()[i] & 0xFF)) > CELL_THRESHOLD) {
                    changed++;
                    minX = Math.min(minX, cx);
                    minY = Math.min(minY, cy);
                    maxX = Math.max(maxX, cx);
                    maxY = Math.max(maxY, cy);
                }
            }
        }
        if (changed == 0) {
            return null;
        }
        if (changed > MAX_PARTIAL_CHANGED * b.cells().length) {
            return new Region(0, 0, 0, 0);
        }
        int x1 = Math.max(0, minX - 1) * b.width() / cols;
        int y1 = Math.max(0, minY - 1) * b.height() / rows;
        int x2 = Math.min(cols, maxX + 2) * b.width() / cols;
        int y2 = Math.min(rows, maxY + 2) * b.height() / rows;
        return new Region(x1, y1, x2 - x1, y2 - y1);
    }

    private static boolean sameShape(Print a, Print b) {
        return a.width() == b.width() && a.height() == b.height() && a.cells().length == b.cells().length;
    }

    private static int columns(Print p) {
        return Math.min(GRID, p.width());
    }

    /**
     * Kept lines and the lines read again in one reading order (top to bottom, then left to right for lines whose
     * tops are within 10 px, as {@link TextReader#sortReadingOrder} orders quads), at most {@code maxLines}.
     */
    static List<DetectionsProduced.RecognizedText> merge(List<DetectionsProduced.RecognizedText> kept,
                                                         List<DetectionsProduced.RecognizedText> read, int maxLines) {
        List<DetectionsProduced.RecognizedText> all = new ArrayList<>(kept.size() + read.size());
        all.addAll(kept);
        all.addAll(read);
        all.sort(Comparator.<DetectionsProduced.RecognizedText>comparingDouble(t -> t.box().y()).thenComparingDouble(t -> t.box().x()));
        for (int i = 0; i < all.size() - 1; i++) {
            for (int j = i; j >= 0; j--) {
                DetectionsProduced.RecognizedText a = all.get(j);
                DetectionsProduced.RecognizedText b = all.get(j + 1);
                if (Math.abs(b.box().y() - a.box().y()) < 10 && b.box().x() < a.box().x()) {
                    all.set(j, b);
                    all.set(j + 1, a);
                } else {
                    break;
                }
            }
        }
        return all.size() > maxLines ? List.copyOf(all.subList(0, maxLines)) : List.copyOf(all);
    }

    /** Block means of grey over a 64x64 grid, sampling every other pixel: a few hundred microseconds for 1280x720. */
    static Print print(BgrImage image) {
        int w = image.width;
        int h = image.height;
        int cols = Math.min(GRID, w);
        int rows = Math.min(GRID, h);
        byte[] px = image.data;
        byte[] cells = new byte[cols * rows];
        for (int cy = 0; cy < rows; cy++) {
            int y0 = cy * h / rows;
            int y1 = Math.max(y0 + 1, (cy + 1) * h / rows);
            for (int cx = 0; cx < cols; cx++) {
                int x0 = cx * w / cols;
                int x1 = Math.max(x0 + 1, (cx + 1) * w / cols);
                long sum = 0;
                int n = 0;
                for (int y = y0; y < y1; y += 2) {
                    int row = y * w * 3;
                    for (int x = x0; x < x1; x += 2) {
                        int i = row + x * 3;
                        sum += 114L * (px[i] & 0xFF) + 587L * (px[i + 1] & 0xFF) + 299L * (px[i + 2] & 0xFF);
                        n++;
                    }
                }
                cells[cy * cols + cx] = (byte) (sum / (n * 1000L));
            }
        }
        return new Print(w, h, cells);
    }
}
