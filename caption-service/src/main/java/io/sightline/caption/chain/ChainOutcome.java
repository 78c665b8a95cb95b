package io.sightline.caption.chain;

import io.sightline.caption.backend.FrameDescription;
import io.sightline.caption.backend.Tier;

import java.util.List;

/** How a frame was described: by which tier, after which tiers failed or were skipped (with reasons), in how long. */
public record ChainOutcome(Tier tier, FrameDescription description, List<String> fallbacks, List<String> fallbackReasons,
                           long latencyMs) {

    public ChainOutcome {
        fallbacks = List.copyOf(fallbacks);
        fallbackReasons = List.copyOf(fallbackReasons);
    }
}
