package io.sightline.caption.backend;

import io.sightline.common.security.InternalTokenConfig;
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

import java.net.URI;
import java.util.Optional;

/**
 * The {@code vlm} tier: a larger model in vlm-service (a remote endpoint or a big hosted model, by catalog id
 * {@code sightline.caption.vlm.model}). Available only while vlm-service reports that model hostable or
 * running: on a box where it has nothing to run, the tier is passed over with vlm-service's reason instead
 * of being selected and failing every frame.
 */
@ApplicationScoped
public class SharedVlmBackend implements VisionBackend {

    private final CaptionConfig.Vlm config;
    private final URI baseUrl;
    private final Optional<String> token;
    private final Instance<VlmClients> clients;
    private final FrameImages images;
    private final VlmServiceModel models = new VlmServiceModel();
    private volatile String unavailable = "not probed yet";
    private volatile String state = "unknown";
    private volatile VlmClient client;

    SharedVlmBackend(CaptionConfig config, Instance<VlmClients> clients, FrameImages images, InternalTokenConfig internal) {
        this.config = config.vlm();
        // vlm-service's API root: the caption-server tier's unless the vlm tier names another (tests)
        this.baseUrl = this.config.baseUrl().orElse(config.captionServer().baseUrl());
        this.token = internal.token().filter(t -> !t.isBlank());
        this.clients = clients;
        this.images = images;
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
    public String lifecycleState() {
        return state;
    }

    @Override
    public int concurrency() {
        return config.concurrency();
    }

    /** Asks vlm-service for the tier's model: present, and hostable or running. */
    @Override
    public Uni<Boolean> probeAvailability() {
        return models.probe(baseUrl, token, config.model()).map(probe -> {
            state = probe.state();
            if (probe.unavailable() != null) {
                unavailable = probe.unavailable();
                return false;
            }
            if (unavailable != null) {
                Log.infof("vlm tier: vlm-service at %s serves %s (%s)", SecretMasker.mask(baseUrl.toString()), probe.id(), state);
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
        Optional<VlmClient> c = client();
        if (c.isEmpty()) {
            return Uni.createFrom().failure(new BackendFailure(name(), true, unavailable == null ? "not configured" : unavailable, null));
        }
        return ChatCaptioner.describe(name(), c.get(), images, frame, prompt, new ChatCaptioner.Settings(config.model(),
                config.maxTokens(), config.temperature(), config.timeout(), config.downscaleWidth(), config.downscaleHeight(),
                config.downscaleJpegQuality()));
    }

    private Optional<VlmClient> client() {
        if (!clients.isResolvable()) {
            return Optional.empty();
        }
        VlmClient current = client;
        if (current == null) {
            // vlm-service queues (class batch); the pool only needs room for this tier's frames in flight
            current = clients.get().forEndpoint(new VlmEndpoint(name(), baseUrl, token, config.model(),
                    config.concurrency(), 64, config.timeout()));
            client = current;
        }
        return Optional.of(current);
    }
}
