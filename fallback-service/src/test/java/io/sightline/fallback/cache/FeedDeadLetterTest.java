package io.sightline.fallback.cache;

import io.sightline.latest.LatestFrameCache;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.sightline.common.frame.CapturedFrame;
import io.sightline.common.frame.FrameRecordCodec;
import io.sightline.common.kafka.FrameHeaders;
import io.sightline.common.kafka.FrameSource;
import io.sightline.common.kafka.Topics;
import io.sightline.fallback.support.StandInVlmResource;
import io.sightline.testsupport.KafkaBrokerResource;
import io.sightline.testsupport.TestImages;
import io.sightline.testsupport.TestKafka;
import io.sightline.testsupport.TopicReader;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

@QuarkusTest
@WithTestResource(KafkaBrokerResource.class)
@WithTestResource(StandInVlmResource.class)
class FeedDeadLetterTest {

    @Inject
    LatestFrameCache cache;

    @BeforeEach
    void ready() {
        await().atMost(Duration.ofSeconds(60)).until(() -> given().get("/q/health/ready").statusCode() == 200);
    }

    @Test
    void poisonRecordsGoToTheDeadLetterTopicWithTheReasonAndTheFeedKeepsGoing() {
        String camera = "dlq-" + UUID.randomUUID().toString().substring(0, 8);
        try (TopicReader dlq = TopicReader.fromNow(Topics.FRAMES_DLQ)) {
            // JPEG magic bytes but not an image
            byte[] truncated = Arrays.copyOf(TestImages.jpeg("astronaut.png").bytes(), 64);
            CapturedFrame broken = new CapturedFrame(UUID.randomUUID(), camera, FrameSource.CAMERA, System.currentTimeMillis(),
                    512, 512, CapturedFrame.JPEG, 1, 1.0, truncated);
            TestKafka.send(Topics.FRAMES, camera, truncated, FrameRecordCodec.toHeaders(broken));
            // no frame-id header
            TestKafka.send(Topics.FRAMES, camera, TestImages.jpeg("coffee.png").bytes(), new RecordHeaders());
            // captions that are not JSON
            TestKafka.send(Topics.CAPTIONS, camera, "{not json".getBytes(StandardCharsets.UTF_8), new RecordHeaders());

            ConsumerRecord<String, byte[]> undecodable = dlq.awaitOne(r -> camera.equals(r.key())
                    && reason(r).contains("does not decode"), Duration.ofSeconds(30));
            assertThat(TopicReader.header(undecodable, "dead-letter-topic")).isEqualTo(Topics.FRAMES);
            assertThat(undecodable.value()).isEqualTo(truncated);
            dlq.awaitOne(r -> camera.equals(r.key()) && reason(r).contains("frame-id"), Duration.ofSeconds(30));
            ConsumerRecord<String, byte[]> caption = dlq.awaitOne(r -> camera.equals(r.key())
                    && Topics.CAPTIONS.equals(TopicReader.header(r, "dead-letter-topic")), Duration.ofSeconds(30));
            assertThat(reason(caption)).contains("not a CaptionProduced");
        }

        CapturedFrame good = TestKafka.sendFrame(camera, TestImages.jpeg("chelsea.png").bytes(), 451, 300);
        await().atMost(Duration.ofSeconds(20)).until(() -> cache.frame(camera).map(f -> f.frameId().equals(good.frameId())).orElse(false));
        given().get("/q/health/live").then().statusCode(200);
    }

    private static String reason(ConsumerRecord<String, byte[]> record) {
        String reason = TopicReader.header(record, FrameHeaders.DLQ_REASON);
        return reason == null ? "" : reason;
    }
}
