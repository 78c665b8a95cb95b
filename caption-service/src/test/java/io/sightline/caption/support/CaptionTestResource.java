package io.sightline.caption.support;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.sightline.testsupport.StandInVlmServer;
import io.sightline.testsupport.TestBroker;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * One configuration shared by the caption tests (so Quarkus boots once for all of them): the real test
 * broker; in-JVM stand-ins for vlm-service (serving the caption model), the shared VLM and the GPU
 * sidecar; short breaker cool-down. (The caption model's lifecycle is vlm-service's and is tested there
 * against the real llama-server.) Tests steer the stand-ins through the control directory
 * ({@code sightline.test.control-dir}).
 */
public class CaptionTestResource implements QuarkusTestResourceLifecycleManager {

    private Path dir;
    private StandInVlmServer captionServer;
    private StandInVlmServer vlm;
    private StandInSidecar sidecar;

    @Override
    public Map<String, String> start() {
        try {
            dir = Files.createTempDirectory("caption-test-");
            Path control = Files.createDirectories(dir.resolve("control"));
            // vlm-service hosting the caption model, as seen from here: an OpenAI-compatible server listing the model
            captionServer = StandInVlmServer.start("caption-model");
            captionServer.respond(request -> {
                StandInControl.Mode mode = StandInControl.mode(control, "caption-server");
                if (mode.status() != 200) {
                    return StandInVlmServer.Reply.error(mode.status(), mode.text());
                }
                return StandInVlmServer.Reply.delayed(mode.text() != null ? mode.text()
                        : "A person seen in a frame of " + request.images().size() + " image(s).", mode.delayMs());
            });

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
            config.put("sightline.caption.caption-server.base-url", captionServer.baseUrl() + "/v1");
            config.put("sightline.caption.caption-server.model", "caption-model");
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
            // the tests written before the escalation pipeline expect every frame described; the escalation tests
            // use their own cameras with it on (the onnx analysis and detections run for every camera either way)
            config.put("sightline.caption.escalation.enabled", "false");
            config.put("sightline.caption.escalation.global-per-minute", "0");
            config.put("sightline.caption.escalation.global-per-hour", "0");
            for (String camera : EscalationCameras.ALL) {
                config.put("sightline.caption.escalation.cameras." + camera + ".enabled", "true");
                config.put("sightline.caption.escalation.cameras." + camera + ".per-minute", "0");
            }
            config.put("sightline.caption.escalation.cameras." + EscalationCameras.BUDGET + ".per-minute", "2");
            return config;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void stop() {
        if (vlm != null) {
            vlm.close();
        }
        if (captionServer != null) {
            captionServer.close();
        }
        if (sidecar != null) {
            sidecar.close();
        }
    }
}
