package io.sightline.common.event;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/**
 * Value on {@code vlm.lifecycle} (key: backend name). Requests ({@link #REQUESTED}, {@link #STOP})
 * ask whoever runs the model server to act; state events report what happened. Consumers must
 * tolerate receiving the same event twice ({@code event_id} identifies it).
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record LifecycleEvent(
        int schema,
        String eventId,
        String event,
        String backend,
        String endpoint,
        String reason,
        String instance,
        long at) {

    public static final int SCHEMA = 1;

    /** A frame needs the caption server and it is not running: please start it. */
    public static final String REQUESTED = "vlm_caption.requested";
    /** The caption server has been idle past its timeout: please stop it. */
    public static final String STOP = "vlm_caption.stop";
    /** The server is being started (by this instance's launcher). */
    public static final String STARTING = "vlm_caption.starting";
    /** The server answers health and lists an image-capable model. */
    public static final String READY = "vlm_caption.ready";
    /** The server process has exited / been scaled to zero. */
    public static final String STOPPED = "vlm_caption.stopped";
    /** Start or stop failed; {@code reason} says why. */
    public static final String FAILED = "vlm_caption.failed";
    /** Download progress of a hosted model's files (vlm-service): {@code reason} carries bytes, total, rate and ETA. */
    public static final String DOWNLOAD = "model.download";
}
