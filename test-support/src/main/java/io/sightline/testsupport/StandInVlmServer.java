package io.sightline.testsupport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A local server that speaks the OpenAI-compatible protocol of llama.cpp's {@code llama-server} and
 * vLLM faithfully enough for tests: {@code GET /health}, {@code GET /v1/models} (and {@code /models}),
 * {@code POST /v1/chat/completions} with text and {@code image_url} parts, streaming as SSE.
 * Every image must arrive as a {@code data:image/(jpeg|png);base64,} URI that decodes; anything
 * else is answered 400 like a real server would. Tests script the reply and assert on
 * {@link #requests()}. Runs as a process too ({@link #main}), accepting llama-server's arguments.
 */
public final class StandInVlmServer implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern DATA_URI = Pattern.compile("^data:(image/(?:jpeg|png));base64,(.+)$", Pattern.DOTALL);

    /** One decoded image the server received. */
    public record ReceivedImage(String mimeType, int width, int height, byte[] bytes) {
    }

    /** One chat completion request as received. */
    public record ReceivedRequest(JsonNode body, String text, List<ReceivedImage> images, Map<String, List<String>> headers, Instant at) {
        public String header(String name) {
            for (var e : headers.entrySet()) {
                if (e.getKey().equalsIgnoreCase(name) && !e.getValue().isEmpty()) {
                    return e.getValue().get(0);
                }
            }
            return null;
        }
    }

    /** What to answer: HTTP status, assistant content (or raw body for errors), delay before answering. */
    public record Reply(int status, String content, long delayMs, Map<String, String> headers) {
        public static Reply text(String content) {
            return new Reply(200, content, 0, Map.of());
        }

        public static Reply delayed(String content, long delayMs) {
            return new Reply(200, content, delayMs, Map.of());
        }

        public static Reply error(int status, String body) {
            return new Reply(status, body, 0, Map.of());
        }

        /** 200 with this body verbatim instead of a chat completion (a broken server's garbage). */
        public static Reply garbage(String body) {
            return new Reply(200, body, 0, Map.of(RAW_MARKER, "true"));
        }

        /**
         * When streamed ({@code "stream": true}), each word of {@code content} comes {@code pieceDelayMs} after the
         * one before, like a model generating slowly (answered at once, whole, when not streamed).
         */
        public static Reply slowlyStreamed(String content, long pieceDelayMs) {
            return new Reply(200, content, 0, Map.of(PIECE_DELAY, Long.toString(pieceDelayMs)));
        }

        /** No answer for this long (a hung server); the client's timeout should end the call first. */
        public static Reply hang(long millis) {
            return new Reply(200, "late", millis, Map.of());
        }
    }

    private static final String RAW_MARKER = "X-Stand-In-Raw";
    private static final String PIECE_DELAY = "X-Stand-In-Piece-Delay-Ms";

    private final HttpServer server;
    private final String model;
    private final List<ReceivedRequest> requests = new CopyOnWriteArrayList<>();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger maxInFlight = new AtomicInteger();
    private volatile Function<ReceivedRequest, Reply> responder = r -> Reply.text("A stand-in description of the frame.");
    private volatile boolean healthy = true;
    private volatile boolean vision = true;

    private StandInVlmServer(int port, String model) throws IOException {
        this.model = model;
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 64);
        server.setExecutor(Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "stand-in-vlm");
            t.setDaemon(true);
            return t;
        }));
        server.createContext("/health", this::health);
        server.createContext("/v1/models", this::models);
        server.createContext("/models", this::models);
        server.createContext("/v1/chat/completions", this::chat);
        server.createContext("/chat/completions", this::chat);
        server.start();
    }

    /** Starts on a free loopback port. */
    public static StandInVlmServer start(String model) {
        return start(0, model);
    }

    public static StandInVlmServer start(int port, String model) {
        try {
            return new StandInVlmServer(port, model);
        } catch (IOException e) {
            throw new IllegalStateException("could not start the stand-in VLM server", e);
        }
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** Base URL without {@code /v1}, e.g. {@code http://127.0.0.1:40123}. */
    public String baseUrl() {
        return "http://127.0.0.1:" + port();
    }

    public String model() {
        return model;
    }

    public StandInVlmServer respond(Function<ReceivedRequest, Reply> responder) {
        this.responder = responder;
        return this;
    }

    public StandInVlmServer healthy(boolean healthy) {
        this.healthy = healthy;
        return this;
    }

    /** Whether {@code /v1/models} lists the model as image-capable. */
    public StandInVlmServer vision(boolean vision) {
        this.vision = vision;
        return this;
    }

    public List<ReceivedRequest> requests() {
        return List.copyOf(requests);
    }

    public void clear() {
        requests.clear();
        maxInFlight.set(0);
    }

    /** Highest number of chat requests that were being answered at the same time. */
    public int maxConcurrentRequests() {
        return maxInFlight.get();
    }

    @Override
    public void close() {
        server.stop(0);
        ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
    }

    private void health(HttpExchange exchange) throws IOException {
        if (healthy) {
            send(exchange, 200, "{\"status\":\"ok\"}");
        } else {
            send(exchange, 503, "{\"error\":{\"code\":503,\"message\":\"Loading model\",\"type\":\"unavailable_error\"}}");
        }
    }

    private void models(HttpExchange exchange) throws IOException {
        ObjectNode body = JSON.createObjectNode();
        body.put("object", "list");
        ObjectNode entry = body.putArray("data").addObject();
        entry.put("id", model);
        entry.put("object", "model");
        entry.put("owned_by", "stand-in");
        entry.put("created", Instant.now().getEpochSecond());
        ObjectNode listed = body.putArray("models").addObject();
        listed.put("name", model);
        listed.put("model", model);
        ArrayNode capabilities = listed.putArray("capabilities");
        capabilities.add("completion");
        if (vision) {
            capabilities.add("multimodal");
        }
        send(exchange, 200, JSON.writeValueAsString(body));
    }

    private void chat(HttpExchange exchange) throws IOException {
        if (!"POST".equals(exchange.getRequestMethod())) {
            send(exchange, 405, error("method not allowed"));
            return;
        }
        int now = inFlight.incrementAndGet();
        maxInFlight.accumulateAndGet(now, Math::max);
        try {
            JsonNode body;
            try {
                body = JSON.readTree(exchange.getRequestBody().readAllBytes());
            } catch (IOException e) {
                send(exchange, 400, error("request body is not JSON: " + e.getMessage()));
                return;
            }
            if (body == null || !body.path("messages").isArray() || body.path("messages").isEmpty()) {
                send(exchange, 400, error("'messages' must be a non-empty array"));
                return;
            }
            StringBuilder text = new StringBuilder();
            List<ReceivedImage> images = new ArrayList<>();
            for (JsonNode message : body.path("messages")) {
                String role = message.path("role").asText("");
                if (!List.of("system", "user", "assistant").contains(role)) {
                    send(exchange, 400, error("unknown role '" + role + "'"));
                    return;
                }
                JsonNode content = message.path("content");
                if (content.isTextual()) {
                    text.append(content.asText()).append('\n');
                } else if (content.isArray()) {
                    for (JsonNode part : content) {
                        String type = part.path("type").asText();
                        if ("text".equals(type)) {
                            text.append(part.path("text").asText()).append('\n');
                        } else if ("image_url".equals(type)) {
                            String url = part.path("image_url").path("url").asText();
                            ReceivedImage image = decode(url);
                            if (image == null) {
                                send(exchange, 400, error("image_url is not a decodable data:image/(jpeg|png);base64 URI"));
                                return;
                            }
                            images.add(image);
                        } else {
                            send(exchange, 400, error("unknown content part type '" + type + "'"));
                            return;
                        }
                    }
                } else {
                    send(exchange, 400, error("message content must be a string or an array of parts"));
                    return;
                }
            }
            ReceivedRequest request = new ReceivedRequest(body, text.toString(), List.copyOf(images),
                    Map.copyOf(exchange.getRequestHeaders()), Instant.now());
            requests.add(request);
            Reply reply = responder.apply(request);
            if (reply.delayMs() > 0) {
                try {
                    Thread.sleep(reply.delayMs()); // simulates model latency inside the stand-in server
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
            if (reply.headers().containsKey(RAW_MARKER)) {
                send(exchange, 200, reply.content());
                return;
            }
            long pieceDelay = Long.parseLong(reply.headers().getOrDefault(PIECE_DELAY, "0"));
            reply.headers().forEach((k, v) -> {
                if (!k.equals(PIECE_DELAY)) {
                    exchange.getResponseHeaders().add(k, v);
                }
            });
            if (reply.status() != 200) {
                send(exchange, reply.status(), reply.content());
            } else if (body.path("stream").asBoolean(false)) {
                stream(exchange, reply.content(), pieceDelay);
            } else {
                send(exchange, 200, completion(reply.content()));
            }
        } finally {
            inFlight.decrementAndGet();
        }
    }

    private String completion(String content) throws IOException {
        ObjectNode body = JSON.createObjectNode();
        body.put("id", "chatcmpl-standin-" + System.nanoTime());
        body.put("object", "chat.completion");
        body.put("created", Instant.now().getEpochSecond());
        body.put("model", model);
        ObjectNode choice = body.putArray("choices").addObject();
        choice.put("index", 0);
        choice.put("finish_reason", "stop");
        ObjectNode message = choice.putObject("message");
        message.put("role", "assistant");
        message.put("content", content);
        ObjectNode usage = body.putObject("usage");
        usage.put("prompt_tokens", 10);
        usage.put("completion_tokens", Math.max(1, content.length() / 4));
        usage.put("total_tokens", 10 + Math.max(1, content.length() / 4));
        return JSON.writeValueAsString(body);
    }

    private void stream(HttpExchange exchange, String content, long pieceDelayMs) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", "text/event-stream");
        exchange.sendResponseHeaders(200, 0);
        try (OutputStream out = exchange.getResponseBody()) {
            String id = "chatcmpl-standin-" + System.nanoTime();
            List<String> pieces = new ArrayList<>();
            for (String word : content.split("(?<= )")) {
                pieces.add(word);
            }
            for (int i = 0; i <= pieces.size(); i++) {
                if (pieceDelayMs > 0 && i > 0) {
                    try {
                        Thread.sleep(pieceDelayMs); // a model generating slowly, inside the stand-in server
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
                ObjectNode chunk = JSON.createObjectNode();
                chunk.put("id", id);
                chunk.put("object", "chat.completion.chunk");
                chunk.put("created", Instant.now().getEpochSecond());
                chunk.put("model", model);
                ObjectNode choice = chunk.putArray("choices").addObject();
                choice.put("index", 0);
                ObjectNode delta = choice.putObject("delta");
                if (i < pieces.size()) {
                    if (i == 0) {
                        delta.put("role", "assistant");
                    }
                    delta.put("content", pieces.get(i));
                    choice.putNull("finish_reason");
                } else {
                    choice.put("finish_reason", "stop");
                }
                out.write(("data: " + JSON.writeValueAsString(chunk) + "\n\n").getBytes(StandardCharsets.UTF_8));
                out.flush();
            }
            out.write("data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8));
        }
    }

    private static ReceivedImage decode(String url) {
        Matcher m = DATA_URI.matcher(url);
        if (!m.matches()) {
            return null;
        }
        try {
            byte[] bytes = Base64.getDecoder().decode(m.group(2).trim());
            BufferedImage image = ImageIO.read(new ByteArrayInputStream(bytes));
            if (image == null) {
                return null;
            }
            return new ReceivedImage(m.group(1), image.getWidth(), image.getHeight(), bytes);
        } catch (IllegalArgumentException | IOException e) {
            return null;
        }
    }

    private static String error(String message) {
        ObjectNode body = JSON.createObjectNode();
        ObjectNode error = body.putObject("error");
        error.put("message", message);
        error.put("type", "invalid_request_error");
        return body.toString();
    }

    private static void send(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        if (!exchange.getResponseHeaders().containsKey("Content-Type")) {
            exchange.getResponseHeaders().set("Content-Type", "application/json");
        }
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    /**
     * Runs as a stand-in {@code llama-server} process: understands {@code --port}, {@code --host},
     * {@code --model}/{@code -m}, {@code --alias}; ignores the other llama-server flags. Optional
     * {@code --reply TEXT} fixes the caption; {@code --startup-delay-ms N} delays readiness.
     */
    public static void main(String[] args) throws Exception {
        int port = 8080;
        String model = "stand-in-vlm";
        String reply = null;
        long startupDelay = 0;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--port" -> port = Integer.parseInt(args[++i]);
                case "--model", "-m" -> model = java.nio.file.Path.of(args[++i]).getFileName().toString();
                case "--alias" -> model = args[++i];
                case "--reply" -> reply = args[++i];
                case "--startup-delay-ms" -> startupDelay = Long.parseLong(args[++i]);
                default -> {
                    if (i + 1 < args.length && !args[i + 1].startsWith("--")) {
                        i++;
                    }
                }
            }
        }
        StandInVlmServer server = start(port, model);
        if (reply != null) {
            String fixed = reply;
            server.respond(r -> Reply.text(fixed));
        } else {
            server.respond(r -> Reply.text(r.images().isEmpty()
                    ? "No image was attached."
                    : "A frame of " + r.images().get(0).width() + "x" + r.images().get(0).height() + " pixels."));
        }
        if (startupDelay > 0) {
            server.healthy(false);
            Thread.sleep(startupDelay); // models a model load before /health turns 200
            server.healthy(true);
        }
        System.out.println("stand-in llama-server listening on " + server.baseUrl() + " model " + model);
        Runtime.getRuntime().addShutdownHook(new Thread(server::close));
        Thread.currentThread().join();
    }
}
