package io.sightline.fallback.rest;

import io.sightline.fallback.config.FallbackConfig;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import org.jboss.resteasy.reactive.RestResponse;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;

/**
 * When {@code sightline.fallback.token} is set, every POST under {@code /api/} needs
 * {@code Authorization: Bearer <token>} (the gateway's shared internal token). Compared in constant
 * time; the token is never logged.
 */
class InternalTokenFilter {

    private final Optional<byte[]> token;

    InternalTokenFilter(FallbackConfig config) {
        this.token = config.token().filter(t -> !t.isBlank()).map(t -> t.getBytes(StandardCharsets.UTF_8));
    }

    @ServerRequestFilter
    Optional<RestResponse<ErrorBody>> requireToken(ContainerRequestContext request) {
        if (token.isEmpty() || !"POST".equals(request.getMethod()) || !request.getUriInfo().getPath().startsWith("/api/")) {
            return Optional.empty();
        }
        String header = request.getHeaderString(HttpHeaders.AUTHORIZATION);
        if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)
                && MessageDigest.isEqual(header.substring(7).trim().getBytes(StandardCharsets.UTF_8), token.get())) {
            return Optional.empty();
        }
        return Optional.of(RestResponse.ResponseBuilder.create(RestResponse.Status.UNAUTHORIZED,
                        new ErrorBody("unauthorized", header == null ? "missing Authorization: Bearer <internal token>"
                                : "the bearer token is not the internal token"))
                .type(MediaType.APPLICATION_JSON_TYPE)
                .header(HttpHeaders.WWW_AUTHENTICATE, "Bearer")
                .build());
    }
}
