package io.sightline.caption.support;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.sightline.testsupport.StandInVlmServer;
import io.sightline.testsupport.TestBroker;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.Map;

/**
 * One configuration shared by the caption tests (so Quarkus boots once for all of them): the real test
 * broker; a {@code llama-server} executable that is a shell script exec'ing {@link ScriptedLlamaServer}
 * with this JVM's classpath; an in-JVM stand-in shared VLM and GPU sidecar; short idle timeout and
 * breaker cool-down. Tests steer the stand-ins through the control directory
 * ({@code sightline.test.control-dir}).
 */
public class CaptionTestResource implements QuarkusTestResourceLifecycleManager {

    private Path dir;
    private StandInVlmServer vlm;
    private StandInSidecar sidecar;

    @Override
    public Map<String, String> start() {
        try {
            dir = Files.createTempDirectory("caption-test-");
            Path control = Files.createDirectories(dir.resolve("control"));
            Path model = Files.writeString(dir.resolve("caption-model.gguf"), "stand-in weights");
            Path mmproj = Files.writeString(dir.resolve("caption-mmproj.gguf"), "stand-in projector");
            Path script = dir.resolve("llama-server");
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            Files.writeString(script, "#!/bin/sh\nexec '" + java + "' -Xmx128m -XX:TieredStopAtLevel=1 -cp '"
                    + System.getProperty("java.class.path") + "' " + ScriptedLlamaServer.class.getName()
                    + " --control-dir '" + control + "' \"$@\"\n");
            Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));

            vlm = StandInVlmServer.start("shared-vlm");
            vlm.respond(request -> {
                StandInControl.Mode mode = StandInControl.mode(control, "vlm");
                if (mode.status() != 200) {
                    return StandInVlmServer.Reply.error(mode.status(), mode.text());
                }
                return StandInVlmServer.Reply.delayed(mode.text() != null ? mode.text()
                        : "The shared VLM sees " + request.images().size() + " image(s).", mode.delayMs());
            });
            sidecar = new StandInSidecar(control);

            Map<String, String> config = new HashMap<>();
            config.put("kafka.bootstrap.servers", TestBroker.bootstrapServers());
            config.put("sightline.test.control-dir", control.toString());
            config.put("sightline.caption.backend", "caption-server");
            config.put("sightline.caption.caption-server.launcher", "process");
            config.put("sightline.caption.caption-server.process.executable", script.toString());
            config.put("sightline.caption.caption-server.process.model", model.toString());
            config.put("sightline.caption.caption-server.process.mmproj", mmproj.toString());
            config.put("sightline.caption.caption-server.process.port", Integer.toString(freePort()));
            config.put("sightline.caption.caption-server.process.log-file", dir.resolve("llama-server.log").toString());
            config.put("sightline.caption.caption-server.process.stop-timeout", "5s");
            config.put("sightline.caption.caption-server.idle-timeout", "3s");
            config.put("sightline.caption.caption-server.start-timeout", "30s");
            config.put("sightline.caption.caption-server.timeout", "10s");
            // three frames may wait for one start together (shared start)
            config.put("sightline.caption.caption-server.concurrency", "3");
            config.put("sightline.caption.vlm.base-url", vlm.baseUrl() + "/v1");
            config.put("sightline.caption.vlm.model", "shared-vlm");
            config.put("sightline.caption.vlm.timeout", "10s");
            config.put("sightline.caption.sidecar.url", sidecar.url());
            config.put("sightline.caption.breaker.failure-threshold", "2");
            config.put("sightline.caption.breaker.cool-down", "2s");
            config.put("sightline.caption.availability-probe-interval", "1s");
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
        if (vlm != null) {
            vlm.close();
        }
        if (sidecar != null) {
            sidecar.close();
        }
    }
}
