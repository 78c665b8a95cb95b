package io.sightline.gateway.rest;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.sightline.common.vlm.Priority;
import io.sightline.gateway.client.DownstreamResponse;
import io.sightline.gateway.client.FallbackClient;
import io.sightline.gateway.client.FallbackQueries;
import io.sightline.gateway.error.ApiError;
import io.sightline.gateway.error.GatewayException;
import io.sightline.gateway.security.ApiKey;
import io.sightline.gateway.security.PriorityClass;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.Validator;

import java.util.Locale;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@code POST /api/v1/query}: a question about a camera, relayed to fallback-service on a plain Vert.x client
 * (documented in {@code META-INF/openapi.yaml}). The body is parsed once, validated and forwarded as the
 * validated request's bytes; the answer's status and JSON pass through as the REST resources pass theirs
 * ({@link Passthrough}). With {@code Accept: text/event-stream} the answer is relayed as it is generated
 * ({@code token} events, then one {@code answer} or {@code error} event), chunk by chunk, never buffered; the
 * status is fallback-service's own, decided before the first byte, so refusals (400, 404, 503) stay JSON.
 * {@link io.sightline.gateway.security.ApiGuard} has authenticated the caller (401), checked its role, rate
 * limit and body size before this runs. The whole answer must arrive within the query timeout: a JSON answer
 * gets a 504 past it, a stream ends with an {@code error} event.
 */
@ApplicationScoped
class QueryRoute {

    private final FallbackQueries fallback;
    private final ObjectMapper json;
    private final Validator validator;

    QueryRoute(FallbackQueries fallback, ObjectMapper json, Validator validator) {
        this.fallback = fallback;
        this.json = json;
        this.validator = validator;
    }

    void register(@Observes Router router) {
        router.post("/api/v1/query").handler(this::handle);
    }

    static boolean wantsStream(String accept) {
        return accept != null && accept.toLowerCase(Locale.ROOT).contains("text/event-stream");
    }

    private void handle(RoutingContext ctx) {
        String type = ctx.request().getHeader(HttpHeaders.CONTENT_TYPE);
        if (type != null && !type.toLowerCase(Locale.ROOT).startsWith("application/json")) {
            RouteReplies.error(ctx, new ApiError("unsupported_media_type", "Content-Type must be application/json, was '"
                    + type + "'.", 415), true);
            return;
        }
        if (ctx.body() != null && ctx.body().buffer() != null) {
            // a chunked body: ApiGuard has read it already, within the route's limit
            relay(ctx, ctx.body().buffer());
        } else {
            ctx.request().body().onSuccess(body -> relay(ctx, body)).onFailure(e -> RouteReplies.failed(ctx,
                    GatewayException.badRequest("the body could not be read: " + e.getMessage()), true));
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
            forward = Buffer.buffer(json.writeValueAsBytes(request));
        } catch (GatewayException e) {
            RouteReplies.failed(ctx, e, false);
            return;
        } catch (java.io.IOException e) {
            RouteReplies.failed(ctx, GatewayException.badRequest("the body could not be read: " + e.getMessage()), false);
            return;
        }
        boolean stream = wantsStream(ctx.request().getHeader(HttpHeaders.ACCEPT));
        HttpServerResponse out = ctx.response();
        out.putHeader("X-Sightline-Priority", Priority.fromLevel(level).name())
                .putHeader("X-Sightline-Priority-Class", PriorityClass.ofLevel(level).wireName());
        fallback.open(forward, level, stream ? "text/event-stream" : "application/json")
                .onFailure(e -> RouteReplies.failed(ctx, e instanceof GatewayException g ? g
                        : GatewayException.unavailable(FallbackClient.SERVICE, String.valueOf(e), e), false))
                .onSuccess(opened -> {
                    HttpClientResponse answer = opened.response();
                    String answerType = answer.getHeader(HttpHeaders.CONTENT_TYPE);
                    if (stream && answer.statusCode() == 200 && answerType != null && answerType.startsWith("text/event-stream")) {
                        relayEvents(ctx, opened);
                    } else {
                        // a JSON answer, or a refusal or failure before the stream: mapped like every downstream answer
                        relayWhole(ctx, opened, answerType);
                    }
                });
    }

    private void relayWhole(RoutingContext ctx, FallbackQueries.Opened opened, String answerType) {
        HttpClientResponse answer = opened.response();
        // whichever comes first: the answer, the query timeout, or the caller hanging up; only an unfinished
        // question is reset (a finished one's connection is back in the pool, serving another question)
        AtomicBoolean finished = new AtomicBoolean();
        long timer = ctx.vertx().setTimer(fallback.timeout().toMillis(), id -> {
            if (finished.compareAndSet(false, true)) {
                opened.request().reset();
                RouteReplies.failed(ctx, GatewayException.timeout(FallbackClient.SERVICE, fallback.timeout()), false);
            }
        });
        // a caller that hangs up cancels the question (and its place in the VLM queue)
        ctx.response().closeHandler(v -> {
            if (finished.compareAndSet(false, true)) {
                ctx.vertx().cancelTimer(timer);
                opened.request().reset();
            }
        });
        answer.body().onComplete(body -> {
            if (!finished.compareAndSet(false, true)) {
                return;
            }
            ctx.vertx().cancelTimer(timer);
            if (body.failed()) {
                RouteReplies.failed(ctx, GatewayException.unavailable(FallbackClient.SERVICE, "the answer broke off: "
                        + body.cause().getMessage(), body.cause()), false);
                return;
            }
            RouteReplies.answer(ctx, new DownstreamResponse(answer.statusCode(), answerType, body.result().getBytes(),
                    answer.getHeader("Retry-After")), FallbackClient.SERVICE);
        });
        answer.resume();
    }

    private void relayEvents(RoutingContext ctx, FallbackQueries.Opened opened) {
        HttpClientResponse answer = opened.response();
        HttpServerResponse out = ctx.response();
        AtomicBoolean finished = new AtomicBoolean();
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
    }

    private QueryRequest parse(Buffer raw) throws java.io.IOException {
        if (raw == null || raw.length() == 0) {
            throw GatewayException.badRequest("a JSON body {camera, query} is required");
        }
        QueryRequest request;
        try {
            request = json.readValue(raw.getBytes(), QueryRequest.class);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new GatewayException(400, "malformed_json", io.sightline.common.http.ErrorBody.describe(e));
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
}
