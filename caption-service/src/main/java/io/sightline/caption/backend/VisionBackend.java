package io.sightline.caption.backend;

import io.sightline.common.frame.CapturedFrame;
import io.smallrye.mutiny.Uni;

/**
 * One tier of the vision chain: caption-server, vlm, sidecar, onnx, labels, none. Selection walks the
 * tiers in that order; a failing tier (server faults, not our bad requests) falls through to the next.
 */
public interface VisionBackend {

    /** Tier name as used in config, captions and {@code GET /api/v1/backends}. */
    String name();

    boolean requiresGpu();

    /** Resident memory the tier needs on this host, in MiB (0 for remote tiers). */
    int ramMb();

    /** Whether the tier can take frames now (configured, reachable or startable). */
    boolean isAvailable();

    /** Prepares the tier (loads models, starts or requests a server); completes when it can describe. */
    Uni<Void> start();

    /** Releases what {@link #start()} acquired. */
    Uni<Void> stop();

    /** Describes one frame. Fails with a {@link BackendFailure} saying whether the tier is at fault. */
    Uni<FrameDescription> describe(CapturedFrame frame, String prompt);
}
