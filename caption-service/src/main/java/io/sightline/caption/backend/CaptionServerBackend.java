package io.sightline.caption.backend;

import io.sightline.common.security.InternalTokenConfig;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
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

    private static final ObjectMapper JSON = new ObjectMapper();

    private final CaptionConfig.CaptionServer config;
    private final Optional<String> token;
    private final Instance<VlmClients> clients;
    private final CaptionModelRequests requests;
    private final FrameImages images;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
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
        URI models = URI.create(config.baseUrl().toString().replaceAll("/+$", "") + "/models");
        HttpRequest.Builder builder = HttpRequest.newBuilder(models).timeout(Duration.ofSeconds(5)).GET();
        token.ifPresent(t -> builder.header("Authorization", "Bearer " + t));
        HttpRequest request = builder.build();
        return Uni.createFrom().completionStage(() -> http.sendAsync(request, HttpResponse.BodyHandlers.ofString()))
                .map(response -> {
                    if (response.statusCode() != 200) {
                        unavailable = "vlm-service at " + config.baseUrl() + " answered GET /models with " + response.statusCode();
                        return false;
                    }
                    JsonNode root;
                    try {
                        root = JSON.readTree(response.body());
                    } catch (java.io.IOException e) {
                        unavailable = "vlm-service at " + config.baseUrl() + " answered GET /models with unreadable JSON";
                        return false;
                    }
                    JsonNode entry = null;
                    for (JsonNode m : root.path("data")) {
                        if (m.path("id").asText().equals(config.model())
                                || (config.model().equals("default") && m.path("is_default").asBoolean())) {
                            entry = m;
                        }
                    }
                    if (entry == null) {
                        unavailable = "vlm-service has no model '" + config.model() + "'"
                                + (config.model().equals("default") ? " (no default model: " + root.path("default").asText() + ")" : "");
                        return false;
                    }
                    state = entry.path("state").asText("ready");
                    if (state.equals("ready")) {
                        requested.set(false);
                    }
                    String reason = entry.path("unavailable_reason").asText(null);
                    if (reason != null && !reason.isEmpty() && !entry.path("unavailable_reason").isNull()) {
                        unavailable = "vlm-service cannot host '" + entry.path("id").asText() + "': " + reason;
                        return false;
                    }
                    ramMb = entry.path("catalog").path("ram_mb").asInt(0);
                    if (unavailable != null) {
                        Log.infof("caption-server tier: vlm-service hosts %s (%s)", entry.path("id").asText(), state);
                    }
                    unavailable = null;
                    return true;
                })
                .onFailure().recoverWithItem(e -> {
                    unavailable = "vlm-service at " + config.baseUrl() + " cannot be reached: " + e.getMessage();
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
