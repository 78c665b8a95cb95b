package io.sightline.gateway.rest;

import io.quarkus.logging.Log;
import io.sightline.gateway.client.DownstreamResponse;
import io.sightline.gateway.error.ApiError;
import io.sightline.gateway.error.GatewayException;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import jakarta.ws.rs.core.Response;

/**
 * How the gateway's Vert.x routes (frame push, query) answer: a downstream's answer mapped as
 * {@link Passthrough} maps it for the REST resources (status, JSON, its {@code Retry-After}), and failures as
 * {@code {error, message, status}} with their {@code Retry-After}. Nothing is written to a response that has
 * already ended or whose caller has gone.
 */
final class RouteReplies {

    private RouteReplies() {
    }

    static void answer(RoutingContext ctx, DownstreamResponse downstream, String service) {
        HttpServerResponse out = ctx.response();
        if (out.ended() || out.closed()) {
            return;
        }
        Response mapped = Passthrough.json(downstream, service);
        String retryAfter = mapped.getHeaderString("Retry-After");
        if (retryAfter != null) {
            out.putHeader("Retry-After", retryAfter);
        }
        out.setStatusCode(mapped.getStatus());
        Object entity = mapped.getEntity();
        if (entity == null) {
            out.end();
            return;
        }
        out.putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(entity.toString());
    }

    /** A failure; {@code close} when the caller's body was not (fully) read, so the connection cannot be reused. */
    static void failed(RoutingContext ctx, GatewayException e, boolean close) {
        if (e.status() >= 500) {
            Log.warnf("%s -> %d: %s", ctx.normalizedPath(), e.status(), e.getMessage());
        }
        if (ctx.response().ended() || ctx.response().closed()) {
            return;
        }
        e.retryAfter().ifPresent(d -> ctx.response().putHeader("Retry-After", Long.toString(Math.max(1, (d.toMillis() + 999) / 1000))));
        error(ctx, e.toApiError(), close);
    }

    static void error(RoutingContext ctx, ApiError error, boolean close) {
        HttpServerResponse out = ctx.response();
        if (out.ended() || out.closed()) {
            return;
        }
        if (close) {
            out.putHeader(HttpHeaders.CONNECTION, "close");
        }
        out.setStatusCode(error.status()).putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(error.toJson());
    }
}
