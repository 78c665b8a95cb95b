package io.sightline.vlm.rest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sightline.common.vlm.Priority;
import io.sightline.vlm.config.VlmConfig;
import io.sightline.vlm.service.ApiException;
import io.sightline.vlm.service.ChatService;
import io.smallrye.mutiny.subscription.Cancellable;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@code POST /v1/chat/completions} as a Vert.x route: one URL answers JSON or SSE depending on the body,
 * and the status (400, 404, 429, 503 + Retry-After) is decided before the first byte of a stream. A caller
 * that hangs up leaves the queue (or frees its slot). Priority: {@value Priority#HEADER} lowered to
 * {@value Priority#ENTITLEMENT_HEADER}; {@code X-Priority: 1..10} is read when no class is named.
 */
@ApplicationScoped
class ChatCompletionsRoute {

    private static final String PATH = "/v1/chat/completions";
    /** Bodies up to this size are parsed on the event loop; larger ones (base64 images) on a worker thread. */
    private static final int INLINE_PARSE_BYTES = 16 * 1024;

    private final ChatService chat;
    private final ObjectMapper json;
    private final long bodyLimit;

    ChatCompletionsRoute(ChatService chat, ObjectMapper json, VlmConfig config) {
        this.chat = chat;
        this.json = json;
        this.bodyLimit = config.maxBodyBytes();
    }

    void register(@Observes Router router) {
        router.post(PATH).handler(BodyHandler.create(false).setBodyLimit(bodyLimit)).handler(this::handle);
    }

    private void handle(RoutingContext ctx) {
        Priority priority;
        try {
            priority = ChatService.priority(ctx.request().getHeader(Priority.HEADER), ctx.request().getHeader(Priority.ENTITLEMENT_HEADER),
                    ctx.request().getHeader("X-Priority"));
        } catch (ApiException e) {
            fail(ctx.response(), e);
            return;
        }
        Buffer raw = ctx.body().buffer();
        if (raw == null || raw.length() == 0) {
            fail(ctx.response(), ApiException.badRequest("the body is empty; send an OpenAI chat completion request"));
            return;
        }
        if (raw.length() <= INLINE_PARSE_BYTES) {
            // a text request (or a tiny image): parsing it costs less than the two thread hops of a worker
            ChatService.Prepared prepared;
            try {
                prepared = prepare(raw);
            } catch (RuntimeException e) {
                fail(ctx.response(), e instanceof ApiException a ? a : ApiException.badRequest("the body could not be read"));
                return;
            }
            dispatch(ctx, prepared, priority);
            return;
        }
        // base64 images make bodies large: parse and check them off the event loop
        ctx.vertx().<ChatService.Prepared>executeBlocking(() -> prepare(raw), false).onComplete(parsed -> {
            if (parsed.failed()) {
                fail(ctx.response(), parsed.cause() instanceof ApiException a ? a : ApiException.badRequest("the body could not be read"));
                return;
            }
            dispatch(ctx, parsed.result(), priority);
        });
    }

    private ChatService.Prepared prepare(Buffer raw) {
        JsonNode body;
        try {
            body = json.readTree(raw.getBytes());
        } catch (Exception e) {
            throw ApiException.badRequest("the body is not valid JSON");
        }
        return chat.prepare(body);
    }

    private void dispatch(RoutingContext ctx, ChatService.Prepared prepared, Priority priority) {
        ctx.response().putHeader(Priority.HEADER, priority.id());
        if (prepared.stream()) {
            stream(ctx, prepared, priority);
        } else {
            complete(ctx, prepared, priority);
        }
    }

    private void complete(RoutingContext ctx, ChatService.Prepared request, Priority priority) {
        HttpServerResponse response = ctx.response();
        Cancellable call = chat.complete(request, priority).subscribe().with(
                result -> {
                    if (!response.closed() && !response.ended()) {
                        response.putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(result.toString());
                    }
                },
                failure -> fail(response, asApi(failure)));
        response.closeHandler(v -> call.cancel());
    }

    private void stream(RoutingContext ctx, ChatService.Prepared request, Priority priority) {
        HttpServerResponse response = ctx.response();
        AtomicBoolean started = new AtomicBoolean();
        Cancellable call = chat.stream(request, priority).subscribe().with(
                chunk -> {
                    if (response.closed()) {
                        return;
                    }
                    if (started.compareAndSet(false, true)) {
                        sseHeaders(response);
                    }
                    response.write("data: " + chunk + "\n\n");
                },
                failure -> {
                    ApiException error = asApi(failure);
                    if (!started.get()) {
                        fail(response, error);
                    } else if (!response.closed() && !response.ended()) {
                        response.end("data: " + error.toJson() + "\n\n");
                    }
                },
                () -> {
                    if (response.closed() || response.ended()) {
                        return;
                    }
                    if (!started.get()) {
                        sseHeaders(response);
                    }
                    response.end("data: [DONE]\n\n");
                });
        response.closeHandler(v -> call.cancel());
    }

    private static void sseHeaders(HttpServerResponse response) {
        response.setStatusCode(200).setChunked(true)
                .putHeader(HttpHeaders.CONTENT_TYPE, "text/event-stream")
                .putHeader(HttpHeaders.CACHE_CONTROL, "no-store")
                .putHeader("X-Accel-Buffering", "no");
    }

    private static ApiException asApi(Throwable failure) {
        return failure instanceof ApiException a ? a
                : new ApiException(502, "bad_gateway", "the VLM call failed: " + failure, null, null, failure);
    }

    private static void fail(HttpServerResponse response, ApiException e) {
        if (response.closed() || response.ended()) {
            return;
        }
        e.retryAfter().ifPresent(d -> response.putHeader("Retry-After", Long.toString(Math.max(1, (d.toMillis() + 999) / 1000))));
        response.setStatusCode(e.status()).putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(e.toJson());
    }
}
