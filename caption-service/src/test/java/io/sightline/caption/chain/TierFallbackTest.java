package io.sightline.caption.chain;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.sightline.caption.support.CaptionTestResource;
import io.sightline.caption.support.StandInControl;
import io.sightline.common.frame.CapturedFrame;
import io.sightline.common.kafka.Topics;
import io.sightline.testsupport.TopicReader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static io.sightline.caption.support.CaptionTests.allHealthy;
import static io.sightline.caption.support.CaptionTests.backend;
import static io.sightline.caption.support.CaptionTests.control;
import static io.sightline.caption.support.CaptionTests.forFrame;
import static io.sightline.caption.support.CaptionTests.json;
import static io.sightline.caption.support.CaptionTests.sendFrame;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** A failing tier sends frames down the chain, its breaker opens, and it is used again after the cool-down. */
@QuarkusTest
@WithTestResource(CaptionTestResource.class)
class TierFallbackTest {

    @BeforeEach
    void healthy() {
        allHealthy();
    }

    @AfterEach
    void restore() {
        allHealthy();
    }

    @Test
    void failingCaptionServerSendsFramesToTheSharedVlmThenRecoversAfterCoolDown() {
        try (TopicReader captions = TopicReader.fromNow(Topics.CAPTIONS)) {
            CapturedFrame warm = sendFrame("fallback-cam");
            assertThat(json(captions.awaitOne(r -> forFrame(r, warm), Duration.ofSeconds(45))).path("backend").asText())
                    .isEqualTo("caption-server");

            StandInControl.set(control(), "caption-server", "status 500");
            List<JsonNode> failedOver = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                CapturedFrame frame = sendFrame("fallback-cam");
                failedOver.add(json(captions.awaitOne(r -> forFrame(r, frame), Duration.ofSeconds(45))));
            }
            assertThat(failedOver).allSatisfy(c -> {
                assertThat(c.path("backend").asText()).isEqualTo("vlm");
                assertThat(c.path("model").asText()).isEqualTo("shared-vlm");
                assertThat(c.path("text").asText()).isEqualTo("The shared VLM sees 1 image(s).");
                assertThat(c.path("fallbacks").toString()).isEqualTo("[\"caption-server\"]");
            });
            assertThat(backend("caption-server").path("breaker").asText()).isIn("open", "half_open");
            assertThat(backend("caption-server").path("failures").asLong()).isGreaterThanOrEqualTo(2);

            StandInControl.set(control(), "caption-server", "ok");
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
                CapturedFrame frame = sendFrame("fallback-cam");
                JsonNode caption = json(captions.awaitOne(r -> forFrame(r, frame), Duration.ofSeconds(45)));
                assertThat(caption.path("backend").asText()).isEqualTo("caption-server");
                assertThat(caption.path("fallbacks")).isEmpty();
            });
            assertThat(backend("caption-server").path("breaker").asText()).isEqualTo("closed");
        }
    }

    @Test
    void whenEveryRemoteTierFailsTheOnnxTierDescribesTheFrameFromItsPixels() {
        try (TopicReader captions = TopicReader.fromNow(Topics.CAPTIONS);
             TopicReader detections = TopicReader.fromNow(Topics.DETECTIONS)) {
            StandInControl.set(control(), "caption-server", "status 500");
            StandInControl.set(control(), "vlm", "status 503");
            StandInControl.set(control(), "sidecar", "status 500");

            CapturedFrame frame = sendFrame("chain-cam");

            JsonNode caption = json(captions.awaitOne(r -> forFrame(r, frame), Duration.ofSeconds(60)));
            assertThat(caption.path("backend").asText()).isEqualTo("onnx");
            assertThat(caption.path("fallbacks").toString()).isEqualTo("[\"caption-server\",\"vlm\",\"sidecar\"]");
            assertThat(caption.path("text").asText().toLowerCase()).contains("person");
            JsonNode found = json(detections.awaitOne(r -> forFrame(r, frame), Duration.ofSeconds(30)));
            assertThat(found.path("camera").asText()).isEqualTo("chain-cam");
            assertThat(found.path("detections").findValuesAsText("label")).contains("person");
            assertThat(found.path("width").asInt()).isEqualTo(frame.width());
        }
    }
}
