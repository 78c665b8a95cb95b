package io.sightline.watch;

import io.sightline.common.vlm.VlmClient;
import io.sightline.common.vlm.VlmClients;
import io.sightline.common.vlm.VlmEndpoint;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.Optional;

/**
 * The VLM watch jobs ask: vlm-service ({@code sightline.watch.vlm.*}, SIGHTLINE_VLM_SERVICE_URL) with priority
 * class WATCH, so interactive questions overtake watch looks in its queue.
 */
@ApplicationScoped
class WatchVlm {

    static final String ENDPOINT = "watch";

    private final Optional<VlmClient> client;

    WatchVlm(WatchConfig config, VlmClients clients) {
        WatchConfig.Vlm vlm = config.vlm();
        this.client = vlm.baseUrl().map(url -> clients.forEndpoint(new VlmEndpoint(ENDPOINT, url, vlm.apiKey(), vlm.model(),
                vlm.maxConcurrent(), vlm.maxQueued(), config.vlmTimeout())));
    }

    /** Empty when no VLM is configured. */
    Optional<VlmClient> client() {
        return client;
    }
}
