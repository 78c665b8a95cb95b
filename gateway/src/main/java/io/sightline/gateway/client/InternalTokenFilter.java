package io.sightline.gateway.client;

import io.sightline.gateway.config.GatewayConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.client.ClientRequestContext;
import jakarta.ws.rs.client.ClientRequestFilter;
import jakarta.ws.rs.core.HttpHeaders;

/**
 * Puts the internal service token on every downstream call. The caller's own Authorization header is
 * never forwarded: public API keys stay at the gateway.
 */
@ApplicationScoped
class InternalTokenFilter implements ClientRequestFilter {

    private final String authorization;

    InternalTokenFilter(GatewayConfig config) {
        this.authorization = config.internalToken().map(t -> "Bearer " + t).orElse(null);
    }

    @Override
    public void filter(ClientRequestContext request) {
        request.getHeaders().remove(HttpHeaders.AUTHORIZATION);
        if (authorization != null) {
            request.getHeaders().putSingle(HttpHeaders.AUTHORIZATION, authorization);
        }
    }
}
