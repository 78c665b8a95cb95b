package io.sightline.gateway.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sightline.common.vlm.Priority;
import io.sightline.gateway.config.GatewayConfig;
import io.sightline.gateway.error.ApiError;
import io.sightline.gateway.error.GatewayException;
import io.sightline.gateway.security.ApiKey;
import io.smallrye.mutiny.subscription.Cancellable;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@code POST /v1/chat/completions} as a Vert.x route, because one URL answers JSON or SSE depending
 * on the body, and the status (429 queue full, 503, 504) must be decided before the first byte of a
 * stream: the response is committed only when the VLM's first chunk (or failure) arrives.
 * Documented in {@code META-INF/openapi.yaml}. Authorization happened in the ApiGuard filter.
 */
@ApplicationScoped
class ChatCompletionsRoute {

    private static final String PATH = "/v1/chat/completions";

    private final ChatCompletions completions;
    private final ObjectMapper json;
    private final long bodyLimit;

    ChatCompletionsRoute(ChatCompletions completions, ObjectMapper json, GatewayConfig config) {
        this.completions = completions;
        this.json = json;
        this.bodyLimit = config.limits().chatBodyBytes();
    }

    void register(@Observes Router router) {
        router.post(PATH)
                .handler(BodyHandler.create(false).setBodyLimit(bodyLimit))
                .handler(this::handle);
    }

    private void handle(RoutingContext ctx) {
        ApiKey caller = ctx.get(ApiKey.ATTRIBUTE);
        Priority priority;
        try {
            priority = completions.priority(ctx.request().getParam("priority"), ctx.request().getHeader("X-Priority"), caller);
        } catch (GatewayException e) {
            fail(ctx.response(), e);
            return;
        }
        Buffer raw = ctx.body().buffer();
        if (raw == null || raw.length() == 0) {
            fail(ctx.response(), GatewayException.badRequest("the body is empty; send an OpenAI chat completion request"));
            return;
        }
        // base64 images make bodies large: parse off the event loop
        ctx.vertx().<JsonNode>executeBlocking(() -> {
            JsonNode body;
            try {
                body = json.readTree(raw.getBytes());
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw GatewayException.badRequest(io.sightline.common.http.ErrorBody.describe(e));
            } catch (IOException e) {
                throw GatewayException.badRequest("the body could not be read: " + e.getMessage());
            }
            ctx.put("stream", completions.prepare(body));
            return body;
        }, false).onComplete(parsed -> {
            if (parsed.failed()) {
                fail(ctx.response(), parsed.cause() instanceof GatewayException g ? g
                        : GatewayException.badRequest("the body could not be read"));
                return;
            }
            ctx.response().putHeader("X-Sightline-Priority", priority.name());
            ctx.response().putHeader(Priority.HEADER, priority.id());
            ObjectNode body = (ObjectNode) parsed.result();
            Priority entitlement = caller == null ? Priority.BATCH : Priority.fromId(caller.maxPriority().wireName()).orElse(Priority.BATCH);
            if (Boolean.TRUE.equals(ctx.get("stream"))) {
                stream(ctx, body, priority, entitlement);
            } else {
                complete(ctx, body, priority, entitlement);
            }
        });
    }

    private void complete(RoutingContext ctx, ObjectNode body, Priority priority, Priority entitlement) {
        HttpServerResponse response = ctx.response();
        Cancellable call = completions.complete(body, priority, entitlement).subscribe().with(
                result -> {
                    if (!response.closed() && !response.ended()) {
                        response.putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(result.toString());
                    }
                },
                failure -> fail(response, asGatewayException(failure)));
        // a caller that hangs up frees its place in the VLM queue
        response.closeHandler(v -> call.cancel());
    }

    private void stream(RoutingContext ctx, ObjectNode body, Priority priority, Priority entitlement) {
        HttpServerResponse response = ctx.response();
        AtomicBoolean started = new AtomicBoolean();
        Cancellable call = completions.stream(body, priority, entitlement).subscribe().with(
                chunk -> {
                    if (response.closed()) {
                        return;
                    }
                    if (started.compareAndSet(false, true)) {
                        response.setStatusCode(200)
                                .setChunked(true)
                                .putHeader(HttpHeaders.CONTENT_TYPE, "text/event-stream")
                                .putHeader(HttpHeaders.CACHE_CONTROL, "no-store")
                                .putHeader("X-Accel-Buffering", "no");
                    }
                    response.write("data: " + chunk + "\n\n");
                },
                failure -> {
                    GatewayException error = asGatewayException(failure);
                    if (!started.get()) {
                        fail(response, error);
                    } else if (!response.closed() && !response.ended()) {
                        // headers are gone: report in-band, as OpenAI does, then end the stream
                        response.end("data: " + error.toApiError().toOpenAi() + "\n\n");
                    }
                },
                () -> {
                    if (response.closed() || response.ended()) {
                        return;
                    }
                    if (!started.get()) {
                        response.setStatusCode(200).setChunked(true)
                                .putHeader(HttpHeaders.CONTENT_TYPE, "text/event-stream")
                                .putHeader(HttpHeaders.CACHE_CONTROL, "no-store");
                    }
                    response.end("data: [DONE]\n\n");
                });
        response.closeHandler(v -> call.cancel());
    }

    private static GatewayException asGatewayException(Throwable failure) {
        if (failure instanceof GatewayException g) {
            return g;
        }
        return new GatewayException(502, "bad_gateway", "The VLM call failed: " + failure.getClass().getSimpleName()
                + (failure.getMessage() == null ? "" : ": " + failure.getMessage()), null, failure);
    }

    private static void fail(HttpServerResponse response, GatewayException e) {
        if (response.closed() || response.ended()) {
            return;
        }
        ApiError error = e.toApiError();
        e.retryAfter().ifPresent(d -> response.putHeader("Retry-After", Long.toString(Math.max(1, (d.toMillis() + 999) / 1000))));
        response.setStatusCode(error.status())
                .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                .end(error.toOpenAi());
    }
}
