package io.sightline.common.kafka;

import java.util.Locale;

/** Where a frame came from: a camera, or a screen-capture agent. Travels in the {@code source} header. */
public enum FrameSource {
    CAMERA, SCREEN;

    public String headerValue() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static FrameSource fromHeader(String value) {
        if (value == null) {
            return CAMERA;
        }
        return switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "camera" -> CAMERA;
            case "screen" -> SCREEN;
            default -> throw new IllegalArgumentException("unknown frame source '" + value + "' (expected camera or screen)");
        };
    }
}
