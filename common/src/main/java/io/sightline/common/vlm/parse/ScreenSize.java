package io.sightline.common.vlm.parse;

/** The size of the screen or frame a model's point refers to, in pixels. */
public record ScreenSize(int width, int height) {

    public ScreenSize {
        if (width < 1 || height < 1) {
            throw new IllegalArgumentException("screen size must be positive, was " + width + "x" + height);
        }
    }
}
