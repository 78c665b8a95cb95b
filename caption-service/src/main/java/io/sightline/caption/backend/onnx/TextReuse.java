package io.sightline.caption.backend.onnx;

import io.sightline.common.event.DetectionsProduced;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The last text read per camera, with a coarse grey print of the frame it was read from. A frame whose
 * print matches (same size, almost no cell changed) shows the same text, so OCR, 4-30x the cost of
 * detection, is skipped and the text reused. The print is compared against the frame that was last
 * read, not the previous frame, so slow drift adds up and triggers a fresh read; a reuse is also
 * bounded in age.
 */
final class TextReuse {

    static final int GRID = 64;
    /** Grey-level difference (0-255) at which a print cell counts as changed; JPEG noise of a still scene stays under 3. */
    static final int CELL_THRESHOLD = 8;
    /** Share of changed cells up to which the text is taken as unchanged: none, a changed digit may be one cell. */
    static final double MAX_CHANGED = 0.0;

    record Print(int width, int height, byte[] cells) {
    }

    private record Read(Print print, List<DetectionsProduced.RecognizedText> texts, long atNanos) {
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

    /** The camera's last text when this print shows the same content and the read is recent enough, else null. */
    synchronized List<DetectionsProduced.RecognizedText> reusable(String camera, Print print, long nowNanos) {
        Read last = byCamera.get(camera);
        if (last == null || nowNanos - last.atNanos() > maxAgeNanos || changed(last.print(), print) > MAX_CHANGED) {
            return null;
        }
        return last.texts();
    }

    synchronized void remember(String camera, Print print, List<DetectionsProduced.RecognizedText> texts, long nowNanos) {
        byCamera.put(camera, new Read(print, List.copyOf(texts), nowNanos));
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

    static double changed(Print a, Print b) {
        if (a.width() != b.width() || a.height() != b.height() || a.cells().length != b.cells().length) {
            return 1.0;
        }
        int changed = 0;
        for (int i = 0; i < a.cells().length; i++) {
            if (Math.abs((a.cells()[i] & 0xFF) - (b.cells()[i] & 0xFF)) > CELL_THRESHOLD) {
                changed++;
            }
        }
        return (double) changed / a.cells().length;
    }
}
