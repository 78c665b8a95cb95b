package io.sightline.caption.backend;

import io.sightline.caption.config.CaptionConfig;
import io.sightline.common.frame.CapturedFrame;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/** No description at all: the frame is acknowledged with an empty caption, at no cost. */
@ApplicationScoped
public class NoneBackend implements VisionBackend {

    private static final Uni<FrameDescription> EMPTY = Uni.createFrom().item(FrameDescription.text("", "none"));

    private final int concurrency;

    NoneBackend(CaptionConfig config) {
        this.concurrency = config.none().concurrency();
    }

    @Override
    public int concurrency() {
        return concurrency;
    }

    @Override
    public String name() {
        return Tier.NONE.id();
    }

    @Override
    public boolean requiresGpu() {
        return false;
    }

    @Override
    public int ramMb() {
        return 0;
    }

    @Override
    public boolean isAvailable() {
        return true;
    }

    @Override
    public Uni<Void> start() {
        return Uni.createFrom().voidItem();
    }

    @Override
    public Uni<Void> stop() {
        return Uni.createFrom().voidItem();
    }

    @Override
    public Uni<FrameDescription> describe(CapturedFrame frame, String prompt) {
        return EMPTY;
    }
}
