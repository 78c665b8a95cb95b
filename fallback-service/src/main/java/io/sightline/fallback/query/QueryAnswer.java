package io.sightline.fallback.query;

import io.sightline.fallback.classify.QueryIntent;
import io.sightline.fallback.vlm.Grounding;

import java.time.Duration;
import java.util.Optional;

/**
 * The outcome of one query. {@code failure} is present exactly when {@code mode} is
 * {@link ResponseMode#ERROR}; then {@code answer} is null.
 */
public record QueryAnswer(
        String answer,
        QueryIntent intent,
        ResponseMode mode,
        double confidence,
        String decisionReason,
        FrameRef frame,
        String backend,
        long processingTimeMs,
        Optional<Failure> failure,
        Optional<Grounding.Location> location) {

    public QueryAnswer {
        location = location == null ? Optional.empty() : location;
    }

    /** Why no answer: the HTTP status to return (502, 503, 504), a short code and the reason. */
    public record Failure(int httpStatus, String code, String reason, Optional<Duration> retryAfter) {
    }
}
