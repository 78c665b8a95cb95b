package io.sightline.gateway.support;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.function.Function;

/**
 * A stand-in for one internal Sightline service (capture, caption or fallback): a real HTTP server on
 * loopback whose answers tests script per "METHOD /path" and which records every request it received.
 * Unscripted routes answer 404 JSON, /q/health/ready answers 200 unless told otherwise.
 */
public final class StandInService implements AutoCloseable {

    /** One request as received. */
    public record Received(String method, String path, String query, Map<String, List<String>> headers, byte[] body, Instant at) {
        public String header(String name) {
            for (var e : headers.entrySet()) {
                if (e.getKey().equalsIgnoreCase(name) && !e.getValue().isEmpty()) {
                    return e.getValue().get(0);
                }
            }
            return null;
        }

        public String bodyText() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    /** A scripted answer. */
    public record Answer(int status, String contentType, byte[] body, Map<String, String> headers) {
        public Answer(int status, String contentType, byte[] body) {
            this(status, contentType, body, Map.of());
        }

        public static Answer json(int status, String json) {
            return new Answer(status, "application/json", json.getBytes(StandardCharsets.UTF_8));
        }

        /** The same answer with one more response header. */
        public Answer withHeader(String name, String value) {
            Map<String, String> more = new java.util.LinkedHashMap<>(headers);
            more.put(name, value);
            return new Answer(status, contentType, body, Map.copyOf(more));
        }
    }

    private final String name;
    private final int port;
    private volatile HttpServer server;
    private final Map<String, Function<Received, Answer>> routes = new ConcurrentHashMap<>();
    private final List<Received> received = new CopyOnWriteArrayList<>();

    private StandInService(String name, int port) {
        this.name = name;
        this.port = port;
    }

    public static StandInService start(String name) {
        StandInService service = new StandInService(name, 0);
        service.bind(0);
        return service;
    }

    private void bind(int onPort) {
        try {
            HttpServer s = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), onPort), 64);
            s.setExecutor(Executors.newCachedThreadPool(r -> {
                Thread t = new Thread(r, "stand-in-" + name);
                t.setDaemon(true);
                return t;
            }));
            s.createContext("/", this::handle);
            s.start();
            server = s;
        } catch (IOException e) {
            throw new IllegalStateException("could not start stand-in " + name, e);
        }
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public String url() {
        return "http://127.0.0.1:" + port();
    }

    /** Scripts the answer for a method and exact path, e.g. {@code on("GET /api/v1/cameras", ...)}. */
    public StandInService on(String methodAndPath, Function<Received, Answer> answer) {
        streams.remove(methodAndPath);
        routes.put(methodAndPath, answer);
        return this;
    }

    public StandInService onJson(String methodAndPath, int status, String json) {
        return on(methodAndPath, r -> Answer.json(status, json));
    }

    /**
     * Scripts a Server-Sent Events answer: 200 {@code text/event-stream}, each event written and flushed
     * {@code gapMs} after the one before (a service generating slowly).
     */
    public StandInService onEventStream(String methodAndPath, List<String> events, long gapMs) {
        streams.put(methodAndPath, new EventStream(List.copyOf(events), gapMs));
        return this;
    }

    private record EventStream(List<String> events, long gapMs) {
    }

    private final Map<String, EventStream> streams = new ConcurrentHashMap<>();

    public List<Received> received() {
        return List.copyOf(received);
    }

    public List<Received> received(String method, String path) {
        return received.stream().filter(r -> r.method().equals(method) && r.path().equals(path)).toList();
    }

    public void clear() {
        received.clear();
    }

    /** Stops listening (connections are refused) until {@link #restart()}. */
    public void stop() {
        int p = port();
        server.stop(0);
        ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
        stoppedPort = p;
    }

    private volatile int stoppedPort;

    public void restart() {
        bind(stoppedPort);
    }

    @Override
    public void close() {
        server.stop(0);
        ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
    }

    private void handle(HttpExchange exchange) throws IOException {
        byte[] body = exchange.getRequestBody().readAllBytes();
        Received request = new Received(exchange.getRequestMethod(), exchange.getRequestURI().getPath(),
                exchange.getRequestURI().getRawQuery(), Map.copyOf(exchange.getRequestHeaders()), body, Instant.now());
        received.add(request);
        EventStream stream = streams.get(request.method() + " " + request.path());
        if (stream != null) {
            exchange.getResponseHeaders().set("Content-Type", "text/event-stream");
            exchange.sendResponseHeaders(200, 0);
            try (OutputStream out = exchange.getResponseBody()) {
                for (int i = 0; i < stream.events().size(); i++) {
                    if (i > 0) {
                        try {
                            Thread.sleep(stream.gapMs()); // a slowly generating service, inside the stand-in
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            return;
                        }
                    }
                    out.write((stream.events().get(i) + "\n\n").getBytes(StandardCharsets.UTF_8));
                    out.flush();
                }
            }
            return;
        }
        Function<Received, Answer> route = routes.get(request.method() + " " + request.path());
        Answer answer;
        if (route != null) {
            answer = route.apply(request);
        } else if (request.path().equals("/q/health/ready")) {
            answer = Answer.json(200, "{\"status\":\"UP\",\"checks\":[]}");
        } else {
            answer = Answer.json(404, "{\"error\":\"not_found\",\"message\":\"" + name + " has no " + request.path() + "\",\"status\":404}");
        }
        answer.headers().forEach((name, value) -> exchange.getResponseHeaders().set(name, value));
        if (answer.contentType() != null) {
            exchange.getResponseHeaders().set("Content-Type", answer.contentType());
        }
        byte[] bytes = answer.body() == null ? new byte[0] : answer.body();
        exchange.sendResponseHeaders(answer.status(), bytes.length == 0 ? -1 : bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}
