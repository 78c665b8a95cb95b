package io.sightline.capture.camera;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** Where a camera's frames come from. */
public enum SourceType {
    /** RTSP(S) stream through FFmpeg. */
    RTSP,
    /** HTTP(S) multipart MJPEG stream through FFmpeg. */
    MJPEG,
    /** A video file (mp4, mkv, avi...) through FFmpeg. */
    FILE,
    /** An HTTP(S) URL returning one JPEG/PNG per request, polled at the camera's rate. */
    SNAPSHOT,
    /** A directory of images: new files are published, or the directory is looped. */
    DIRECTORY,
    /** Frames arrive through {@code POST /api/v1/frames/{camera}}. */
    PUSH;

    @JsonValue
    public String jsonName() {
        return name().toLowerCase(Locale.ROOT);
    }

    @JsonCreator
    public static SourceType parse(String value) {
        if (value == null) {
            throw new IllegalArgumentException("source type is required (" + names() + ")");
        }
        for (SourceType type : values()) {
            if (type.jsonName().equals(value.trim().toLowerCase(Locale.ROOT))) {
                return type;
            }
        }
        throw new IllegalArgumentException("unknown source type '" + value + "' (expected one of " + names() + ")");
    }

    public static String names() {
        return Arrays.stream(values()).map(SourceType::jsonName).collect(Collectors.joining(", "));
    }

    /** Sources that a thread of this service pulls from (everything but push). */
    public boolean pulled() {
        return this != PUSH;
    }
}
