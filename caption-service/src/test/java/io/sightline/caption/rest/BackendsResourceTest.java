package io.sightline.caption.rest;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.sightline.caption.support.CaptionTestResource;
import io.sightline.testsupport.TestImages;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static io.sightline.caption.support.CaptionTests.backends;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

@QuarkusTest
@WithTestResource(CaptionTestResource.class)
class BackendsResourceTest {

    @Test
    void listsEveryTierInChainOrderWithItsNeedsStateBreakerLatencyAndTheSelectedHead() {
        TestImages.modelsDir(); // every tier available includes onnx and labels, which need the models
        await().atMost(Duration.ofSeconds(20)).until(() -> backends().path("backends").findValues("available").stream()
                .allMatch(JsonNode::asBoolean));
        JsonNode body = backends();
        List<String> names = new ArrayList<>();
        body.path("backends").forEach(b -> names.add(b.path("name").asText()));
        assertThat(names).containsExactly("caption-server", "vlm", "sidecar", "onnx", "labels", "none");
        assertThat(body.path("selection").asText()).isEqualTo("forced");
        assertThat(body.path("hardware").path("cores").asInt()).isEqualTo(Runtime.getRuntime().availableProcessors());
        assertThat(body.path("hardware").path("ram_mb").asLong()).isPositive();

        JsonNode sidecar = tier(body, "sidecar");
        assertThat(sidecar.path("requires_gpu").asBoolean()).isTrue();
        JsonNode onnx = tier(body, "onnx");
        assertThat(onnx.path("ram_mb").asInt()).isEqualTo(onnx.path("model").path("ram_mb").asInt()).isPositive();
        assertThat(onnx.path("model").path("capabilities").toString()).contains("objects", "text");
        JsonNode server = tier(body, "caption-server");
        assertThat(server.path("lifecycle").asText()).isIn("stopped", "requested", "starting", "ready", "stopping", "failed");
        assertThat(server.has("latency_ms")).isTrue();
        assertThat(server.path("latency_ms").has("p95")).isTrue();
        assertThat(body.path("backends").findValuesAsText("breaker")).allMatch(s -> List.of("closed", "open", "half_open").contains(s));
        // the test configuration forces the caption server (SIGHTLINE_VISION_BACKEND); auto selection is TierSelectorTest's
        assertThat(body.path("selected").asText()).isEqualTo("caption-server");
        assertThat(server.path("selected").asBoolean()).isTrue();
        assertThat(body.path("backends").findValues("selected").stream().filter(JsonNode::asBoolean)).hasSize(1);
    }

    private static JsonNode tier(JsonNode body, String name) {
        for (JsonNode b : body.path("backends")) {
            if (name.equals(b.path("name").asText())) {
                return b;
            }
        }
        throw new AssertionError(name);
    }
}
