package io.sightline.caption.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.concurrent.Executors;

/**
 * A GPU sidecar stand-in: {@code GET /health}, {@code POST /describe {image, prompt}} -> {@code {description}}.
 * Checks that the image decodes (400 otherwise, like a real sidecar); behaviour from the control file {@code sidecar}.
 */
public final class StandInSidecar implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpServer server;
    private final Path control;

    public StandInSidecar(Path control) throws IOException {
        this.control = control;
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        server.setExecutor(Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "stand-in-sidecar");
            t.setDaemon(true);
            return t;
        }));
        server.createContext("/health", ex -> send(ex, 200, "{\"status\":\"ok\"}"));
        server.createContext("/describe", this::describe);
        server.start();
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    private void describe(HttpExchange exchange) throws IOException {
        JsonNode body;
        try {
            body = JSON.readTree(exchange.getRequestBody().readAllBytes());
        } catch (IOException e) {
            send(exchange, 400, "{\"error\":\"body is not JSON\"}");
            return;
        }
        BufferedImage image;
        try {
            image = ImageIO.read(new ByteArrayInputStream(Base64.getDecoder().decode(body.path("image").asText(""))));
        } catch (IllegalArgumentException | IOException e) {
            image = null;
        }
        if (image == null || body.path("prompt").asText("").isBlank()) {
            send(exchange, 400, "{\"error\":\"image must be a base64 JPEG or PNG and prompt must be set\"}");
            return;
        }
        StandInControl.Mode mode = StandInControl.mode(control, "sidecar");
        if (mode.status() != 200) {
            send(exchange, mode.status(), "{\"error\":\"scripted failure\"}");
            return;
        }
        String text = mode.text() != null ? mode.text() : "The sidecar sees a frame of " + image.getWidth() + "x" + image.getHeight() + " pixels.";
        send(exchange, 200, JSON.createObjectNode().put("description", text).put("model", "stand-in-sidecar").toString());
    }

    private static void send(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (var out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
