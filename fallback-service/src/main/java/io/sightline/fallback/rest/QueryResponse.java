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
        @JsonInclude(JsonInclude.Include.NON_NULL) ErrorJson error,
        @JsonInclude(JsonInclude.Include.NON_NULL) PointJson point,
        @JsonInclude(JsonInclude.Include.NON_NULL) BoxJson box) {

    /** The frame the answer rests on; {@code captured_at} is epoch milliseconds like the event contract. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record FrameJson(String id, long capturedAt, long ageMs) {
    }

    public record ErrorJson(String code, String message) {
    }

    /** Where a "where is ...?" answer points, in 0-1 of the frame (the box's centre when there is a box); {@code rule}: how it was read. */
    public record PointJson(double x, double y, String rule) {
    }

    /** The box a "where is ...?" answer gave, in 0-1 of the frame: top-left {@code x}, {@code y}, {@code width}, {@code height}. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record BoxJson(double x, double y, double width, double height, @JsonInclude(JsonInclude.Include.NON_NULL) String label,
                          String rule) {
    }

    static QueryResponse of(QueryAnswer a) {
        FrameRef f = a.frame();
        return new QueryResponse(a.answer(), a.intent().wireName(), a.mode().wireName(), round(a.confidence()),
                a.decisionReason(), f == null ? null : new FrameJson(f.id(), f.capturedAt(), f.ageMs()), a.backend(),
                a.processingTimeMs(), a.failure().map(x -> new ErrorJson(x.code(), x.reason())).orElse(null),
                a.location().map(l -> new PointJson(round(l.x()), round(l.y()), l.rule())).orElse(null),
                a.location().flatMap(l -> l.box().map(b -> new BoxJson(round(b.x()), round(b.y()), round(b.width()), round(b.height()),
                        b.label().orElse(null), l.rule()))).orElse(null));
    }

    private static double round(double value) {
        return Math.round(value * 10_000) / 10_000.0;
    }
}
