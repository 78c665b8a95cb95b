package io.sightline.caption.backend;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/** The six tiers in chain order: selection and fallback walk them top to bottom. */
public enum Tier {
    CAPTION_SERVER("caption-server"),
    VLM("vlm"),
    SIDECAR("sidecar"),
    ONNX("onnx"),
    LABELS("labels"),
    NONE("none");

    private final String id;

    Tier(String id) {
        this.id = id;
    }

    /** Name used in config, captions, metrics and {@code GET /api/v1/backends}. */
    public String id() {
        return id;
    }

    public static Optional<Tier> fromId(String value) {
        if (value == null) {
            return Optional.empty();
        }
        String wanted = value.trim().toLowerCase(Locale.ROOT).replace('_', '-');
        return Arrays.stream(values()).filter(t -> t.id.equals(wanted)).findFirst();
    }
}
