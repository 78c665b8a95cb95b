package io.sightline.caption.backend;

import io.sightline.common.frame.CapturedFrame;
import io.smallrye.mutiny.Uni;

import java.util.Optional;

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

    /** Why {@link #isAvailable()} is false (empty when available), for {@code GET /api/v1/backends}. */
    default Optional<String> unavailableReason() {
        return isAvailable() ? Optional.empty() : Optional.of("unavailable");
    }

    /** Re-checks availability of remote tiers (e.g. {@code GET /models}); local tiers answer from state. */
    default Uni<Boolean> probeAvailability() {
        return Uni.createFrom().item(isAvailable());
    }

    /** Lifecycle of what the tier runs: stopped, requested, starting, ready, stopping, failed; "always-on" when there is none. */
    default String lifecycleState() {
        return "always-on";
    }

    /** Frames this tier describes at once; the pipeline never has more cameras in flight on it. */
    default int concurrency() {
        return 1;
    }
}
