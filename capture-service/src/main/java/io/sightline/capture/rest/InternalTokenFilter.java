package io.sightline.capture.rest;

import io.sightline.capture.config.CaptureConfig;
import io.sightline.capture.service.CaptureRejection;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.ext.Provider;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * Checks the bearer token of pushes and camera changes in constant time. Without a configured token
 * those endpoints answer 503 rather than run open: the token must be set on purpose.
 */
@Provider
@ApplicationScoped
@InternalTokenRequired
class InternalTokenFilter implements ContainerRequestFilter {

    private final CaptureConfig config;

    InternalTokenFilter(CaptureConfig config) {
        this.config = config;
    }

    @Override
    public void filter(ContainerRequestContext request) {
        String expected = config.token().filter(t -> !t.isBlank()).orElse(null);
        if (expected == null) {
            throw new CaptureRejection(503, "token_not_configured",
                    "no internal token is configured (set SIGHTLINE_INTERNAL_TOKEN or sightline.capture.token); pushes and camera changes are disabled");
        }
        String header = request.getHeaderString(HttpHeaders.AUTHORIZATION);
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            throw new CaptureRejection(401, "unauthorized", "Authorization: Bearer <token> is required");
        }
        byte[] given = header.substring(7).trim().getBytes(StandardCharsets.UTF_8);
        if (!MessageDigest.isEqual(given, expected.getBytes(StandardCharsets.UTF_8))) {
            throw new CaptureRejection(401, "unauthorized", "the bearer token is not valid");
        }
    }
}
