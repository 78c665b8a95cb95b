package io.sightline.history.rest;

import io.sightline.history.config.HistoryConfig;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import org.jboss.resteasy.reactive.RestResponse;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;

/**
 * When {@code sightline.history.token} is set, every request under {@code /api/} (reads too: history is
 * private) needs {@code Authorization: Bearer <internal token>}. Constant-time compare; never logged.
 * Interim: the same pattern as the other services until common's one InternalTokenFilter replaces it.
 */
class InternalTokenFilter {

    private final Optional<byte[]> token;

    InternalTokenFilter(HistoryConfig config) {
        this.token = config.token().filter(t -> !t.isBlank()).map(t -> t.getBytes(StandardCharsets.UTF_8));
    }

    @ServerRequestFilter
    Optional<RestResponse<ErrorBody>> requireToken(ContainerRequestContext request) {
        if (token.isEmpty() || !request.getUriInfo().getPath().startsWith("/api/")) {
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
