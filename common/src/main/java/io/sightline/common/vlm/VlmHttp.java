package io.sightline.common.vlm;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.parsetools.RecordParser;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Raw HTTP to one OpenAI-compatible server on Vert.x: non-blocking, cancellable (cancelling resets the
 * request, so a server that honours disconnects stops generating), response size capped. Knows nothing of
 * queues or breakers; {@link EndpointVlmClient} owns those.
 */
final class VlmHttp {

    /** A complete response. */
    record Reply(int status, MultiMap headers, Buffer body) {
        String bodyText() {
            return body.toString(StandardCharsets.UTF_8);
        }
    }

    /** The connection could not be made: nothing was sent, so trying again is safe. */
    static final class ConnectFailure extends RuntimeException {
        ConnectFailure(Throwable cause) {
            super(cause.getMessage() == null ? cause.toString() : cause.getMessage(), cause);
        }
    }

    /** A streaming request answered with a status other than 200 (the body is read for the error message). */
    static final class StatusFailure extends RuntimeException {
        final Reply reply;

        StatusFailure(Reply reply) {
            super("HTTP " + reply.status());
            this.reply = reply;
        }
    }

    private final Vertx vertx;
    private final HttpClient client;
    private final String endpoint;
    private final int maxResponseBytes;

    VlmHttp(Vertx vertx, HttpClient client, String endpoint, int maxResponseBytes) {
        this.vertx = vertx;
        this.client = client;
        this.endpoint = endpoint;
        this.maxResponseBytes = maxResponseBytes;
    }

    Uni<Reply> exchange(HttpMethod method, String url, MultiMap headers, Buffer body) {
        return Uni.createFrom().emitter(emitter -> {
            AtomicBoolean done = new AtomicBoolean();
            AtomicReference<HttpClientRequest> sent = new AtomicReference<>();
            emitter.onTermination(() -> {
                if (done.compareAndSet(false, true) && sent.get() != null) {
                    sent.get().reset(); // cancelled (a timeout): tell the server to stop
                }
            });
            RequestOptions options = new RequestOptions().setMethod(method).setAbsoluteURI(url).setHeaders(headers);
            client.request(options).onComplete(connected -> {
                if (connected.failed()) {
                    if (done.compareAndSet(false, true)) {
                        emitter.fail(new ConnectFailure(connected.cause()));
                    }
                    return;
                }
                HttpClientRequest request = connected.result();
                sent.set(request);
                if (done.get()) {
                    request.reset();
                    return;
                }
                (body == null ? request.send() : request.send(body)).onComplete(answered -> {
                    if (answered.failed()) {
                        if (done.compareAndSet(false, true)) {
                            emitter.fail(lostConnection(answered.cause()));
                        }
                        return;
                    }
                    HttpClientResponse response = answered.result();
                    Buffer received = Buffer.buffer();
                    response.handler(chunk -> {
                        if (received.length() + chunk.length() > maxResponseBytes) {
                            if (done.compareAndSet(false, true)) {
                                request.reset();
                                emitter.fail(new VlmException(VlmException.Kind.BAD_RESPONSE,
                                        "VLM endpoint '" + endpoint + "' sent more than " + maxResponseBytes + " bytes",
                                        response.statusCode(), null, null));
                            }
                            return;
                        }
                        received.appendBuffer(chunk);
                    });
                    response.exceptionHandler(error -> {
                        if (done.compareAndSet(false, true)) {
                            emitter.fail(lostConnection(error));
                        }
                    });
                    response.endHandler(end -> {
                        if (done.compareAndSet(false, true)) {
                            emitter.complete(new Reply(response.statusCode(), response.headers(), received));
                        }
                    });
                });
            });
        });
    }

