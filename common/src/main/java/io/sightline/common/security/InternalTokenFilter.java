package io.sightline.common.security;

import io.quarkus.logging.Log;
import io.sightline.common.http.ErrorBody;
import io.quarkus.runtime.LaunchMode;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.vertx.http.runtime.filters.Filters;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;

/**
 * The gate in front of every route of an internal service (REST resources, Vert.x routes, /q/metrics,
 * /q/openapi), except {@code /q/health/*} which probes must reach: {@code Authorization: Bearer
 * <sightline.internal.token>}, compared in constant time. Without a token outside dev/test every such
 * route answers 503 rather than run open. Any service that depends on {@code common} gets it; only the
 * public gateway opts out ({@code sightline.internal.enforced=false}).
 */
@ApplicationScoped
public class InternalTokenFilter {

    /** Before Quarkus' own routes and before any body is read (the gateway's ApiGuard uses 1000 the same way). */
    static final int PRIORITY = 2000;

    private final boolean enforced;
    private final Optional<byte[]> token;
    private final boolean openWithoutToken;
    private final java.util.List<String> openPaths;

    @Inject
    InternalTokenFilter(InternalTokenConfig config) {
        this(config.enforced(), config.token(), LaunchMode.current().isDevOrTest(), config.openPaths().orElse(java.util.List.of()));
    }

    InternalTokenFilter(boolean enforced, Optional<String> token, boolean openWithoutToken) {
        this(enforced, token, openWithoutToken, java.util.List.of());
    }

    InternalTokenFilter(boolean enforced, Optional<String> token, boolean openWithoutToken, java.util.List<String> openPaths) {
        this.openPaths = openPaths.stream().map(String::strip).filter(p -> p.startsWith("/") && p.length() > 1).toList();
        this.enforced = enforced;
        this.token = token.filter(t -> !t.isBlank()).map(t -> t.strip().getBytes(StandardCharsets.UTF_8));
        this.openWithoutToken = openWithoutToken;
    }

    void register(@Observes Filters filters) {
        if (enforced) {
            filters.register(this::handle, PRIORITY);
            Log.debugf("internal token filter on every route but /q/health (token %s)", token.isPresent() ? "set" : "unset");
        }
    }

    void warn(@Observes StartupEvent event) {
        if (enforced && token.isEmpty()) {
            if (openWithoutToken) {
                Log.warn("No internal token (SIGHTLINE_INTERNAL_TOKEN): every route is open (dev/test only)");
            } else {
                Log.error("No internal token (SIGHTLINE_INTERNAL_TOKEN): every route but /q/health answers 503 until one is set");
            }
        }
    }

    void handle(RoutingContext ctx) {
        Optional<Refusal> refusal = check(ctx.normalizedPath(), ctx.request().getHeader(HttpHeaders.AUTHORIZATION));
        if (refusal.isEmpty()) {
            ctx.next();
            return;
        }
        Refusal r = refusal.get();
        if (r.status() == 401) {
            ctx.response().putHeader("WWW-Authenticate", "Bearer");
        }
        ctx.response().setStatusCode(r.status())
                .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                .end(new ErrorBody(r.error(), r.message(), r.status()).toJson());
    }

    /** Why a request to {@code path} with this Authorization header is refused; empty when it may pass. */
    Optional<Refusal> check(String path, String authorization) {
        if (path != null && (path.equals("/q/health") || path.startsWith("/q/health/") || isOpen(path))) {
            return Optional.empty();
        }
        if (token.isEmpty()) {
            return openWithoutToken ? Optional.empty() : Optional.of(new Refusal(503, "token_not_configured",
                    "no internal token is configured (set SIGHTLINE_INTERNAL_TOKEN); this service refuses every request but /q/health"));
        }
        if (authorization == null || authorization.length() < 7 || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return Optional.of(new Refusal(401, "unauthorized", "Authorization: Bearer <internal token> is required"));
        }
        byte[] given = authorization.substring(7).strip().getBytes(StandardCharsets.UTF_8);
        if (!MessageDigest.isEqual(given, token.get())) {
            return Optional.of(new Refusal(401, "unauthorized", "the bearer token is not the internal token"));
        }
        return Optional.empty();
    }

    private boolean isOpen(String path) {
        for (String open : openPaths) {
            if (path.equals(open) || path.startsWith(open.endsWith("/") ? open : open + "/")) {
                return true;
            }
        }
        return false;
    }

    record Refusal(int status, String error, String message) {
    }
}
