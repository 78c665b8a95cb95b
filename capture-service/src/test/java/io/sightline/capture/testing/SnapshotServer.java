package io.sightline.capture.testing;

import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/** An IP camera's {@code /snapshot.jpg}: serves whatever image is current, or an HTTP error when told to. */
public final class SnapshotServer implements AutoCloseable {

    private final HttpServer server;
    private final AtomicReference<byte[]> image = new AtomicReference<>();
    private final AtomicInteger failWith = new AtomicInteger();
    private final AtomicInteger requests = new AtomicInteger();
    private final AtomicReference<String> expectedAuthorization = new AtomicReference<>();

    public SnapshotServer(byte[] initial) throws IOException {
        image.set(initial);
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/snapshot.jpg", exchange -> {
            requests.incrementAndGet();
            String expected = expectedAuthorization.get();
            int status = expected != null && !expected.equals(exchange.getRequestHeaders().getFirst("Authorization")) ? 401 : failWith.get();
            byte[] body = status == 0 ? image.get() : "camera busy".getBytes();
            exchange.getResponseHeaders().add("Content-Type", status == 0 ? "image/jpeg" : "text/plain");
            exchange.sendResponseHeaders(status == 0 ? 200 : status, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/snapshot.jpg";
    }

    /** With credentials in the URL, as many camera configurations carry them. */
    public String urlWithCredentials(String user, String password) {
        return "http://" + user + ":" + password + "@127.0.0.1:" + server.getAddress().getPort() + "/snapshot.jpg";
    }

    /** Answers 401 unless the request carries these HTTP Basic credentials. */
    public void requireBasicAuth(String user, String password) {
        expectedAuthorization.set("Basic " + java.util.Base64.getEncoder()
                .encodeToString((user + ":" + password).getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    }

    public void serve(byte[] jpeg) {
        image.set(jpeg);
        failWith.set(0);
    }

    public void failWith(int status) {
        failWith.set(status);
    }

    public int requests() {
        return requests.get();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
