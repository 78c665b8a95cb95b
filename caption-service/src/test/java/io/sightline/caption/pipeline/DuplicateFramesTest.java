package io.sightline.caption.pipeline;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.sightline.caption.support.CaptionTestResource;
import io.sightline.common.frame.CapturedFrame;
import io.sightline.common.frame.FrameRecordCodec;
import io.sightline.common.kafka.Topics;
import io.sightline.testsupport.TestKafka;
import io.sightline.testsupport.TopicReader;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static io.restassured.RestAssured.given;
import static io.sightline.caption.support.CaptionTests.allHealthy;
import static io.sightline.caption.support.CaptionTests.forFrame;
import static io.sightline.caption.support.CaptionTests.sendFrame;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 14 item 8: a frame id seen before (a push retried with the same Idempotency-Key, or a record
 * the producer delivered twice after a timeout) gets no second caption.
 */
@QuarkusTest
@WithTestResource(CaptionTestResource.class)
class DuplicateFramesTest {

    @BeforeEach
    void healthy() {
        allHealthy();
    }

    @Test
    void aFrameWrittenTwiceToTheTopicIsCaptionedOnce() {
        String camera = "dup-cam";
        try (TopicReader captions = TopicReader.fromNow(Topics.CAPTIONS)) {
            CapturedFrame original = sendFrame(camera);
            captions.awaitOne(r -> forFrame(r, original), Duration.ofSeconds(60));

            // the same record again (same frame id, same headers), as a retried producer delivers it
            TestKafka.send(Topics.FRAMES, camera, original.image(), FrameRecordCodec.toHeaders(original));
            CapturedFrame later = sendFrame(camera);
            captions.awaitOne(r -> forFrame(r, later), Duration.ofSeconds(60));

            List<ConsumerRecord<String, byte[]>> all = captions.drain(Duration.ofSeconds(2));
            assertThat(all).filteredOn(r -> forFrame(r, original)).as("captions of the duplicated frame").hasSize(1);
        }
        String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
        assertThat(metrics.lines().filter(l -> l.startsWith("sightline_frames_duplicate_total{") && l.contains("camera=\"dup-cam\"")))
                .hasSize(1).allSatisfy(l -> assertThat(l).contains("} 1.0"));
    }
}
