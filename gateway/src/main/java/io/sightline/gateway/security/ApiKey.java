package io.sightline.gateway.security;

/**
 * An authenticated caller. {@code id} is a short, non-reversible fingerprint of the key (first 12 hex
 * digits of its SHA-256) used for rate limiting, logs and metrics; the key itself is never kept.
 * {@code batch} keys default to BATCH priority on the OpenAI endpoint.
 */
public record ApiKey(String id, Role role, boolean batch) {

    /** Routing-context attribute under which the guard leaves the caller for resources. */
    public static final String ATTRIBUTE = "sightline.api-key";
}
