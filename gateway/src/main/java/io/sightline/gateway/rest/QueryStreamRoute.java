package io.sightline.gateway.rest;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.logging.Log;
import io.quarkus.vertx.http.runtime.RouteConstants;
import io.sightline.common.vlm.Priority;
import io.sightline.gateway.client.DownstreamResponse;
import io.sightline.gateway.client.FallbackClient;
import io.sightline.gateway.client.FallbackStream;
import io.sightline.gateway.error.ApiError;
import io.sightline.gateway.error.GatewayException;
import io.sightline.gateway.security.ApiKey;
import io.sightline.gateway.security.PriorityClass;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.Validator;
import jakarta.ws.rs.core.Response;

import java.util.Locale;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@code POST /api/v1/query} with {@code Accept: text/event-stream}: fallback-service's answer relayed as it is
 * generated ({@code token} events, then one {@code answer} or {@code error} event), chunk by chunk, never
 * buffered. A Vert.x route ahead of the REST resource (which answers every other Accept), so the status is
 * decided by fallback-service's own before the first byte: refusals (400, 404, 503) stay JSON as on the JSON
 * route. {@link io.sightline.gateway.security.ApiGuard} has authenticated the caller (401), checked its role,
 * rate limit and body size before this runs. Past the query timeout the stream ends with an {@code error} event.
 */
@ApplicationScoped
class QueryStreamRoute {

    private final FallbackStream fallback;
    private final ObjectMapper json;
    private final Validator validator;

    QueryStreamRoute(FallbackStream fallback, ObjectMapper json, Validator validator) {
        this.fallback = fallback;
        this.json = json;
        this.validator = validator;
    }

    void register(@Observes Router router) {
        router.post("/api/v1/query").order(RouteConstants.ROUTE_ORDER_BEFORE_DEFAULT).handler(this::handle);
    }

    static boolean wantsStream(String accept) {
        return accept != null && accept.toLowerCase(Locale.ROOT).contains("text/event-stream");
    }

    private void handle(RoutingContext ctx) {
        if (!wantsStream(ctx.request().getHeader(HttpHeaders.ACCEPT))) {
            ctx.next();
            return;
        }
        if (ctx.body() != null && ctx.body().buffer() != null) {
            // a chunked body: ApiGuard has read it already, within the route's limit
            relay(ctx, ctx.body().buffer());
        } else {
            ctx.request().body().onSuccess(body -> relay(ctx, body)).onFailure(e -> failed(ctx,
                    GatewayException.badRequest("the body could not be read: " + e.getMessage())));
            // Quarkus hands routes the request paused; reading the body needs it flowing
            ctx.request().resume();
        }
    }

