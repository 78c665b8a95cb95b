package io.sightline.caption.pipeline;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.sightline.caption.support.CaptionTestResource;
import io.sightline.common.frame.CapturedFrame;
import io.sightline.common.frame.FrameRecordCodec;
import io.sightline.common.kafka.FrameHeaders;
import io.sightline.common.kafka.FrameSource;
import io.sightline.common.kafka.Topics;
import io.sightline.testsupport.TestKafka;
import io.sightline.testsupport.TopicReader;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Arrays;
import java.util.UUID;

import static io.sightline.caption.support.CaptionTests.allHealthy;
import static io.sightline.caption.support.CaptionTests.astronaut;
import static org.assertj.core.api.Assertions.assertThat;

/** Frames the service cannot use end in frames.dlq with the reason and stage, bytes unchanged. */
@QuarkusTest
@WithTestResource(CaptionTestResource.class)
class DeadLetterTest {

    @Test
    void jpegThatDoesNotDecodeGoesToTheDeadLetterTopicWithReasonAndStage() {
        allHealthy();
        byte[] truncated = new byte[600];
        byte[] header = Arrays.copyOf(astronaut().bytes(), 3);
        System.arraycopy(header, 0, truncated, 0, 3);
        Arrays.fill(truncated, 3, truncated.length, (byte) 0x11);
        CapturedFrame frame = new CapturedFrame(UUID.randomUUID(), "broken-cam", FrameSource.CAMERA, System.currentTimeMillis(),
                640, 480, CapturedFrame.JPEG, 1, 1.0, truncated);
        try (TopicReader dlq = TopicReader.fromNow(Topics.FRAMES_DLQ);
             TopicReader captions = TopicReader.fromNow(Topics.CAPTIONS)) {
            TestKafka.send(Topics.FRAMES, "broken-cam", truncated, FrameRecordCodec.toHeaders(frame));

            var dead = dlq.awaitOne(r -> "broken-cam".equals(r.key()), Duration.ofSeconds(60));
            assertThat(TopicReader.header(dead, FrameHeaders.DLQ_REASON)).contains("do not decode");
            assertThat(TopicReader.header(dead, FrameHeaders.DLQ_STAGE)).isEqualTo("decode");
            assertThat(TopicReader.header(dead, FrameHeaders.FRAME_ID)).isEqualTo(frame.frameId().toString());
            assertThat(dead.value()).isEqualTo(truncated);
            assertThat(captions.drain(Duration.ofSeconds(1))).noneMatch(r -> "broken-cam".equals(r.key()));
        }
    }
}
