package io.sightline.caption.backend;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.smallrye.mutiny.Uni;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;

/**
 * One model as vlm-service reports it in {@code GET /v1/models}: whether it exists, its state and, when
 * vlm-service cannot host or reach it, the reason. Both generative tiers (caption-server and vlm) decide
 * their availability from this, never from "the models list answered".
 */
final class VlmServiceModel {

    /** What vlm-service said: {@code unavailable} null = the model can take requests (it may still have to start). */
    record Probe(String unavailable, String id, String state, int ramMb) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    /** {@code model}: a catalog id, or {@code default} for vlm-service's default model. */
    Uni<Probe> probe(URI baseUrl, Optional<String> token, String model) {
        URI models = URI.create(baseUrl.toString().replaceAll("/+$", "") + "/models");
        HttpRequest.Builder builder = HttpRequest.newBuilder(models).timeout(Duration.ofSeconds(5)).GET();
        token.ifPresent(t -> builder.header("Authorization", "Bearer " + t));
        HttpRequest request = builder.build();
        return Uni.createFrom().completionStage(() -> http.sendAsync(request, HttpResponse.BodyHandlers.ofString()))
                .map(response -> read(baseUrl, model, response))
                .onFailure().recoverWithItem(e -> new Probe("vlm-service at " + baseUrl + " cannot be reached: " + e.getMessage(),
                        model, "unknown", 0));
    }

    private static Probe read(URI baseUrl, String model, HttpResponse<String> response) {
        if (response.statusCode() != 200) {
            return new Probe("vlm-service at " + baseUrl + " answered GET /models with " + response.statusCode(), model, "unknown", 0);
        }
        JsonNode root;
        try {
            root = JSON.readTree(response.body());
        } catch (IOException e) {
            return new Probe("vlm-service at " + baseUrl + " answered GET /models with unreadable JSON", model, "unknown", 0);
        }
        JsonNode entry = null;
        for (JsonNode m : root.path("data")) {
            if (m.path("id").asText().equals(model) || (model.equals("default") && m.path("is_default").asBoolean())) {
                entry = m;
            }
        }
        if (entry == null) {
            return new Probe("vlm-service has no model '" + model + "'"
                    + (model.equals("default") ? " (no default model: " + root.path("default").asText() + ")" : ""), model, "unknown", 0);
        }
        String id = entry.path("id").asText();
        String state = entry.path("state").asText("ready");
        JsonNode reason = entry.path("unavailable_reason");
        if (reason.isTextual() && !reason.asText().isEmpty()) {
            return new Probe("vlm-service cannot host '" + id + "': " + reason.asText(), id, state, 0);
        }
        String failure = entry.path("last_failure").asText("");
        if (state.equals("failed") && failure.startsWith("download failed")) {
            // not a crash it restarts from: the files could not be fetched (offline, mirror down, bad checksum)
            return new Probe("vlm-service could not provision '" + id + "': " + failure, id, state, 0);
        }
        return new Probe(null, id, state, entry.path("catalog").path("ram_mb").asInt(0));
    }
}
