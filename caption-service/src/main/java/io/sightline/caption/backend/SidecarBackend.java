package io.sightline.caption.backend;

import io.sightline.common.security.SecretMasker;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.logging.Log;
import io.sightline.caption.config.CaptionConfig;
import io.sightline.common.frame.CapturedFrame;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.Base64;
import java.util.Optional;
import java.util.concurrent.CompletionException;

/**
 * The {@code sidecar} tier: a GPU captioner next to the service, {@code POST {url}/describe
 * {"image": base64, "prompt": …}} answering {@code {"description": …}}; available while
 * {@code GET {url}/health} answers 2xx.
 */
@ApplicationScoped
public class SidecarBackend implements VisionBackend {

    private final CaptionConfig.Sidecar config;
    private final ObjectMapper json;
    private final HttpClient http;
    private volatile String unavailable;

    SidecarBackend(CaptionConfig config, ObjectMapper json) {
        this.config = config.sidecar();
        this.json = json;
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();
        this.unavailable = this.config.url().isEmpty() ? "no URL configured (sightline.caption.sidecar.url)" : "not probed yet";
    }

    @Override
    public String name() {
        return Tier.SIDECAR.id();
    }

    @Override
    public boolean requiresGpu() {
        return true;
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
        if (config.url().isEmpty()) {
            return Uni.createFrom().item(false);
        }
        HttpRequest request = HttpRequest.newBuilder(resolve("health")).timeout(Duration.ofSeconds(3)).GET().build();
        return Uni.createFrom().completionStage(() -> http.sendAsync(request, HttpResponse.BodyHandlers.discarding()))
                .map(response -> {
                    if (response.statusCode() / 100 == 2) {
                        if (unavailable != null) {
                            Log.infof("sidecar tier reachable at %s", SecretMasker.mask(config.url().get().toString()));
                        }
                        unavailable = null;
                        return true;
                    }
                    unavailable = "GET /health answered " + response.statusCode();
                    return false;
                })
                .onFailure().recoverWithItem(e -> {
                    unavailable = "GET /health failed: " + rootMessage(e);
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
        if (config.url().isEmpty()) {
            return Uni.createFrom().failure(new BackendFailure(name(), true, "no URL configured", null));
        }
        ObjectNode body = json.createObjectNode();
        body.put("image", Base64.getEncoder().encodeToString(frame.image()));
        body.put("prompt", prompt);
        HttpRequest request = HttpRequest.newBuilder(resolve("describe"))
                .timeout(config.timeout())
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString()))
                .build();
        return Uni.createFrom().completionStage(() -> http.sendAsync(request, HttpResponse.BodyHandlers.ofString()))
                .onFailure().transform(e -> new BackendFailure(name(), true, failureText(e), e))
                .map(this::toDescription);
    }

    private FrameDescription toDescription(HttpResponse<String> response) {
        int status = response.statusCode();
        if (status / 100 == 5 || status == 429) {
            throw new BackendFailure(name(), true, "answered " + status + ": " + abbreviate(response.body()), null);
        }
        if (status / 100 != 2) {
            throw new BackendFailure(name(), false, "rejected the frame with " + status + ": " + abbreviate(response.body()), null);
        }
        try {
            JsonNode node = json.readTree(response.body());
            String description = node == null ? "" : node.path("description").asText("").trim();
            if (description.isEmpty()) {
                throw new BackendFailure(name(), true, "answered 200 without a description", null);
            }
            String model = node.path("model").asText("gpu-sidecar");
            return FrameDescription.text(description, model);
        } catch (IOException e) {
            throw new BackendFailure(name(), true, "answered 200 with a body that is not JSON", e);
        }
    }

    private URI resolve(String path) {
        String base = config.url().get().toString();
        return URI.create(base.endsWith("/") ? base + path : base + "/" + path);
    }

    private static String failureText(Throwable e) {
        Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
        if (cause instanceof HttpTimeoutException) {
            return "timed out";
        }
        if (cause instanceof ConnectException) {
            return "connection refused";
        }
        return rootMessage(cause);
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getClass().getSimpleName() + (t.getMessage() == null ? "" : ": " + t.getMessage());
    }

    private static String abbreviate(String body) {
        if (body == null) {
            return "";
        }
        return body.length() > 200 ? body.substring(0, 200) + "…" : body;
    }
}
