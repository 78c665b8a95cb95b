package io.sightline.vlm.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.smallrye.mutiny.Uni;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;

/**
 * Asks a llama-server (or any OpenAI-compatible server) what it is: {@code GET /health} for readiness,
 * {@code GET /props} for {@code modalities.vision} and {@code total_slots}, else the model listing's
 * capabilities ({@code models[].capabilities} contains {@code multimodal}). These probes are not activity.
 */
public final class ServerProbe {

    /** What the server said about itself; vision empty when it said nothing either way. */
    public record Props(Optional<Boolean> vision, Optional<Integer> totalSlots, Optional<String> firstModelId) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    private final HttpClient http;
    private final String root;
    private final String base;
    private final Optional<String> apiKey;

    public ServerProbe(URI baseUrl, Optional<String> apiKey) {
        // the JDK client: probes are rare, short and must never share (or wait for) the generation connections
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).version(HttpClient.Version.HTTP_1_1).build();
        this.base = baseUrl.toString().replaceAll("/+$", "");
        this.root = base.endsWith("/v1") ? base.substring(0, base.length() - 3) : base;
        this.apiKey = apiKey;
    }

    /** True when {@code /health} answers 200 (404: a server without it counts as up when /models answers). */
    public Uni<Boolean> healthy() {
        return get(root + "/health").chain(reply -> {
            if (reply.status == 200) {
                return Uni.createFrom().item(true);
            }
            if (reply.status == 404) {
                return get(base + "/models").map(r -> r.status == 200);
            }
            return Uni.createFrom().item(false);
        }).onFailure().recoverWithItem(false);
    }

    public Uni<Props> props() {
        return get(root + "/props").chain(reply -> {
            Optional<Boolean> vision = Optional.empty();
            Optional<Integer> slots = Optional.empty();
            if (reply.status == 200) {
                JsonNode body = parse(reply.body);
                JsonNode v = body.path("modalities").path("vision");
                if (v.isBoolean()) {
                    vision = Optional.of(v.asBoolean());
                }
                if (body.path("total_slots").canConvertToInt() && body.path("total_slots").asInt() > 0) {
                    slots = Optional.of(body.path("total_slots").asInt());
                }
            }
            Optional<Boolean> fromProps = vision;
            Optional<Integer> slotsFromProps = slots;
            return get(base + "/models").map(models -> {
                JsonNode body = models.status == 200 ? parse(models.body) : JSON.createObjectNode();
                Optional<String> first = Optional.ofNullable(body.path("data").path(0).path("id").asText(null));
                Optional<Boolean> visible = fromProps;
                if (visible.isEmpty() && body.path("models").path(0).path("capabilities").isArray()) {
                    boolean multimodal = false;
                    for (JsonNode c : body.path("models").path(0).path("capabilities")) {
                        multimodal |= "multimodal".equals(c.asText()) || "vision".equals(c.asText());
                    }
                    visible = Optional.of(multimodal);
                }
                return new Props(visible, slotsFromProps, first);
            });
        });
    }

    private static JsonNode parse(String body) {
        try {
            return JSON.readTree(body);
        } catch (Exception e) {
            return JSON.createObjectNode();
        }
    }

    private record Reply(int status, String body) {
    }

    private Uni<Reply> get(String url) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(TIMEOUT).GET();
        apiKey.ifPresent(k -> request.header("Authorization", "Bearer " + k));
        return Uni.createFrom().completionStage(() -> http.sendAsync(request.build(), HttpResponse.BodyHandlers.ofString())
                .thenApply(response -> new Reply(response.statusCode(), response.body())));
    }

    public void close() {
        // the JDK client (Java 17) has no close(); its idle connections time out on their own
    }
}
