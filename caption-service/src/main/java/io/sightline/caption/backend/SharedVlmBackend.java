package io.sightline.caption.backend;

import io.sightline.common.security.SecretMasker;
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

/** The {@code vlm} tier: a larger shared OpenAI-compatible VLM, available while {@code GET {base}/models} answers. */
@ApplicationScoped
public class SharedVlmBackend implements VisionBackend {

    private final CaptionConfig.Vlm config;
    private final Instance<VlmClients> clients;
    private final FrameImages images;
    private volatile String unavailable = "not probed yet";
    private volatile VlmClient client;

    SharedVlmBackend(CaptionConfig config, Instance<VlmClients> clients, FrameImages images) {
        this.config = config.vlm();
        this.clients = clients;
        this.images = images;
        if (this.config.baseUrl().isEmpty()) {
            unavailable = "no base URL configured (sightline.caption.vlm.base-url / SIGHTLINE_VLM_BASE_URL)";
        }
    }

    @Override
    public String name() {
        return Tier.VLM.id();
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
        return unavailable == null;
    }

    @Override
    public Optional<String> unavailableReason() {
        return Optional.ofNullable(unavailable);
    }

    @Override
    public int concurrency() {
        return config.concurrency();
    }

    @Override
    public Uni<Boolean> probeAvailability() {
        if (config.baseUrl().isEmpty()) {
            return Uni.createFrom().item(false);
        }
        Optional<VlmClient> c = client();
        if (c.isEmpty()) {
            unavailable = "no VlmClients implementation in common";
            return Uni.createFrom().item(false);
        }
        return c.get().models()
                .map(models -> {
                    if (unavailable != null) {
                        Log.infof("vlm tier reachable at %s (models %s)", SecretMasker.mask(config.baseUrl().get().toString()), models);
                    }
                    unavailable = null;
                    return true;
                })
                .onFailure().recoverWithItem(e -> {
                    unavailable = "GET " + config.baseUrl().get() + "/models failed: " + e.getMessage();
                    return false;
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
        Optional<VlmClient> c = client();
        if (c.isEmpty()) {
            return Uni.createFrom().failure(new BackendFailure(name(), true, unavailable == null ? "not configured" : unavailable, null));
        }
        return ChatCaptioner.describe(name(), c.get(), images, frame, prompt, new ChatCaptioner.Settings(config.model(),
                config.maxTokens(), config.temperature(), config.timeout(), config.downscaleWidth(), config.downscaleHeight(),
                config.downscaleJpegQuality()));
    }

    private Optional<VlmClient> client() {
        if (config.baseUrl().isEmpty() || !clients.isResolvable()) {
            return Optional.empty();
        }
        VlmClient current = client;
        if (current == null) {
            current = clients.get().forEndpoint(new VlmEndpoint(name(), config.baseUrl().get(), config.apiKey(), config.model(),
                    config.concurrency(), config.maxQueued(), config.timeout()));
            client = current;
        }
        return Optional.of(current);
    }
}
