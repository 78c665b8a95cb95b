package io.sightline.latest;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;

/**
 * The latest-state component of a service (fallback-service, watch-service): what it keeps of each camera
 * and how it rebuilds that at start. The one mapping of this library; each service keeps its own for the rest.
 */
@ConfigMapping(prefix = "sightline.latest-state")
public interface LatestStateConfig {

    /** Largest frame kept, in bytes after re-encoding; larger frames go to frames.dlq. */
    @WithDefault("1048576")
    int maxFrameBytes();

    /** How long a frame stays usable after it was captured. */
    @WithDefault("300s")
    Duration frameTtl();

    /** How long a camera stays known (caption, detections) after its last update. */
    @WithDefault("24h")
    Duration cameraTtl();

    /** Most cameras tracked; the least recently updated one is evicted beyond this. */
    @WithDefault("256")
    int maxCameras();

    /** Longest side of a cached frame in pixels: larger frames are downscaled on arrival. */
    @WithDefault("1024")
    int maxSide();

    /** JPEG quality (0-100) of cached frames; they are sent to the VLM as they are cached. */
    @WithDefault("85")
    int jpegQuality();

    /** How often expired frames and cameras are swept out. */
    @WithDefault("10s")
    Duration sweepInterval();

    Rebuild rebuild();

    /**
     * Rebuilding the state at start from the tail of {@code frames}, {@code captions} and {@code detections}:
     * a quiet camera (a push camera that sent its last frame before the restart) is known at once.
     */
    interface Rebuild {

        /** Whether to read back the tail at all; false = from the latest offset, a fresh replica knows nothing. */
        @WithDefault("true")
        boolean enabled();

        /**
         * How far back captions and detections are read on each assigned partition (frames: {@code frame-ttl},
         * older frames are unusable anyway). A partition holds many cameras, so "the last record" is not enough.
         */
        @WithDefault("1h")
        Duration lookback();

        /** At most this many records per partition are read back, whatever the lookback. */
        @WithDefault("2000")
        int maxRecords();

        /** Readiness waits at most this long for the read-back to reach the end offsets seen at assignment. */
        @WithDefault("60s")
        Duration timeout();
    }
}
