package io.sightline.capture.image;

/**
 * The mean luminance of every 8x8 luma block of a JPEG, i.e. a 1/8-scale grey image, as
 * {@link LumaDcReader} reads it from the DC coefficients.
 *
 * @param width          the image's width in pixels
 * @param height         the image's height in pixels
 * @param blocksAcross   visible blocks per row, {@code ceil(width / 8)}; the last one may cover fewer than 8 columns
 * @param blocksDown     visible block rows, {@code ceil(height / 8)}
 * @param eightfoldMeans 8 x the mean grey level (0-2040) of each block, row-major, {@code blocksAcross} per row
 */
record LumaBlockMeans(int width, int height, int blocksAcross, int blocksDown, int[] eightfoldMeans) {

    LumaBlockMeans {
        if (blocksAcross != (width + 7) / 8 || blocksDown != (height + 7) / 8 || eightfoldMeans.length != blocksAcross * blocksDown) {
            throw new IllegalArgumentException("a " + width + "x" + height + " image has " + ((width + 7) / 8) + "x"
                    + ((height + 7) / 8) + " blocks, not " + blocksAcross + "x" + blocksDown);
        }
    }
}
