package io.sightline.gateway.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import io.sightline.common.vlm.Priority;
import io.sightline.common.vlm.VlmClient;
import io.sightline.common.vlm.VlmClients;
import io.sightline.common.vlm.VlmEndpoint;
import io.sightline.common.vlm.VlmException;
import io.sightline.gateway.config.GatewayConfig;
import io.sightline.gateway.error.GatewayException;
import io.sightline.gateway.security.ApiKey;
import io.sightline.gateway.security.PriorityClass;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The OpenAI-compatible endpoint's logic: request checks, priority, and the call to vlm-service through
 * common's VLM client. The class a request is served at travels in X-Sightline-Priority-Class, the caller
 * key's highest allowed class in X-Sightline-Priority-Entitlement (vlm-service never serves above it);
 * {@code model} is passed on as the caller named it ({@code default} when absent: vlm-service's default model).
 */
@ApplicationScoped
public class ChatCompletions {

    /** What a request without {@code model} asks vlm-service for. */
    static final String DEFAULT_MODEL = "default";

    private final GatewayConfig.Vlm config;
    private final Optional<String> internalToken;
    private final Instance<VlmClients> clients;
    private final MeterRegistry registry;
    private volatile VlmClient client;

    ChatCompletions(GatewayConfig config, Instance<VlmClients> clients, MeterRegistry registry) {
        this.config = config.vlm();
        this.internalToken = config.internalToken().filter(t -> !t.isBlank());
        this.clients = clients;
        this.registry = registry;
    }

    /**
     * {@code priority} query parameter wins over {@code X-Priority}; either is clamped to the key's entitlement
     * (a batch key asking for 1 is served as batch); without either, the entitlement's own level.
     */
    public Priority priority(String queryParam, String header, ApiKey caller) {
        return Priority.fromLevel(effectiveLevel(queryParam, header, caller));
    }

    /** The level (1-10) a request is served at; 400 for a malformed one. */
    public static int effectiveLevel(String queryParam, String header, ApiKey caller) {
        return PriorityClass.effectiveLevel(queryParam, header, caller);
    }

    /** Checks an OpenAI chat request ({@code model} defaults to vlm-service's default). Returns whether it asks to stream. */
    public boolean prepare(JsonNode body) {
        if (!(body instanceof ObjectNode object)) {
            throw GatewayException.badRequest("the body must be a JSON object (an OpenAI chat completion request)");
        }
        JsonNode messages = object.path("messages");
        if (!messages.isArray() || messages.isEmpty()) {
            throw GatewayException.badRequest("'messages' must be a non-empty array");
        }
        for (JsonNode message : messages) {
            String role = message.path("role").asText("");
            if (!List.of("system", "user", "assistant", "developer", "tool").contains(role)) {
                throw GatewayException.badRequest("message role must be system, user or assistant, was '" + role + "'");
            }
            JsonNode content = message.path("content");
            if (content.isArray()) {
                for (JsonNode part : content) {
                    String type = part.path("type").asText("");
                    if (type.equals("image_url")) {
                        String url = part.path("image_url").path("url").asText("");
                        if (!url.startsWith("data:image/")) {
                            // the VLM server would fetch a remote URL on the caller's behalf: not from here
                            throw GatewayException.badRequest("image_url must be a data:image/...;base64 URI; remote image URLs are not fetched");
                        }
                    } else if (!type.equals("text")) {
                        throw GatewayException.badRequest("content part type must be 'text' or 'image_url', was '" + type + "'");
                    }
                }
            } else if (!content.isTextual() && !content.isNull() && !content.isMissingNode()) {
                throw GatewayException.badRequest("message content must be a string or an array of parts");
            }
        }
        JsonNode stream = object.path("stream");
        if (!stream.isMissingNode() && !stream.isNull() && !stream.isBoolean()) {
            throw GatewayException.badRequest("'stream' must be true or false");
        }
        JsonNode model = object.path("model");
        if (!model.isMissingNode() && !model.isNull() && !model.isTextual()) {
            throw GatewayException.badRequest("'model' must be a string (a model id from GET /v1/models)");
        }
        if (!model.isTextual() || model.asText().isBlank()) {
            object.put("model", DEFAULT_MODEL);
        }
        return stream.asBoolean(false);
    }

    /** {@code entitlement}: the caller key's highest class (null = none, an internal caller). */
    public Uni<JsonNode> complete(ObjectNode body, Priority priority, Priority entitlement) {
        return Uni.createFrom().deferred(() -> client().chatRaw(body, priority, entitlement))
                .onFailure(VlmException.class).transform(f -> translate((VlmException) f))
                .onItemOrFailure().invoke((item, failure) -> count(priority, false, failure));
    }

    /** SSE {@code data:} payloads as the VLM sends them, without {@code [DONE]}. */
    public Multi<String> stream(ObjectNode body, Priority priority, Priority entitlement) {
        return Multi.createFrom().deferred(() -> client().streamRaw(body, priority, entitlement))
                .onFailure(VlmException.class).transform(f -> translate((VlmException) f))
                .onTermination().invoke((failure, cancelled) -> count(priority, true, failure));
    }

    public Uni<List<String>> models() {
        return Uni.createFrom().deferred(() -> client().models())
                .onFailure(VlmException.class).transform(f -> translate((VlmException) f));
    }

    public Optional<VlmClient.QueueStats> stats() {
        return Optional.ofNullable(client).map(VlmClient::stats);
    }

    private VlmClient client() {
        VlmClient current = client;
        if (current != null) {
            return current;
        }
        synchronized (this) {
            if (client == null) {
                if (config.baseUrl().isEmpty()) {
                    throw new GatewayException(503, "vlm_not_configured",
                            "vlm-service is not configured for the OpenAI-compatible endpoint (set SIGHTLINE_VLM_SERVICE_URL)");
                }
                if (!clients.isResolvable()) {
                    throw new GatewayException(503, "vlm_client_unavailable", "This build has no VLM client implementation");
                }
                // vlm-service queues and schedules: the pool only needs room for the requests it holds for us
                client = clients.get().forEndpoint(new VlmEndpoint("gateway", config.baseUrl().get(), internalToken,
                        DEFAULT_MODEL, 64, 256, config.timeout()));
                Log.infof("OpenAI-compatible endpoint forwards to vlm-service at %s", config.baseUrl().get());
            }
            return client;
        }
    }

    private void count(Priority priority, boolean streaming, Throwable failure) {
        String outcome = failure == null ? "ok" : failure instanceof GatewayException g ? g.error() : "error";
        registry.counter("sightline.gateway.openai.completions", "priority", priority.name(), "stream",
                Boolean.toString(streaming), "outcome", outcome).increment();
    }

    static GatewayException translate(VlmException e) {
        return switch (e.kind()) {
            case OVERLOADED -> new GatewayException(429, "overloaded", "The VLM queue is full; retry later ("
                    + e.getMessage() + ")", e.retryAfter().orElse(Duration.ofSeconds(2)), e);
            case TIMEOUT -> new GatewayException(504, "timeout", "The VLM did not answer in time: " + e.getMessage(), null, e);
            case UNAVAILABLE -> new GatewayException(503, "vlm_unavailable", "The VLM is unavailable: " + e.getMessage(),
                    Duration.ofSeconds(5), e);
            case REJECTED -> new GatewayException(e.status() >= 400 && e.status() < 500 ? e.status() : 400, "rejected",
                    "The VLM rejected the request: " + e.getMessage(), null, e);
            case SERVER_ERROR, BAD_RESPONSE -> new GatewayException(502, "bad_gateway", "The VLM failed: " + e.getMessage(), null, e);
        };
    }
}
