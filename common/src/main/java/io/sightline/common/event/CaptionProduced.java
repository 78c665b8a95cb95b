package io.sightline.common.event;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

import java.util.List;

/**
 * Value on {@code captions} (key: camera). One caption of one frame, with the tier that produced it
 * and the tiers that failed before it ({@code fallbacks}).
 *
 * <p>The escalation fields are set when caption-service runs the escalation pipeline (a describing tier
 * selected and the onnx analysis available): {@code escalated} says whether this frame itself went to the
 * describing tier; {@code escalationReason} is the rule that decided it ({@code class_appeared},
 * {@code count_changed}, {@code static}, {@code budget}, ...), {@code escalationDetail} the particulars
 * ("cat", "person 1 -> 2"); {@code describedFrameId} is the frame whose description the text carries (the frame
 * itself when escalated). All four are null on records written without the pipeline (older records, or a
 * non-describing tier selected), so readers treat null as "described by itself".
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
        List<String> fallbacks,
        Boolean escalated,
        String escalationReason,
        String escalationDetail,
        String describedFrameId) {

    public static final int SCHEMA = 1;

    @JsonCreator
    public CaptionProduced {
        fallbacks = fallbacks == null ? List.of() : List.copyOf(fallbacks);
    }

    /** A caption written without the escalation pipeline (escalation fields null). */
    public CaptionProduced(int schema, String frameId, String camera, long capturedAt, long captionedAt, String backend,
                           String model, String text, long latencyMs, List<String> fallbacks) {
        this(schema, frameId, camera, capturedAt, captionedAt, backend, model, text, latencyMs, fallbacks, null, null, null, null);
    }
}
