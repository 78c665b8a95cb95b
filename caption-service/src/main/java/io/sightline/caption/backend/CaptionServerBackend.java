package io.sightline.caption.backend;

import io.sightline.common.security.InternalTokenConfig;
import io.quarkus.logging.Log;
import io.sightline.caption.config.CaptionConfig;
import io.sightline.common.frame.CapturedFrame;
import io.sightline.common.vlm.VlmClient;
import io.sightline.common.vlm.VlmClients;
import io.sightline.common.vlm.VlmEndpoint;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;

import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The {@code caption-server} tier: a small fast captioner hosted by vlm-service, which starts it on the
 * first request and stops it when idle. This tier only asks: it publishes {@code vlm_caption.requested}
 * when a frame needs the model and vlm-service does not report it ready, then sends the frame (vlm-service
 * holds it until the model is up). What exists and its state come from vlm-service's {@code GET /v1/models}.
 */
@ApplicationScoped
public class CaptionServerBackend implements VisionBackend {

    private final CaptionConfig.CaptionServer config;
    private final Optional<String> token;
    private final Instance<VlmClients> clients;
    private final CaptionModelRequests requests;
    private final FrameImages images;
    private final VlmServiceModel models = new VlmServiceModel();
    private final AtomicBoolean requested = new AtomicBoolean();
    private volatile String unavailable = "not probed yet";
    private volatile String state = "unknown";
    private volatile int ramMb;
    private volatile VlmClient client;

    CaptionServerBackend(CaptionConfig config, Instance<VlmClients> clients, CaptionModelRequests requests, FrameImages images,
                         InternalTokenConfig internal) {
        this.config = config.captionServer();
        // vlm-service guards every route with the internal token (common's InternalTokenFilter)
        this.token = internal.token().filter(t -> !t.isBlank());
        this.clients = clients;
        this.requests = requests;
        this.images = images;
    }

    @Override
    public String name() {
        return Tier.CAPTION_SERVER.id();
    }

    @Override
    public boolean requiresGpu() {
        return false;
    }

    /** Hosted by vlm-service, which checked the model fits its host: nothing is needed here. */
    @Override
    public int ramMb() {
        return ramMb;
    }

    @Override
    public boolean isAvailable() {
        return unavailable == null;
    }

    @Override
    public Optional<String> unavailableReason() {
        return Optional.ofNullable(unavailable);
    }

    @Override
    public String lifecycleState() {
        return state;
    }

    @Override
    public int concurrency() {
        return config.concurrency();
    }

    /** Asks vlm-service whether it has the caption model, and its state. */
    @Override
    public Uni<Boolean> probeAvailability() {
        return models.probe(config.baseUrl(), token, config.model()).map(probe -> {
            state = probe.state();
            if (state.equals("ready")) {
                requested.set(false);
            }
            if (probe.unavailable() != null) {
                unavailable = probe.unavailable();
                return false;
            }
            ramMb = probe.ramMb();
            if (unavailable != null) {
                Log.infof("caption-server tier: vlm-service hosts %s (%s)", probe.id(), state);
            }
            unavailable = null;
            return true;
        });
    }

    @Override
    public Uni<Void> start() {
        return probeAvailability().replaceWithVoid();
    }

    @Override
    public Uni<Void> stop() {
        return Uni.createFrom().voidItem();
    }

    @Override
    public Uni<FrameDescription> describe(CapturedFrame frame, String prompt) {
        Uni<Void> request = Uni.createFrom().voidItem();
        if (!"ready".equals(state) && requested.compareAndSet(false, true)) {
            request = requests.request(config.model(), config.baseUrl().toString(),
                    "frame " + frame.frameId() + " of camera " + frame.camera() + " needs it");
        }
        if (config.fallbackWhileStarting() && !"ready".equals(state)) {
            return request.chain(() -> Uni.createFrom().failure(new BackendFailure(name(), false,
                    "caption model is " + state + " in vlm-service; frame sent to the next tier", null)));
        }
        return request.chain(() -> ChatCaptioner.describe(name(), client(), images, frame, prompt, new ChatCaptioner.Settings(
                config.model(), config.maxTokens(), config.temperature(), config.timeout(),
                config.downscaleWidth(), config.downscaleHeight(), config.downscaleJpegQuality())))
                .invoke(() -> state = "ready");
    }

    private VlmClient client() {
        VlmClient current = client;
        if (current == null) {
            current = clients.get().forEndpoint(new VlmEndpoint(name(), config.baseUrl(), token, config.model(),
                    config.concurrency(), 64, config.timeout()));
            client = current;
        }
        return current;
    }
}
