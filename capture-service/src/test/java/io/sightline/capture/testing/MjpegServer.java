package io.sightline.capture.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

/**
 * A real MJPEG camera: {@code multipart/x-mixed-replace} over HTTP, one JPEG part per frame at a
 * fixed rate, as IP cameras serve {@code /video.mjpg}. Can be stopped and started again on the same
 * port to simulate a camera dropping off the network.
 */
public final class MjpegServer implements AutoCloseable {

    private static final String BOUNDARY = "sightlineframe";
    private final IntFunction<byte[]> frames;
    private final int fps;
    private final AtomicInteger served = new AtomicInteger();
    private HttpServer server;
    private ExecutorService executor;
    private int port;
    private volatile boolean running;

    public MjpegServer(IntFunction<byte[]> frames, int fps) {
        this.frames = frames;
        this.fps = fps;
    }

    public synchronized MjpegServer start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
        port = server.getAddress().getPort();
        executor = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "mjpeg-test-server");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext("/video.mjpg", this::stream);
        running = true;
        server.start();
        return this;
    }

    public String url() {
        return "http://127.0.0.1:" + port + "/video.mjpg";
    }

    public int framesServed() {
        return served.get();
    }

    /** Drops every client and stops listening (the port stays reserved for {@link #start()}). */
    public synchronized void stop() {
        running = false;
        if (server != null) {
            server.stop(0);
            executor.shutdownNow();
            try {
                executor.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            server = null;
        }
    }

    private void stream(HttpExchange exchange) throws IOException {
        exchange.getResponseHeaders().add("Content-Type", "multipart/x-mixed-replace;boundary=" + BOUNDARY);
        exchange.sendResponseHeaders(200, 0);
        long interval = 1_000_000_000L / fps;
        long next = System.nanoTime();
        try (OutputStream out = exchange.getResponseBody()) {
            int index = 0;
            while (running) {
                byte[] jpeg = frames.apply(index++);
                String head = "--" + BOUNDARY + "\r\nContent-Type: image/jpeg\r\nContent-Length: " + jpeg.length + "\r\n\r\n";
                out.write(head.getBytes(StandardCharsets.US_ASCII));
                out.write(jpeg);
                out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
                served.incrementAndGet();
                next += interval;
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait);
                }
            }
        } catch (IOException | InterruptedException e) {
            // client went away or the server is stopping
        } finally {
            exchange.close();
        }
    }

    @Override
    public void close() {
        stop();
    }
}
