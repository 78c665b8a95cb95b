package io.sightline.caption.backend;

import io.sightline.caption.catalog.ModelCatalog;
import io.sightline.caption.config.CaptionConfig;
import io.sightline.caption.lifecycle.CaptionServerLifecycle;
import io.sightline.common.frame.CapturedFrame;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.Optional;

/**
 * The {@code caption-server} tier: a small fast captioner on a dedicated llama-server, started lazily by
 * the first frame that needs it and stopped when idle ({@link CaptionServerLifecycle}).
 */
@ApplicationScoped
public class CaptionServerBackend implements VisionBackend {

    private final CaptionConfig.CaptionServer config;
    private final CaptionServerLifecycle lifecycle;
    private final FrameImages images;
    private final ModelCatalog catalog;

    CaptionServerBackend(CaptionConfig config, CaptionServerLifecycle lifecycle, FrameImages images, ModelCatalog catalog) {
        this.config = config.captionServer();
        this.lifecycle = lifecycle;
        this.images = images;
        this.catalog = catalog;
    }

    @Override
    public String name() {
        return Tier.CAPTION_SERVER.id();
    }

    @Override
    public boolean requiresGpu() {
        return catalog.entry(Tier.CAPTION_SERVER).requiresGpu();
    }

    @Override
    public int ramMb() {
        return catalog.entry(Tier.CAPTION_SERVER).ramMb();
    }

    /** Startable: a launcher of the configured kind exists and (for the process launcher) the executable and model files are there. */
    @Override
    public boolean isAvailable() {
        return lifecycle.unavailableReason().isEmpty();
    }

    @Override
    public Optional<String> unavailableReason() {
        return lifecycle.unavailableReason();
    }

    @Override
    public String lifecycleState() {
        return lifecycle.state().id();
    }

    @Override
    public int concurrency() {
        return config.concurrency();
    }

    @Override
    public Uni<Void> start() {
        return lifecycle.ready("start requested").replaceWithVoid();
    }

    @Override
    public Uni<Void> stop() {
        return Uni.createFrom().voidItem();
    }

    @Override
    public Uni<FrameDescription> describe(CapturedFrame frame, String prompt) {
        if (config.fallbackWhileStarting() && !lifecycle.isReady()) {
            // Kick off (or join) the start without holding this frame; the next tier describes it meanwhile.
            lifecycle.acquire();
            lifecycle.ready("frame " + frame.frameId() + " of camera " + frame.camera() + " needs it")
                    .onTermination().invoke(lifecycle::release)
                    .subscribe().with(c -> { }, e -> { });
            return Uni.createFrom().failure(new BackendFailure(name(), false,
                    "server is " + lifecycle.state().id() + "; frame sent to the next tier", null));
        }
        return Uni.createFrom().voidItem()
                .invoke(lifecycle::acquire)
                .chain(() -> lifecycle.ready("frame " + frame.frameId() + " of camera " + frame.camera() + " needs it"))
                .chain(client -> ChatCaptioner.describe(name(), client, images, frame, prompt, new ChatCaptioner.Settings(
                        config.model(), config.maxTokens(), config.temperature(), config.timeout(),
                        config.downscaleWidth(), config.downscaleHeight(), config.downscaleJpegQuality())))
                .onTermination().invoke(lifecycle::release);
    }
}
