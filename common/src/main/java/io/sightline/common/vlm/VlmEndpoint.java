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

    /**
     * An endpoint from the property shapes services use (a base URL string and a model), with one slot,
     * 16 waiting and a 60 s timeout; refine with the {@code with…} methods. Rejects anything but an
     * absolute http(s) URL with a host, so a typo fails at startup rather than at the first frame.
     */
    public static VlmEndpoint of(String name, String baseUrl, String model) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("a VLM endpoint needs a name");
        }
        URI uri;
        try {
            uri = URI.create(baseUrl == null ? "" : baseUrl.trim());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("VLM endpoint '" + name + "': base URL '" + baseUrl + "' is not a URL", e);
        }
        if (uri.getScheme() == null || !(uri.getScheme().equals("http") || uri.getScheme().equals("https")) || uri.getHost() == null) {
            throw new IllegalArgumentException("VLM endpoint '" + name + "': base URL '" + baseUrl
                    + "' must be an absolute http(s) URL such as http://127.0.0.1:8090/v1");
        }
        return new VlmEndpoint(name, uri, Optional.empty(), model, 1, 16, Duration.ofSeconds(60));
    }

    public VlmEndpoint withApiKey(Optional<String> key) {
        return new VlmEndpoint(name, baseUrl, key, model, maxConcurrent, maxQueued, timeout);
    }

    /** {@code maxConcurrent} requests in flight (the server's slots), {@code maxQueued} waiting. */
    public VlmEndpoint withSlots(int maxConcurrent, int maxQueued) {
        return new VlmEndpoint(name, baseUrl, apiKey, model, maxConcurrent, maxQueued, timeout);
    }

    public VlmEndpoint withTimeout(Duration timeout) {
        return new VlmEndpoint(name, baseUrl, apiKey, model, maxConcurrent, maxQueued, timeout);
    }

    /** Never prints the API key. */
    @Override
    public String toString() {
        return "VlmEndpoint[name=" + name + ", baseUrl=" + baseUrl + ", apiKey=" + (apiKey.isPresent() ? "***" : "none")
                + ", model=" + model + ", maxConcurrent=" + maxConcurrent + ", maxQueued=" + maxQueued + ", timeout=" + timeout + "]";
    }
}
