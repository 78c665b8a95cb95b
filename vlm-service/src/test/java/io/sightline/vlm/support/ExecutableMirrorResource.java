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
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * {@link RealLlamaServerResource} with NO llama-server installed: the configured executable is a name on no
 * PATH, and {@code sightline.vlm.llama-server.download-url} points at a release-style archive
 * ({@code llama-test.zip}: {@code llama-b0000-test/bin/llama-server}, the real binary) whose origin refuses
 * connections and which a local mirror on 127.0.0.1 serves, with its sha256 pinned.
 */
public class ExecutableMirrorResource extends RealLlamaServerResource {

    public static final String ARCHIVE = "llama-test.zip";
    public static final List<String> REQUESTS = new CopyOnWriteArrayList<>();
    public static volatile Path modelsDir;

    private HttpServer mirror;
    private Path archive;

    @Override
    public Map<String, String> start() {
        Map<String, String> config = super.start();
        try {
            archive = Files.createTempDirectory("llama-release-").resolve(ARCHIVE);
            try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(archive))) {
                zip.putNextEntry(new ZipEntry("llama-b0000-test/bin/llama-server"));
                Files.copy(llamaDir().resolve("bin/llama-server"), zip);
                zip.closeEntry();
                zip.putNextEntry(new ZipEntry("llama-b0000-test/LICENSE"));
                zip.write("MIT".getBytes());
                zip.closeEntry();
            }
            mirror = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            mirror.createContext("/mirror/", this::serve);
            mirror.start();
            int refused;
            try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                refused = s.getLocalPort();
            }
            modelsDir = Path.of(config.get("sightline.vlm.models-dir"));
            config.put("sightline.vlm.llama-server.executable", "llama-server-not-installed-" + System.nanoTime());
            config.put("sightline.vlm.download.enabled", "true");
            config.put("sightline.vlm.download.mirrors", "http://127.0.0.1:" + mirror.getAddress().getPort() + "/mirror/");
            config.put("sightline.vlm.llama-server.download-url", "http://127.0.0.1:" + refused + "/origin/" + ARCHIVE);
            config.put("sightline.vlm.llama-server.download-sha256", ModelDownloader.sha256(archive));
            return config;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void serve(HttpExchange exchange) throws IOException {
        String name = Path.of(exchange.getRequestURI().getPath()).getFileName().toString();
        REQUESTS.add(name);
        if (!name.equals(ARCHIVE)) {
            exchange.sendResponseHeaders(404, -1);
            exchange.close();
            return;
        }
        byte[] bytes = Files.readAllBytes(archive);
        exchange.sendResponseHeaders(200, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void stop() {
        if (mirror != null) {
            mirror.stop(0);
        }
        super.stop();
    }
}
