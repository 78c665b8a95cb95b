package io.sightline.fallback.watch;

import io.sightline.common.vlm.VlmClient;
import io.sightline.common.vlm.VlmClients;
import io.sightline.common.vlm.VlmEndpoint;
import io.sightline.fallback.config.FallbackConfig;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.Optional;

/**
 * The VLM watch jobs ask: the same endpoint as fallback queries ({@code sightline.fallback.vlm.*},
 * SIGHTLINE_VLM_BASE_URL), through the same shared client, so watch jobs (LOW) and interactive queries
 * (HIGH) share one concurrency limit and queries go first.
 */
@ApplicationScoped
class WatchVlm {

    static final String ENDPOINT = io.sightline.fallback.vlm.QueryVlm.ENDPOINT;

    private final Optional<VlmClient> client;

    WatchVlm(FallbackConfig config, VlmClients clients) {
        FallbackConfig.Vlm vlm = config.vlm();
        this.client = vlm.baseUrl().map(url -> clients.forEndpoint(new VlmEndpoint(ENDPOINT, url, vlm.apiKey(), vlm.model(),
                vlm.maxConcurrent(), vlm.maxQueued(), vlm.timeout())));
    }

    /** Empty when no VLM is configured. */
    Optional<VlmClient> client() {
        return client;
    }
}
