package io.sightline.caption.rest;

import io.sightline.caption.config.CaptionConfig;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;

/** When an internal token is configured, {@code /api/**} answers only callers presenting it as a bearer token. */
class InternalTokenFilter {

    private final Optional<byte[]> token;

    InternalTokenFilter(CaptionConfig config) {
        this.token = config.internalToken().filter(t -> !t.isBlank()).map(t -> t.getBytes(StandardCharsets.UTF_8));
    }

    @ServerRequestFilter
    Optional<Response> requireToken(ContainerRequestContext request) {
        if (token.isEmpty() || !request.getUriInfo().getPath().startsWith("/api/")) {
            return Optional.empty();
        }
        String header = request.getHeaderString(HttpHeaders.AUTHORIZATION);
        if (header != null && header.startsWith("Bearer ")
                && MessageDigest.isEqual(token.get(), header.substring(7).trim().getBytes(StandardCharsets.UTF_8))) {
            return Optional.empty();
        }
        return Optional.of(Response.status(Response.Status.UNAUTHORIZED)
                .header(HttpHeaders.WWW_AUTHENTICATE, "Bearer")
                .entity("{\"error\":\"missing or wrong bearer token\"}").type("application/json").build());
    }
}
