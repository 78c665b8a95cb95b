package io.sightline.gateway.security;

import java.util.Locale;

/** What a key may do; each role includes the ones before it. */
public enum Role {
    /** Reads: cameras, frames, captions, backends, watch jobs, models. */
    VIEWER,
    /** Also asks questions, manages watch jobs and uses /v1/chat/completions. */
    OPERATOR,
    /** Also creates, changes and deletes cameras. */
    ADMIN;

    public boolean includes(Role required) {
        return ordinal() >= required.ordinal();
    }

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    static Role parse(String text) {
        for (Role role : values()) {
            if (role.wireName().equals(text.trim().toLowerCase(Locale.ROOT))) {
                return role;
            }
        }
        throw new IllegalArgumentException("unknown role '" + text + "' (viewer, operator or admin)");
    }
}
