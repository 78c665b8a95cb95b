package io.sightline.fallback.rest;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import io.sightline.fallback.query.FrameRef;
import io.sightline.fallback.query.QueryAnswer;

/** Body of the answer to {@code POST /api/v1/query}; {@code error} appears only when {@code response_mode} is "error". */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record QueryResponse(
        String answer,
        String queryType,
        String responseMode,
        double confidence,
        String decisionReason,
        FrameJson frame,
        String backend,
        long processingTimeMs,
        @JsonInclude(JsonInclude.Include.NON_NULL) ErrorJson error) {

    /** The frame the answer rests on; {@code captured_at} is epoch milliseconds like the event contract. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record FrameJson(String id, long capturedAt, long ageMs) {
    }

    public record ErrorJson(String code, String message) {
    }

    static QueryResponse of(QueryAnswer a) {
        FrameRef f = a.frame();
        return new QueryResponse(a.answer(), a.intent().wireName(), a.mode().wireName(), round(a.confidence()),
                a.decisionReason(), f == null ? null : new FrameJson(f.id(), f.capturedAt(), f.ageMs()), a.backend(),
                a.processingTimeMs(), a.failure().map(x -> new ErrorJson(x.code(), x.reason())).orElse(null));
    }

    private static double round(double confidence) {
        return Math.round(confidence * 10_000) / 10_000.0;
    }
}
