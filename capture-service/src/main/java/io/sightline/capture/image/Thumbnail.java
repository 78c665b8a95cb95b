package io.sightline.capture.image;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;

/**
 * A tiny grayscale summary of a frame (fixed grid of block-averaged grey levels) that the change
 * gate compares. Block averaging makes it robust to sensor noise and JPEG artefacts.
 */
public record Thumbnail(int columns, int rows, byte[] cells) {

    public static final int GRID = 64;

    /** Block averages of a TYPE_3BYTE_BGR image, sampling every other pixel. */
    public static Thumbnail of(BufferedImage bgr) {
        if (bgr.getType() != BufferedImage.TYPE_3BYTE_BGR) {
            throw new IllegalArgumentException("thumbnail needs a TYPE_3BYTE_BGR image");
        }
        int width = bgr.getWidth();
        int height = bgr.getHeight();
        int columns = Math.min(GRID, width);
        int rows = Math.min(GRID, height);
        byte[] data = ((DataBufferByte) bgr.getRaster().getDataBuffer()).getData();
        byte[] cells = new byte[columns * rows];
        int step = width >= 4 * columns && height >= 4 * rows ? 2 : 1;
        for (int cy = 0; cy < rows; cy++) {
            int y0 = cy * height / rows;
            int y1 = Math.max(y0 + 1, (cy + 1) * height / rows);
            for (int cx = 0; cx < columns; cx++) {
                int x0 = cx * width / columns;
                int x1 = Math.max(x0 + 1, (cx + 1) * width / columns);
                long sum = 0;
                int count = 0;
                for (int y = y0; y < y1; y += step) {
                    int row = y * width * 3;
                    for (int x = x0; x < x1; x += step) {
                        int i = row + x * 3;
                        int b = data[i] & 0xFF;
                        int g = data[i + 1] & 0xFF;
                        int r = data[i + 2] & 0xFF;
                        sum += (299L * r + 587L * g + 114L * b);
                        count++;
                    }
                }
                cells[cy * columns + cx] = (byte) (sum / (count * 1000L));
            }
        }
        return new Thumbnail(columns, rows, cells);
    }

    /**
     * Share of cells (0-1) whose grey level differs by more than {@code cellThreshold} from the other
     * thumbnail; 1.0 when the grids are not comparable (first frame, resolution change).
     */
    public double changeFrom(Thumbnail other, int cellThreshold) {
        if (other == null || other.columns != columns || other.rows != rows) {
            return 1.0;
        }
        int changed = 0;
        for (int i = 0; i < cells.length; i++) {
            if (Math.abs((cells[i] & 0xFF) - (other.cells[i] & 0xFF)) > cellThreshold) {
                changed++;
            }
        }
        return (double) changed / cells.length;
    }
}