    /**
     * Server-sent events of a streaming completion: each {@code data:} payload in order, ending at
     * {@code [DONE]} or the end of the response. Fails with {@link StatusFailure} on a non-200 answer,
     * with TIMEOUT when {@code deadlineNanos} (System.nanoTime) passes.
     */
    Multi<String> events(String url, MultiMap headers, Buffer body, long deadlineNanos) {
        return Multi.createFrom().emitter(emitter -> {
            AtomicBoolean done = new AtomicBoolean();
            AtomicReference<HttpClientRequest> sent = new AtomicReference<>();
            long remainingMs = Math.max(1, (deadlineNanos - System.nanoTime()) / 1_000_000);
            long timer = vertx.setTimer(remainingMs, id -> {
                if (done.compareAndSet(false, true)) {
                    if (sent.get() != null) {
                        sent.get().reset();
                    }
                    emitter.fail(new VlmException(VlmException.Kind.TIMEOUT,
                            "VLM endpoint '" + endpoint + "' did not finish streaming within the timeout"));
                }
            });
            emitter.onTermination(() -> {
                vertx.cancelTimer(timer);
                if (done.compareAndSet(false, true) && sent.get() != null) {
                    sent.get().reset();
                }
            });
            RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setAbsoluteURI(url).setHeaders(headers);
            client.request(options).onComplete(connected -> {
                if (connected.failed()) {
                    if (done.compareAndSet(false, true)) {
                        emitter.fail(new ConnectFailure(connected.cause()));
                    }
                    return;
                }
                HttpClientRequest request = connected.result();
                sent.set(request);
                if (done.get()) {
                    request.reset();
                    return;
                }
                request.send(body).onComplete(answered -> {
                    if (answered.failed()) {
                        if (done.compareAndSet(false, true)) {
                            emitter.fail(lostConnection(answered.cause()));
                        }
                        return;
                    }
                    HttpClientResponse response = answered.result();
                    response.exceptionHandler(error -> {
                        if (done.compareAndSet(false, true)) {
                            emitter.fail(lostConnection(error));
                        }
                    });
                    if (response.statusCode() != 200) {
                        Buffer received = Buffer.buffer();
                        response.handler(chunk -> {
                            if (received.length() < 64 * 1024) {
                                received.appendBuffer(chunk);
                            }
                        });
                        response.endHandler(end -> {
                            if (done.compareAndSet(false, true)) {
                                emitter.fail(new StatusFailure(new Reply(response.statusCode(), response.headers(), received)));
                            }
                        });
                        return;
                    }
                    int[] size = {0};
                    int[] events = {0};
                    StringBuilder data = new StringBuilder();
                    RecordParser lines = RecordParser.newDelimited("\n", line -> {
                        if (done.get()) {
                            return;
                        }
                        size[0] += line.length() + 1;
                        if (size[0] > maxResponseBytes) {
                            done.set(true);
                            request.reset();
                            emitter.fail(new VlmException(VlmException.Kind.BAD_RESPONSE,
                                    "VLM endpoint '" + endpoint + "' streamed more than " + maxResponseBytes + " bytes", 200, null, null));
                            return;
                        }
                        String text = line.toString(StandardCharsets.UTF_8);
                        if (text.endsWith("\r")) {
                            text = text.substring(0, text.length() - 1);
                        }
                        if (text.isEmpty()) {
                            if (!data.isEmpty()) {
                                events[0]++;
                                if (dispatch(data.toString(), emitter, done, request)) {
                                    return;
                                }
                                data.setLength(0);
                            }
                        } else if (text.startsWith("data:")) {
                            if (!data.isEmpty()) {
                                data.append('\n');
                            }
                            data.append(text.substring(5).stripLeading());
                        }
                        // other SSE fields (event:, id:, retry:, comments) carry nothing for a completion
                    });
                    response.handler(lines);
                    response.endHandler(end -> {
                        if (done.get()) {
                            return;
                        }
                        if (!data.isEmpty()) {
                            events[0]++;
                            if (dispatch(data.toString(), emitter, done, request)) {
                                return;
                            }
                        }
                        if (done.compareAndSet(false, true)) {
                            if (events[0] == 0) {
                                emitter.fail(new VlmException(VlmException.Kind.BAD_RESPONSE,
                                        "VLM endpoint '" + endpoint + "' answered the stream without any data event", 200, null, null));
                            } else {
                                emitter.complete();
                            }
                        }
                    });
                });
            });
        });
    }

    /** True when the stream ended ([DONE]). */
    private static boolean dispatch(String payload, io.smallrye.mutiny.subscription.MultiEmitter<? super String> emitter,
                                    AtomicBoolean done, HttpClientRequest request) {
        if ("[DONE]".equals(payload.trim())) {
            if (done.compareAndSet(false, true)) {
                emitter.complete();
            }
            return true;
        }
        emitter.emit(payload);
        return false;
    }

    private VlmException lostConnection(Throwable cause) {
        return new VlmException(VlmException.Kind.UNAVAILABLE,
                "VLM endpoint '" + endpoint + "' dropped the connection: " + cause.getMessage(), 0, null, cause);
    }

    /** {@code Retry-After} as delta-seconds or an HTTP date; null when absent or unreadable. */
    static Duration retryAfter(MultiMap headers) {
        String value = headers == null ? null : headers.get("Retry-After");
        if (value == null || value.isBlank()) {
            return null;
        }
        value = value.trim();
        try {
            long seconds = Long.parseLong(value);
            return seconds < 0 ? null : Duration.ofSeconds(seconds);
        } catch (NumberFormatException notSeconds) {
            try {
                ZonedDateTime at = ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME);
                Duration until = Duration.between(ZonedDateTime.now(at.getZone()), at);
                return until.isNegative() ? Duration.ZERO : until;
            } catch (RuntimeException unreadable) {
                return null;
            }
        }
    }
}
