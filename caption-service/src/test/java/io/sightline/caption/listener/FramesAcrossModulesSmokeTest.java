package io.sightline.caption.listener;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.sightline.common.kafka.FrameHeaders;
import io.sightline.common.kafka.Topics;
import io.sightline.testsupport.KafkaBrokerResource;
import io.sightline.testsupport.TestImages;
import io.sightline.testsupport.TestKafka;
import io.sightline.testsupport.TopicReader;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;

/**
 * End-to-end smoke test of the foundation: a plain Kafka producer (not a Sightline class) publishes a
 * frame per the topic contract, and caption-service, another module, consumes it from the real broker.
 */
@QuarkusTest
@WithTestResource(KafkaBrokerResource.class)
class FramesAcrossModulesSmokeTest {

    @Test
    void frameFromPlainProducerIsConsumedByCaptionService() {
        TestImages.Jpeg jpeg = TestImages.jpeg("astronaut.png");
        TestKafka.sendFrame("smoke-cam", jpeg.bytes(), jpeg.width(), jpeg.height());

        await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                given().get("/q/metrics").then().statusCode(200)
                        .body(containsString("sightline_frames_received_total{camera=\"smoke-cam\"")));
    }

    @Test
    void recordBreakingTheContractGoesToDeadLetterTopicWithReason() {
        try (TopicReader dlq = TopicReader.fromNow(Topics.FRAMES_DLQ)) {
            RecordHeaders headers = new RecordHeaders();
            headers.add(FrameHeaders.FRAME_ID, UUID.randomUUID().toString().getBytes(StandardCharsets.UTF_8));
            TestKafka.send(Topics.FRAMES, "poison-cam", "definitely not an image".getBytes(StandardCharsets.UTF_8), headers);

            var dead = dlq.awaitOne(r -> "poison-cam".equals(r.key()), Duration.ofSeconds(60));
            assertThat(TopicReader.header(dead, FrameHeaders.DLQ_REASON)).contains("magic bytes");
            assertThat(TopicReader.valueText(dead)).isEqualTo("definitely not an image");
        }
    }

    @Test
    void readinessIncludesKafkaAndTopics() {
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                given().get("/q/health/ready").then().statusCode(200)
                        .body(containsString("kafka-topics"))
                        .body(containsString("Kafka connection health check")));
    }
}
