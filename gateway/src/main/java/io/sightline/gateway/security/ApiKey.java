package io.sightline.gateway.security;

/**
 * An authenticated caller. {@code id} is a short, non-reversible fingerprint of the key (first 12 hex
 * digits of its SHA-256) used for rate limiting, logs and metrics; the key itself is never kept.
 * {@code maxPriority} is the most urgent priority class its requests may be served at (the gateway clamps
 * {@code X-Priority} / {@code priority} to it on /api/v1/query and /v1/*).
 */
public record ApiKey(String id, Role role, PriorityClass maxPriority) {

    /** Routing-context attribute under which the guard leaves the caller for resources. */
    public static final String ATTRIBUTE = "sightline.api-key";

    /** Whether the key is held to batch priority. */
    public boolean batch() {
        return maxPriority == PriorityClass.BATCH;
    }
}
