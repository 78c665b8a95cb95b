package io.sightline.gateway.security;

import io.quarkus.logging.Log;
import io.quarkus.vertx.http.runtime.filters.Filters;
import io.sightline.gateway.error.ApiError;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import java.time.Duration;
import java.util.Optional;

/**
 * The one gate every HTTP request passes before any route (REST resources, Vert.x routes, /q/*):
 * secure response headers, authentication (401), authorization by role (403), per-key rate limit
 * (429 + Retry-After), failed authentications per client address (429 + Retry-After) and the per-route body
 * limit (413), on Content-Length or, for chunked bodies, on the bytes read. Runs on the event loop;
 * everything here is in memory.
 */
@ApplicationScoped
public class ApiGuard {

    private static final String SWAGGER_CSP = "default-src 'self'; script-src 'self' 'unsafe-inline'; "
            + "style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; "
            + "base-uri 'self'; form-action 'self'";

    private static final java.util.Set<String> SAFE_METHODS = java.util.Set.of("GET", "HEAD", "OPTIONS");

    private final ApiKeyRegistry keys;
    private final AccessPolicy policy;
    private final RateLimiter rateLimiter;
    private static final String CONSOLE_CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
            + "connect-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

    private final AuthFailureLimiter authFailures;
    private final ConsoleSessions sessions;

    ApiGuard(ApiKeyRegistry keys, AccessPolicy policy, RateLimiter rateLimiter, AuthFailureLimiter authFailures,
             ConsoleSessions sessions) {
        this.keys = keys;
        this.policy = policy;
        this.rateLimiter = rateLimiter;
        this.authFailures = authFailures;
        this.sessions = sessions;
    }

    void register(@Observes Filters filters) {
        // high priority: before Quarkus' own routes and before the body is read
        filters.register(this::handle, 1000);
    }

