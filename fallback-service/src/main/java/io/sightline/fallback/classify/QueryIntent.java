package io.sightline.fallback.classify;

import java.util.Arrays;

/** What a query asks for; {@link #wireName()} is the {@code query_type} of the API. */
public enum QueryIntent {
    COUNT_OBJECTS("count_objects", true),
    PRESENCE("presence", true),
    READ_TEXT("read_text", true),
    DESCRIBE_SCENE("describe_scene", true),
    WHAT_CHANGED("what_changed", false),
    STATUS("status", true),
    OTHER("other", false),
    /** "When did the van come?": answered from history-service's events. */
    WHEN("when", false),
    /** "How many cars passed this week?": events counted over a period, from history-service. */
    COUNT_PERIOD("count_period", false);

    private final String wireName;
    private final boolean answerableFromState;

    QueryIntent(String wireName, boolean answerableFromState) {
        this.wireName = wireName;
        this.answerableFromState = answerableFromState;
    }

    public String wireName() {
        return wireName;
    }

    /**
     * Whether the latest caption and detections (or the cache's own bookkeeping, for status) can
     * answer it. "What changed" needs history the cache does not keep; "other" is open-ended.
     */
    public boolean answerableFromState() {
        return answerableFromState;
    }

    /**
     * Whether history-service answers it: when, count over a period, and what changed / what happened
     * (summarised from the period's events).
     */
    public boolean answeredFromHistory() {
        return this == WHEN || this == COUNT_PERIOD || this == WHAT_CHANGED;
    }

    public static QueryIntent fromWireName(String name) {
        return Arrays.stream(values()).filter(i -> i.wireName.equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown intent '" + name + "'"));
    }
}
