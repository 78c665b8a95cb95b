package io.sightline.history.store;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The camera / time / label restriction of a history query, rendered as a parameterised SQL condition
 * (placeholders only; the values travel as parameters, never inside the SQL text).
 */
public record Filter(Optional<String> camera, Optional<Long> since, Optional<Long> until, Optional<String> label) {

    public static Filter none() {
        return new Filter(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());
    }

    /** Only a camera (or nothing): what camera_texts can answer without reading caption rows. */
    public boolean cameraOnly() {
        return since.isEmpty() && until.isEmpty() && label.isEmpty();
    }

    public boolean isEmpty() {
        return camera.isEmpty() && since.isEmpty() && until.isEmpty() && label.isEmpty();
    }

    /** Condition on captions aliased {@code alias}; appends its parameters to {@code params}. */
    String onCaptions(String alias, List<Object> params) {
        List<String> parts = new ArrayList<>();
        camera.ifPresent(c -> {
            parts.add(alias + ".camera = ?");
            params.add(c);
        });
        since.ifPresent(s -> {
            parts.add(alias + ".captured_at >= ?");
            params.add(s);
        });
        until.ifPresent(u -> {
            parts.add(alias + ".captured_at <= ?");
            params.add(u);
        });
        label.ifPresent(l -> {
            parts.add("EXISTS (SELECT 1 FROM events fe WHERE fe.camera = " + alias + ".camera AND fe.label = ? AND "
                    + "int8range(fe.start_at, fe.end_at, '[]') @> " + alias + ".captured_at)");
            params.add(l);
        });
        return parts.isEmpty() ? "TRUE" : String.join(" AND ", parts);
    }

    /** Condition on events aliased {@code alias} that overlap the time range. */
    String onEvents(String alias, List<Object> params) {
        List<String> parts = new ArrayList<>();
        camera.ifPresent(c -> {
            parts.add(alias + ".camera = ?");
            params.add(c);
        });
        since.ifPresent(s -> {
            parts.add(alias + ".end_at >= ?");
            params.add(s);
        });
        until.ifPresent(u -> {
            parts.add(alias + ".start_at <= ?");
            params.add(u);
        });
        label.ifPresent(l -> {
            parts.add(alias + ".label = ?");
            params.add(l);
        });
        return parts.isEmpty() ? "TRUE" : String.join(" AND ", parts);
    }
}
