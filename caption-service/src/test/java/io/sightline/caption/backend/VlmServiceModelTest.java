package io.sightline.caption.backend;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The generative tiers' view of vlm-service: a tier is available only when vlm-service reports its model
 * hostable or running, and otherwise carries vlm-service's own reason (what /api/v1/backends shows). The
 * JSON is the shape of vlm-service's {@code GET /v1/models} on a box with no model files and no VLM.
 */
class VlmServiceModelTest {

    private static final String NOTHING_HOSTABLE = """
            {"object":"list","default":"smolvlm2-256m","data":[
              {"id":"smolvlm2-256m","state":"stopped","placement":"local","is_default":true,
               "unavailable_reason":"model files missing in /home/u/.sightline/vlm-models: SmolVLM2-256M-Video-Instruct-Q8_0.gguf (downloads disabled)",
               "catalog":{"ram_mb":1024}},
              {"id":"tiny","state":"ready","placement":"local","is_default":false,"unavailable_reason":null,"catalog":{"ram_mb":64}}]}
            """;

    private HttpServer server;
    private final List<String> authorizations = new CopyOnWriteArrayList<>();
    private volatile String body = NOTHING_HOSTABLE;

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/v1/models", exchange -> {
            authorizations.add(String.valueOf(exchange.getRequestHeaders().getFirst("Authorization")));
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private URI base() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/v1");
    }

    private VlmServiceModel.Probe probe(String model) {
        return new VlmServiceModel().probe(base(), Optional.of("tok"), model).await().atMost(Duration.ofSeconds(10));
    }

    @Test
    void aDefaultModelVlmServiceCannotHostMakesTheTierUnavailableWithItsReason() {
        VlmServiceModel.Probe probe = probe("default");
        assertThat(probe.unavailable()).isEqualTo("vlm-service cannot host 'smolvlm2-256m': model files missing in "
                + "/home/u/.sightline/vlm-models: SmolVLM2-256M-Video-Instruct-Q8_0.gguf (downloads disabled)");
        assertThat(authorizations).containsOnly("Bearer tok");
    }

    @Test
    void aNamedModelVlmServiceRunsIsAvailableWithItsState() {
        VlmServiceModel.Probe probe = probe("tiny");
        assertThat(probe.unavailable()).isNull();
        assertThat(probe.state()).isEqualTo("ready");
        assertThat(probe.ramMb()).isEqualTo(64);
    }

    @Test
    void aModelWhoseDownloadFailedIsUnavailableWithTheReasonButACrashedOneIsNot() {
        body = """
                {"object":"list","default":"smolvlm2-256m","data":[
                  {"id":"smolvlm2-256m","state":"failed","is_default":true,"unavailable_reason":null,
                   "last_failure":"download failed: SmolVLM2-256M-Video-Instruct-Q8_0.gguf: every source failed (1 tried in order)"},
                  {"id":"tiny","state":"failed","is_default":false,"unavailable_reason":null,"last_failure":"server process exited with 139"}]}
                """;
        assertThat(probe("default").unavailable()).isEqualTo("vlm-service could not provision 'smolvlm2-256m': download failed: "
                + "SmolVLM2-256M-Video-Instruct-Q8_0.gguf: every source failed (1 tried in order)");
        // a crash is restarted by vlm-service on the next request: the tier stays available and asks again
        assertThat(probe("tiny").unavailable()).isNull();
    }

    @Test
    void noDefaultModelOrAnUnknownOneSaysSo() {
        body = "{\"object\":\"list\",\"default\":\"none (SIGHTLINE_VLM_MODEL=none)\",\"data\":[]}";
        assertThat(probe("default").unavailable()).isEqualTo("vlm-service has no model 'default' (no default model: none (SIGHTLINE_VLM_MODEL=none))");
        assertThat(probe("qwen2.5-vl-7b").unavailable()).isEqualTo("vlm-service has no model 'qwen2.5-vl-7b'");
    }

    @Test
    void vlmServiceNotRunningIsAReasonNotAnError() {
        server.stop(0);
        assertThat(probe("default").unavailable()).startsWith("vlm-service at " + base() + " cannot be reached");
    }
}
