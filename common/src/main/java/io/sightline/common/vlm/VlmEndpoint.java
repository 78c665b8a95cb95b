package io.sightline.common.vlm;

import java.net.URI;
import java.time.Duration;
import java.util.Optional;

/**
 * One OpenAI-compatible server. {@code baseUrl} is the API root, e.g. {@code http://127.0.0.1:8090/v1};
 * {@code maxConcurrent} is its number of slots (requests in flight), {@code maxQueued} how many may wait.
 */
public record VlmEndpoint(
        String name,
        URI baseUrl,
        Optional<String> apiKey,
        String model,
        int maxConcurrent,
        int maxQueued,
        Duration timeout) {

    public VlmEndpoint {
        if (maxConcurrent < 1) {
            throw new IllegalArgumentException("maxConcurrent must be >= 1");
        }
        if (maxQueued < 0) {
            throw new IllegalArgumentException("maxQueued must be >= 0");
        }
        apiKey = apiKey == null ? Optional.empty() : apiKey.filter(k -> !k.isBlank());
    }
}
