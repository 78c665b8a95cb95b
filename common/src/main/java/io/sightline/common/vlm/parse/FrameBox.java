package io.sightline.common.vlm.parse;

import java.util.Optional;

/**
 * A box on a frame in 0-1 of its width and height: {@code x}, {@code y} the top-left corner. Scale-free, so it
 * holds for the frame as captured and for the downscaled copy a model was shown alike.
 */
public record FrameBox(double x, double y, double width, double height, Optional<String> label) {

    public FrameBox {
        if (!(x >= 0 && y >= 0 && width > 0 && height > 0 && x + width <= 1 + 1e-9 && y + height <= 1 + 1e-9)) {
            throw new IllegalArgumentException("a frame box lies within 0-1 and has an area, was " + x + "," + y + " " + width + "x" + height);
        }
        label = label == null ? Optional.empty() : label.filter(l -> !l.isBlank()).map(String::strip);
    }

    public double centreX() {
        return x + width / 2;
    }

    public double centreY() {
        return y + height / 2;
    }
}
