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
     * The same grid from a JPEG's 8x8 luma block means (see {@link LumaDcReader}): each cell is the
     * area-weighted mean of the blocks it overlaps, edge blocks counting only their visible pixels. Y is
     * the very luma {@link #of} computes from BGR, so the cells agree with a decoded image's.
     */
    static Thumbnail of(LumaBlockMeans blocks) {
        int width = blocks.width();
        int height = blocks.height();
        int columns = Math.min(GRID, width);
        int rows = Math.min(GRID, height);
        int[] means = blocks.eightfoldMeans();
        int across = blocks.blocksAcross();
        byte[] cells = new byte[columns * rows];
        for (int cy = 0; cy < rows; cy++) {
            int y0 = cy * height / rows;
            int y1 = Math.max(y0 + 1, (cy + 1) * height / rows);
            for (int cx = 0; cx < columns; cx++) {
                int x0 = cx * width / columns;
                int x1 = Math.max(x0 + 1, (cx + 1) * width / columns);
                long sum = 0;
                for (int by = y0 >> 3; by <= (y1 - 1) >> 3; by++) {
                    int h = Math.min(y1, (by + 1) << 3) - Math.max(y0, by << 3);
                    int row = by * across;
                    for (int bx = x0 >> 3; bx <= (x1 - 1) >> 3; bx++) {
                        int w = Math.min(x1, (bx + 1) << 3) - Math.max(x0, bx << 3);
                        sum += (long) w * h * means[row + bx];
                    }
                }
                cells[cy * columns + cx] = (byte) (sum / (8L * (x1 - x0) * (y1 - y0)));
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
