package io.sightline.common.event;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

import java.util.List;

/**
 * Value on {@code captions} (key: camera). One caption of one frame, with the tier that produced it
 * and the tiers that failed before it ({@code fallbacks}).
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record CaptionProduced(
        int schema,
        String frameId,
        String camera,
        long capturedAt,
        long captionedAt,
        String backend,
        String model,
        String text,
        long latencyMs,
        List<String> fallbacks) {

    public static final int SCHEMA = 1;

    public CaptionProduced {
        fallbacks = fallbacks == null ? List.of() : List.copyOf(fallbacks);
    }
}