    private void relay(RoutingContext ctx, Buffer raw) {
        Buffer forward;
        int level;
        try {
            QueryRequest request = parse(raw);
            Passthrough.id(request.camera(), "camera");
            // the caller may lower its priority, never raise it above its key's entitlement
            level = PriorityClass.effectiveLevel(ctx.request().getParam("priority"), ctx.request().getHeader("X-Priority"),
                    ctx.get(ApiKey.ATTRIBUTE));
            forward = Buffer.buffer(json.writeValueAsBytes(json.valueToTree(request)));
        } catch (GatewayException e) {
            failed(ctx, e);
            return;
        } catch (java.io.IOException e) {
            failed(ctx, GatewayException.badRequest("the body could not be read: " + e.getMessage()));
            return;
        }
        HttpServerResponse out = ctx.response();
        out.putHeader("X-Sightline-Priority", Priority.fromLevel(level).name())
                .putHeader("X-Sightline-Priority-Class", PriorityClass.ofLevel(level).wireName());
        AtomicBoolean finished = new AtomicBoolean();
        fallback.open(forward, level).onFailure(e -> failed(ctx, e instanceof GatewayException g ? g
                : GatewayException.unavailable(FallbackClient.SERVICE, String.valueOf(e), e))).onSuccess(opened -> {
            var answer = opened.response();
            String type = answer.getHeader(HttpHeaders.CONTENT_TYPE);
            if (answer.statusCode() != 200 || type == null || !type.startsWith("text/event-stream")) {
                // a refusal or a failure before the stream: mapped like the JSON route's answers
                answer.body().onFailure(e -> failed(ctx, GatewayException.unavailable(FallbackClient.SERVICE, String.valueOf(e), e)))
                        .onSuccess(body -> mapped(ctx, new DownstreamResponse(answer.statusCode(), type, body.getBytes())));
                answer.resume();
                return;
            }
            long timer = ctx.vertx().setTimer(fallback.timeout().toMillis(), id -> {
                if (finished.compareAndSet(false, true)) {
                    ApiError late = GatewayException.timeout(FallbackClient.SERVICE, fallback.timeout()).toApiError();
                    opened.request().reset();
                    if (!out.closed() && !out.ended()) {
                        out.end("event: error\ndata: " + late.toJson() + "\n\n");
                    }
                }
            });
            out.setStatusCode(200).setChunked(true)
                    .putHeader(HttpHeaders.CONTENT_TYPE, "text/event-stream")
                    .putHeader(HttpHeaders.CACHE_CONTROL, "no-store")
                    .putHeader("X-Accel-Buffering", "no");
            // a caller that hangs up cancels the question (and its place in the VLM queue)
            out.closeHandler(v -> {
                if (finished.compareAndSet(false, true)) {
                    ctx.vertx().cancelTimer(timer);
                    opened.request().reset();
                }
            });
            answer.handler(chunk -> {
                if (!finished.get() && !out.closed()) {
                    out.write(chunk);
                    if (out.writeQueueFull()) {
                        answer.pause();
                        out.drainHandler(v -> answer.resume());
                    }
                }
            });
            answer.exceptionHandler(e -> {
                if (finished.compareAndSet(false, true)) {
                    ctx.vertx().cancelTimer(timer);
                    ApiError lost = GatewayException.unavailable(FallbackClient.SERVICE, "the stream broke: " + e.getMessage(), e).toApiError();
                    if (!out.closed() && !out.ended()) {
                        out.end("event: error\ndata: " + lost.toJson() + "\n\n");
                    }
                }
            });
            answer.endHandler(v -> {
                if (finished.compareAndSet(false, true)) {
                    ctx.vertx().cancelTimer(timer);
                    if (!out.closed() && !out.ended()) {
                        out.end();
                    }
                }
            });
            answer.resume();
        });
    }

    private QueryRequest parse(Buffer raw) throws java.io.IOException {
        if (raw == null || raw.length() == 0) {
            throw GatewayException.badRequest("a JSON body {camera, query} is required");
        }
        QueryRequest request;
        try {
            request = json.readValue(raw.getBytes(), QueryRequest.class);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw GatewayException.badRequest(io.sightline.common.http.ErrorBody.describe(e));
        }
        if (request == null) {
            throw GatewayException.badRequest("a JSON body {camera, query} is required");
        }
        Set<ConstraintViolation<QueryRequest>> violations = validator.validate(request);
        if (!violations.isEmpty()) {
            throw GatewayException.badRequest(violations.stream().map(ConstraintViolation::getMessage).sorted()
                    .reduce((a, b) -> a + "; " + b).orElse("invalid request"));
        }
        return request;
    }

    private static void mapped(RoutingContext ctx, DownstreamResponse downstream) {
        Response mapped = Passthrough.json(downstream, FallbackClient.SERVICE);
        Object entity = mapped.getEntity();
        if (ctx.response().ended()) {
            return;
        }
        ctx.response().setStatusCode(mapped.getStatus());
        if (entity == null) {
            ctx.response().end();
            return;
        }
        ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(entity.toString());
    }

    private static void failed(RoutingContext ctx, GatewayException e) {
        if (e.status() >= 500) {
            Log.warnf("%s (stream) -> %d: %s", ctx.normalizedPath(), e.status(), e.getMessage());
        }
        if (ctx.response().ended()) {
            return;
        }
        e.retryAfter().ifPresent(d -> ctx.response().putHeader("Retry-After", Long.toString(Math.max(1, (d.toMillis() + 999) / 1000))));
        ctx.response().setStatusCode(e.status()).putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(e.toApiError().toJson());
    }
}