    void handle(RoutingContext ctx) {
        String path = ctx.normalizedPath();
        String method = ctx.request().method().name();
        addSecureHeaders(ctx.response(), path);

        AccessPolicy.Rule rule = policy.ruleFor(method, path);
        if (rule.open()) {
            ctx.next();
            return;
        }
        String client = ctx.request().remoteAddress() == null ? "unknown" : ctx.request().remoteAddress().hostAddress();
        Duration locked = authFailures.blockedFor(client);
        if (!locked.isZero()) {
            long seconds = Math.max(1, (locked.toMillis() + 999) / 1000);
            ctx.response().putHeader("Retry-After", Long.toString(seconds));
            reject(ctx, path, new ApiError("too_many_failed_authentications", "Too many invalid API keys from this address; retry after "
                    + seconds + " s.", 429));
            return;
        }
        String authorization = ctx.request().getHeader(HttpHeaders.AUTHORIZATION);
        ConsoleSessions.Session session = null;
        Optional<ApiKey> key;
        Cookie cookie = authorization == null || authorization.isBlank() ? ctx.request().getCookie(ConsoleSessions.COOKIE) : null;
        if (cookie != null) {
            // the console: a sealed session cookie stands for the key it was opened with (looked up again every time)
            session = sessions.unseal(cookie.getValue()).orElse(null);
            key = session == null ? Optional.empty() : keys.authenticateDigest(session.keyDigest());
            if (key.isEmpty()) {
                reject(ctx, path, new ApiError("session_expired", "The console session has ended or its key was removed; sign in again.", 401));
                return;
            }
            if (!SAFE_METHODS.contains(method) && !ConsoleSessions.csrfMatches(session, ctx.request().getHeader(ConsoleSessions.CSRF_HEADER))) {
                reject(ctx, path, new ApiError("csrf_failed", "A state-changing request with the console session cookie must carry its "
                        + ConsoleSessions.CSRF_HEADER + " header.", 403));
                return;
            }
        } else {
            key = keys.authenticate(authorization);
        }
        if (key.isEmpty()) {
            boolean presented = authorization != null && !authorization.isBlank();
            if (presented) {
                authFailures.failed(client);
            }
            ctx.response().putHeader("WWW-Authenticate", presented
                    ? "Bearer realm=\"sightline\", error=\"invalid_token\""
                    : "Bearer realm=\"sightline\"");
            reject(ctx, path, new ApiError("unauthorized", presented
                    ? "The API key is not valid. Send 'Authorization: Bearer <key>' with a key from the gateway's keys file."
                    : "An API key is required. Send 'Authorization: Bearer <key>'.", 401));
            return;
        }
        ApiKey caller = key.get();
        Role required = rule.role().orElseThrow();
        if (!caller.role().includes(required)) {
            reject(ctx, path, new ApiError("forbidden", "This API key has role '" + caller.role().wireName() + "'; "
                    + method + " " + path + " needs role '" + required.wireName() + "' or higher.", 403));
            return;
        }
        Duration wait = rule.perKeyRateLimit() ? rateLimiter.acquire(caller.id()) : Duration.ZERO;
        if (!wait.isZero()) {
            long seconds = Math.max(1, (wait.toMillis() + 999) / 1000);
            ctx.response().putHeader("Retry-After", Long.toString(seconds));
            reject(ctx, path, new ApiError("rate_limited", "Too many requests for this API key; retry after " + seconds + " s.", 429));
            return;
        }
        String length = ctx.request().getHeader(HttpHeaders.CONTENT_LENGTH);
        if (length != null) {
            long bytes;
            try {
                bytes = Long.parseLong(length.trim());
            } catch (NumberFormatException e) {
                reject(ctx, path, new ApiError("bad_request", "Content-Length is not a number.", 400));
                return;
            }
            if (bytes > rule.maxBodyBytes()) {
                ctx.response().putHeader(HttpHeaders.CONNECTION, "close");
                reject(ctx, path, new ApiError("payload_too_large", "The request body has " + bytes + " bytes; "
                        + method + " " + path + " accepts at most " + rule.maxBodyBytes() + ".", 413));
                return;
            }
        }
        ctx.put(ApiKey.ATTRIBUTE, caller);
        if (session != null) {
            ctx.put(ConsoleSessions.ATTRIBUTE, session);
        }
        if (length == null && !rule.readsOwnBody() && hasBody(ctx)) {
            // a chunked body has no Content-Length to check: read it here, refusing it past the route's limit
            // (413); the resource then gets the body already read
            BodyHandler.create(false).setBodyLimit(rule.maxBodyBytes()).handle(ctx);
            return;
        }
        ctx.next();
    }

    /** A body is still to come on this request (chunked, or HTTP/2 frames); an ended request has none left to read. */
    private static boolean hasBody(RoutingContext ctx) {
        if (ctx.request().isEnded()) {
            return false;
        }
        String method = ctx.request().method().name();
        if (!method.equals("POST") && !method.equals("PUT") && !method.equals("PATCH")) {
            return false;
        }
        return ctx.request().headers().contains(HttpHeaders.TRANSFER_ENCODING) || ctx.request().version() == io.vertx.core.http.HttpVersion.HTTP_2;
    }

    private static void addSecureHeaders(HttpServerResponse response, String path) {
        response.putHeader("X-Content-Type-Options", "nosniff");
        response.putHeader("X-Frame-Options", "DENY");
        response.putHeader("Referrer-Policy", "no-referrer");
        if (path.startsWith("/q/swagger-ui")) {
            response.putHeader("Content-Security-Policy", SWAGGER_CSP);
        } else if (AccessPolicy.isConsolePage(path)) {
            // the console's page and its own script and style; revalidated so a new gateway's assets are picked up
            response.putHeader("Content-Security-Policy", CONSOLE_CSP);
            response.putHeader(HttpHeaders.CACHE_CONTROL, "no-cache");
        } else {
            // API responses are data, never documents to render
            response.putHeader("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'");
            response.putHeader(HttpHeaders.CACHE_CONTROL, "no-store");
        }
    }

    private static void reject(RoutingContext ctx, String path, ApiError error) {
        Log.debugf("%s %s -> %d %s", ctx.request().method(), path, error.status(), error.error());
        ctx.response()
                .setStatusCode(error.status())
                .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                .end(error.bodyFor(path));
    }
}
