package io.sightline.vlm.support;

import io.sightline.testsupport.TestAssets;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.sightline.testsupport.TestBroker;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * vlm-service against the REAL llama-server built by {@code ../shared/tools/llama-server/setup.sh}
 * ({@code $LLAMA_WORK}, else {@code ~/.cache/sightline/llama-server}) with its tiny random-weight vision
 * model: {@code tiny} (GGUF + mmproj, can see) and {@code blind} (the same GGUF without mmproj). One slot
 * each, 3 s idle timeout, batch queue cap 4.
 */
public class RealLlamaServerResource implements QuarkusTestResourceLifecycleManager {

    public static Path llamaDir() {
        String work = System.getenv("LLAMA_WORK");
        return work != null && !work.isBlank() ? Path.of(work) : Path.of(System.getProperty("user.home"), ".cache", "sightline", "llama-server");
    }

    /**
     * For {@code @EnabledIf}: whether the real llama-server is built. A fresh clone without it skips these
     * tests (reason: run ../shared/tools/llama-server/setup.sh); where assets are required (CI,
     * {@code -Dsightline.require-assets=true}) the tests run and fail loudly if it is missing.
     */
    public static boolean available() {
        return TestAssets.required() || Files.isExecutable(llamaDir().resolve("bin/llama-server"));
    }

    @Override
    public Map<String, String> start() {
        try {
            Path llama = llamaDir();
            Path executable = llama.resolve("bin/llama-server");
            if (!Files.isExecutable(executable)) {
                throw new IllegalStateException(executable + " missing: run ../shared/tools/llama-server/setup.sh first");
            }
            Path dir = Files.createTempDirectory("vlm-test-");
            Map<String, String> config = new HashMap<>();
            config.put("kafka.bootstrap.servers", TestBroker.bootstrapServers());
            config.put("sightline.vlm.model", "tiny");
            config.put("sightline.vlm.models-dir", dir.resolve("models").toString());
            config.put("sightline.vlm.llama-server.executable", executable.toString());
            config.put("sightline.vlm.llama-server.log-dir", dir.toString());
            config.put("sightline.vlm.llama-server.first-port", Integer.toString(freePort()));
            config.put("sightline.vlm.llama-server.ctx-size", "512");
            config.put("sightline.vlm.llama-server.threads", "1");
            config.put("sightline.vlm.llama-server.stop-timeout", "5s");
            config.put("sightline.vlm.hosted.tiny.model", llama.resolve("models/tiny-llava-text.gguf").toString());
            config.put("sightline.vlm.hosted.tiny.mmproj", llama.resolve("models/tiny-llava-mmproj.gguf").toString());
            config.put("sightline.vlm.hosted.tiny.port", Integer.toString(freePort()));
            config.put("sightline.vlm.hosted.tiny.parallel", "1");
            config.put("sightline.vlm.hosted.blind.model", llama.resolve("models/tiny-llava-text.gguf").toString());
            config.put("sightline.vlm.hosted.blind.port", Integer.toString(freePort()));
            config.put("sightline.vlm.hosted.blind.parallel", "1");
            config.put("sightline.vlm.idle-timeout", "3s");
            config.put("sightline.vlm.start-timeout", "30s");
            config.put("sightline.vlm.restart-backoff", "1s");
            config.put("sightline.vlm.request-timeout", "30s");
            config.put("sightline.vlm.queue.batch-cap", "4");
            config.put("sightline.vlm.queue.aging", "30s");
            return config;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    @Override
    public void stop() {
    }
}
