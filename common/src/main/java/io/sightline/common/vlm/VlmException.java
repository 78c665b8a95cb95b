package io.sightline.common.vlm;

import java.time.Duration;
import java.util.Optional;

/** Why a VLM call failed, classified so callers can choose 502/503/504, fall back or retry. */
public class VlmException extends RuntimeException {

    public enum Kind {
        /** No answer within the timeout (queue wait included). */
        TIMEOUT,
        /** Connection refused/reset, DNS, or the circuit breaker is open. */
        UNAVAILABLE,
        /** Our queue for this endpoint is full, or the server answered 429/503: retry after {@link #retryAfter()}. */
        OVERLOADED,
        /** The server rejected our request (4xx other than 429): do not retry, do not trip breakers. */
        REJECTED,
        /** The server failed (5xx). */
        SERVER_ERROR,
        /** The server answered 200 with something that is not a chat completion (or empty content). */
        BAD_RESPONSE
    }

    private final Kind kind;
    private final int status;
    private final Duration retryAfter;

    public VlmException(Kind kind, String message, int status, Duration retryAfter, Throwable cause) {
        super(message, cause);
        this.kind = kind;
        this.status = status;
        this.retryAfter = retryAfter;
    }

    public VlmException(Kind kind, String message) {
        this(kind, message, 0, null, null);
    }

    public Kind kind() {
        return kind;
    }

    /** HTTP status from the server, 0 when there was none. */
    public int status() {
        return status;
    }

    public Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }

    /** Failures of the server (not of our request): these count towards circuit breakers and tier fallback. */
    public boolean isServerFault() {
        return kind != Kind.REJECTED;
    }
}
