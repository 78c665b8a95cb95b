package io.sightline.watch;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

import java.util.Locale;

/** Where a watch job is: {@code running} until it ends as {@code success}, {@code failed} or {@code cancelled}. */
public enum WatchStatus {
    RUNNING, SUCCESS, FAILED, CANCELLED;

    public boolean terminal() {
        return this != RUNNING;
    }

    @JsonValue
    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    @JsonCreator
    public static WatchStatus fromWire(String value) {
        return valueOf(value.trim().toUpperCase(Locale.ROOT));
    }
}
