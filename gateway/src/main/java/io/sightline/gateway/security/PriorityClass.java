package io.sightline.gateway.security;

import io.sightline.gateway.error.GatewayException;

import java.util.Locale;

/**
 * The highest priority a key is entitled to (keys file, last field): a request may ask for a lower
 * priority, never a higher one. Levels follow the OpenAI endpoint's convention, 1 (interactive) ... 10
 * (batch); each class is a band and its first level is what a request gets when it asks for more or for nothing.
 */
public enum PriorityClass {
    /** People waiting for an answer: levels 1-5. */
    INTERACTIVE(1),
    /** Standing questions (watch-style polling): levels 6-8. */
    WATCH(6),
    /** Bulk work: levels 9-10. */
    BATCH(9);

    private final int floor;

    PriorityClass(int floor) {
        this.floor = floor;
    }

    /** The most urgent level of this class. */
    public int floor() {
        return floor;
    }

    /** The level a request is served at: what it asked for, but never more urgent than this class allows. */
    public int clamp(Integer requested) {
        return requested == null ? floor : Math.max(requested, floor);
    }

    public static PriorityClass ofLevel(int level) {
        return level >= BATCH.floor ? BATCH : level >= WATCH.floor ? WATCH : INTERACTIVE;
    }

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    static PriorityClass parse(String text) {
        String t = text.strip().toLowerCase(Locale.ROOT);
        if (t.startsWith("max_priority=")) {
            t = t.substring("max_priority=".length()).strip();
        }
        for (PriorityClass c : values()) {
            if (c.wireName().equals(t)) {
                return c;
            }
        }
        throw new IllegalArgumentException("the optional last field must be a priority class: interactive, watch or batch");
    }

    /** What a key gets when its entry names no class: every role may ask interactively. */
    static PriorityClass defaultFor(Role role) {
        return INTERACTIVE;
    }

    /** The level (1-10) a request is served at; 400 for a malformed one. */
    public static int effectiveLevel(String queryParam, String header, ApiKey caller) {
        String given = queryParam != null && !queryParam.isBlank() ? queryParam : header;
        PriorityClass entitled = caller == null ? BATCH : caller.maxPriority();
        if (given == null || given.isBlank()) {
            return entitled.clamp(null);
        }
        int level;
        try {
            level = Integer.parseInt(given.trim());
        } catch (NumberFormatException e) {
            level = 0;
        }
        if (level < 1 || level > 10) {
            throw GatewayException.badRequest("priority must be a whole number from 1 (interactive) to 10 (batch), was '"
                    + (given.length() > 20 ? given.substring(0, 20) : given) + "'");
        }
        return entitled.clamp(level);
    }
}
