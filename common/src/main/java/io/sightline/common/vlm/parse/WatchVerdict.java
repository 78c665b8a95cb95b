package io.sightline.common.vlm.parse;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * A watch job's verdict on one frame: {@code {condition_met, next_run_in, reasoning, notification_message}}.
 * {@code nextRunIn} is clamped to {@value #MIN_NEXT_RUN_IN}..{@value #MAX_NEXT_RUN_IN} seconds. When the
 * answer could not be read, {@link #parsed()} is false, the condition counts as not met (never notify on
 * garbage) and {@link #error()} says why; {@code error} may also carry a note when a damaged answer was
 * recovered.
 */
public record WatchVerdict(
        @JsonProperty("condition_met") boolean conditionMet,
        @JsonProperty("next_run_in") int nextRunIn,
        @JsonProperty("reasoning") String reasoning,
        @JsonProperty("notification_message") String notificationMessage,
        @JsonProperty("parsed") boolean parsed,
        @JsonProperty("error") String error) {

    public static final int MIN_NEXT_RUN_IN = 1;
    public static final int MAX_NEXT_RUN_IN = 300;

    public WatchVerdict {
        nextRunIn = clampNextRunIn(nextRunIn);
        reasoning = reasoning == null ? "" : reasoning;
        notificationMessage = notificationMessage == null ? "" : notificationMessage;
        error = error == null ? "" : error;
    }

    public static int clampNextRunIn(long seconds) {
        return (int) Math.max(MIN_NEXT_RUN_IN, Math.min(MAX_NEXT_RUN_IN, seconds));
    }

    static WatchVerdict unparseable(String reason, int defaultNextRunIn) {
        return new WatchVerdict(false, defaultNextRunIn, "", "", false, reason);
    }
}
