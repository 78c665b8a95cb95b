package io.sightline.common.vlm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * A real HTTP server speaking the OpenAI-compatible protocol, scripted per test: what each chat request
 * gets (status, headers, body or SSE events, after how long). Delays are Vert.x timers, so a slow
 * "model" costs no thread. Records every chat request with its headers and arrival time.
 */
final class ScriptedVlmServer implements AutoCloseable {

    static final ObjectMapper JSON = new ObjectMapper();

    record Received(JsonNode body, MultiMap headers, long arrivedNanos) {
        String header(String name) {
            return headers.get(name);
        }
    }

    /** An answer: status, headers, either a body or SSE events (each written as one {@code data:} line). */
    record Answer(int status, Map<String, String> headers, String body, List<String> events, long delayMs, long eventGapMs) {
        static Answer completion(String content) {
            return json(200, completionBody(JSON.getNodeFactory().textNode(content)));
        }

        static Answer json(int status, String body) {
            return new Answer(status, Map.of("Content-Type", "application/json"), body, null, 0, 0);
        }

        /** Reads the request, then drops the connection without answering (a crashed server). */
        static Answer dropConnection() {
            return new Answer(-1, Map.of(), null, null, 0, 0);
        }

        static Answer events(List<String> events, long gapMs) {
            return new Answer(200, Map.of("Content-Type", "text/event-stream"), null, events, 0, gapMs);
        }

        Answer after(long delayMs) {
            return new Answer(status, headers, body, events, delayMs, eventGapMs);
        }

        Answer withHeader(String name, String value) {
            Map<String, String> more = new java.util.HashMap<>(headers);
            more.put(name, value);
            return new Answer(status, more, body, events, delayMs, eventGapMs);
        }
    }

    static String completionBody(JsonNode content) {
        ObjectNode body = JSON.createObjectNode();
        body.put("id", "chatcmpl-test").put("object", "chat.completion").put("model", "scripted-vlm");
        ObjectNode choice = body.putArray("choices").addObject();
        choice.put("index", 0).put("finish_reason", "stop");
        choice.putObject("message").put("role", "assistant").set("content", content);
        return body.toString();
    }

    static String chunk(String delta) {
        ObjectNode body = JSON.createObjectNode();
        body.put("object", "chat.completion.chunk");
        ObjectNode choice = body.putArray("choices").addObject();
        choice.put("index", 0);
        choice.putObject("delta").put("content", delta);
        return body.toString();
    }

    private final Vertx vertx;
    private final HttpServer server;
    private final List<Received> chats = new CopyOnWriteArrayList<>();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger maxInFlight = new AtomicInteger();
    private volatile Function<Received, Answer> chat = r -> Answer.completion("a scripted answer");
    private volatile int healthStatus = 200;
    private volatile String models = "{\"object\":\"list\",\"data\":[{\"id\":\"scripted-vlm\",\"object\":\"model\"}],"
            + "\"models\":[{\"name\":\"scripted-vlm\",\"model\":\"scripted-vlm\",\"capabilities\":[\"completion\",\"multimodal\"]}]}";

    ScriptedVlmServer(Vertx vertx) throws Exception {
        this(vertx, 0);
    }

    ScriptedVlmServer(Vertx vertx, int port) throws Exception {
        this.vertx = vertx;
        this.server = vertx.createHttpServer().requestHandler(this::handle).listen(port, "127.0.0.1")
                .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    String baseUrl() {
        return "http://127.0.0.1:" + server.actualPort() + "/v1";
    }

    int port() {
        return server.actualPort();
    }

    ScriptedVlmServer onChat(Function<Received, Answer> chat) {
        this.chat = chat;
        return this;
    }

    ScriptedVlmServer health(int status) {
        this.healthStatus = status;
        return this;
    }

    ScriptedVlmServer models(String json) {
        this.models = json;
        return this;
    }

    List<Received> chats() {
        return List.copyOf(chats);
    }

    int maxInFlight() {
        return maxInFlight.get();
    }

    @Override
    public void close() throws Exception {
        server.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private void handle(HttpServerRequest request) {
        String path = request.path();
        if (path.equals("/health")) {
            if (healthStatus == 404) {
                request.response().setStatusCode(404).end();
            } else {
                request.response().setStatusCode(healthStatus).end("{\"status\":\"" + (healthStatus == 200 ? "ok" : "loading") + "\"}");
            }
        } else if (path.equals("/v1/models")) {
            request.response().putHeader("Content-Type", "application/json").end(models);
        } else if (path.equals("/v1/chat/completions") && request.method().name().equals("POST")) {
            request.body().onSuccess(buffer -> {
                JsonNode body;
                try {
                    body = JSON.readTree(buffer.toString());
                } catch (Exception e) {
                    request.response().setStatusCode(400).end("{\"error\":{\"message\":\"not JSON\"}}");
                    return;
                }
                Received received = new Received(body, MultiMap.caseInsensitiveMultiMap().addAll(request.headers()), System.nanoTime());
                chats.add(received);
                maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
                Answer answer = chat.apply(received);
                HttpServerResponse response = request.response();
                response.closeHandler(v -> {
                });
                Runnable reply = () -> answer(response, answer);
                if (answer.delayMs() > 0) {
                    vertx.setTimer(answer.delayMs(), id -> reply.run());
                } else {
                    reply.run();
                }
            });
        } else {
            request.response().setStatusCode(404).end();
        }
    }

    private void answer(HttpServerResponse response, Answer answer) {
        if (response.closed()) {
            inFlight.decrementAndGet();
            return;
        }
        if (answer.status() < 0) {
            inFlight.decrementAndGet();
            response.reset();
            return;
        }
        response.setStatusCode(answer.status());
        answer.headers().forEach(response::putHeader);
        if (answer.events() == null) {
            inFlight.decrementAndGet();
            response.end(answer.body() == null ? "" : answer.body());
            return;
        }
        response.setChunked(true);
        List<String> events = new ArrayList<>(answer.events());
        writeNext(response, events, answer.eventGapMs());
    }

    private void writeNext(HttpServerResponse response, List<String> events, long gapMs) {
        if (events.isEmpty() || response.closed()) {
            inFlight.decrementAndGet();
            if (!response.closed()) {
                response.end();
            }
            return;
        }
        response.write("data: " + events.remove(0) + "\n\n");
        if (gapMs > 0) {
            vertx.setTimer(gapMs, id -> writeNext(response, events, gapMs));
        } else {
            writeNext(response, events, gapMs);
        }
    }
}
