package io.sightline.vlm.support;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.sightline.common.download.ModelDownloader;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * {@link RealLlamaServerResource} plus a hosted model {@code fetched} whose GGUF + mmproj (the tiny pair,
 * read from the llama-server build at test time) are NOT on disk: downloads are on, the first mirror
 * refuses connections and the second, a JDK HttpServer on 127.0.0.1, serves the files. The GGUF is sent
 * in two halves: the second only after {@link #RELEASE} opens, so a test can see the download in progress.
 */
public class MirrorProvisioningResource extends RealLlamaServerResource {

    public static final CountDownLatch RELEASE = new CountDownLatch(1);
    /** Paths the mirror was asked for, with their Range header if any. */
    public static final List<String> REQUESTS = new CopyOnWriteArrayList<>();
    public static volatile Path modelsDir;
    /** When set, the mirror serves other bytes for {@code trusted-text.gguf} (the upstream file changed). */
    public static volatile boolean upstreamChanged;

    private HttpServer mirror;
    private ExecutorService threads;

    public static Path text() {
        return llamaDir().resolve("models/tiny-llava-text.gguf");
    }

    public static Path mmproj() {
        return llamaDir().resolve("models/tiny-llava-mmproj.gguf");
    }

    @Override
    public Map<String, String> start() {
        Map<String, String> config = super.start();
        try {
            mirror = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            threads = Executors.newCachedThreadPool();
            mirror.setExecutor(threads);
            mirror.createContext("/mirror/", this::serve);
            mirror.start();
            modelsDir = Files.createTempDirectory("vlm-fetched-");
            int refused;
            try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                refused = s.getLocalPort();
            }
            String base = "http://127.0.0.1:" + mirror.getAddress().getPort() + "/mirror/";
            config.put("sightline.vlm.download.enabled", "true");
            config.put("sightline.vlm.download.mirrors", "http://127.0.0.1:" + refused + "/down/," + base);
            config.put("sightline.vlm.download.progress-interval", "100ms");
            config.put("sightline.vlm.hosted.fetched.model", modelsDir.resolve("fetched-text.gguf").toString());
            config.put("sightline.vlm.hosted.fetched.model-url", "http://127.0.0.1:" + refused + "/origin/fetched-text.gguf");
            config.put("sightline.vlm.hosted.fetched.model-sha256", ModelDownloader.sha256(text()));
            config.put("sightline.vlm.hosted.fetched.mmproj", modelsDir.resolve("fetched-mmproj.gguf").toString());
            config.put("sightline.vlm.hosted.fetched.mmproj-url", "http://127.0.0.1:" + refused + "/origin/fetched-mmproj.gguf");
            config.put("sightline.vlm.hosted.fetched.mmproj-sha256", ModelDownloader.sha256(mmproj()));
            config.put("sightline.vlm.hosted.fetched.model-size", Long.toString(Files.size(text())));
            config.put("sightline.vlm.hosted.fetched.mmproj-size", Long.toString(Files.size(mmproj())));
            config.put("sightline.vlm.hosted.fetched.port", Integer.toString(freePort()));
            config.put("sightline.vlm.hosted.fetched.parallel", "1");
            config.put("sightline.vlm.hosted.fetched.idle-timeout", "60s");
            // a text-only model started by a vlm_caption.requested event
            config.put("sightline.vlm.hosted.evented.model", modelsDir.resolve("evented-text.gguf").toString());
            config.put("sightline.vlm.hosted.evented.model-url", "http://127.0.0.1:" + refused + "/origin/evented-text.gguf");
            config.put("sightline.vlm.hosted.evented.model-sha256", ModelDownloader.sha256(text()));
            config.put("sightline.vlm.hosted.evented.port", Integer.toString(freePort()));
            config.put("sightline.vlm.hosted.evented.parallel", "1");
            config.put("sightline.vlm.hosted.evented.idle-timeout", "60s");
            // a model whose files have URLs but no sha256: trusted on first download, its digests recorded
            config.put("sightline.vlm.hosted.trusted.model", modelsDir.resolve("trusted-text.gguf").toString());
            config.put("sightline.vlm.hosted.trusted.model-url", "http://127.0.0.1:" + refused + "/origin/trusted-text.gguf");
            config.put("sightline.vlm.hosted.trusted.mmproj", modelsDir.resolve("trusted-mmproj.gguf").toString());
            config.put("sightline.vlm.hosted.trusted.mmproj-url", "http://127.0.0.1:" + refused + "/origin/trusted-mmproj.gguf");
            config.put("sightline.vlm.hosted.trusted.port", Integer.toString(freePort()));
            config.put("sightline.vlm.hosted.trusted.parallel", "1");
            // a model whose mirror copy does not match its pinned sha256
            config.put("sightline.vlm.hosted.broken.model", modelsDir.resolve("broken-text.gguf").toString());
            config.put("sightline.vlm.hosted.broken.model-url", "http://127.0.0.1:" + refused + "/origin/broken-text.gguf");
            config.put("sightline.vlm.hosted.broken.model-sha256", ModelDownloader.sha256(mmproj()));
            config.put("sightline.vlm.hosted.broken.port", Integer.toString(freePort()));
            return config;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void serve(HttpExchange exchange) throws IOException {
        String name = Path.of(exchange.getRequestURI().getPath()).getFileName().toString();
        String range = exchange.getRequestHeaders().getFirst("Range");
        REQUESTS.add(name + (range == null ? "" : " " + range));
        Path file = name.equals("trusted-text.gguf") && upstreamChanged ? mmproj()
                : name.endsWith("-text.gguf") ? text()
                : name.equals("fetched-mmproj.gguf") || name.equals("trusted-mmproj.gguf") ? mmproj() : null;
        if (file == null || range != null) {
            exchange.sendResponseHeaders(file == null ? 404 : 416, -1);
            exchange.close();
            return;
        }
        byte[] bytes = Files.readAllBytes(file);
        exchange.sendResponseHeaders(200, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            int half = name.equals("fetched-text.gguf") ? bytes.length / 2 : bytes.length;
            out.write(bytes, 0, half);
            out.flush();
            if (half < bytes.length) {
                RELEASE.await(30, TimeUnit.SECONDS);
                out.write(bytes, half, bytes.length - half);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    @Override
    public void stop() {
        RELEASE.countDown();
        if (mirror != null) {
            mirror.stop(0);
            threads.shutdownNow();
        }
        super.stop();
    }
}
