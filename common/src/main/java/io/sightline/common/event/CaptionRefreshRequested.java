package io.sightline.common.event;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/**
 * Value on {@code caption.refresh} (key: camera). Someone (a watch job, a user) wants a fresh description
 * of the camera: caption-service escalates the camera's next frame to the describing tier whatever its scene
 * signature says (budget permitting). {@code requestedBy} says who ("watch:&lt;job id&gt;", "user:&lt;key id&gt;"),
 * for the caption record and the metrics; {@code at} is epoch ms.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record CaptionRefreshRequested(int schema, String camera, String requestedBy, long at) {

    public static final int SCHEMA = 1;
}
