package io.sightline.capture.publish;

import io.opentelemetry.context.Context;
import io.sightline.common.frame.CapturedFrame;
import io.sightline.common.frame.FrameRecordCodec;
import io.sightline.common.kafka.FrameHeaders;
import io.sightline.common.kafka.Topics;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.TracingMetadata;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.OnOverflow;

/**
 * Sends frames to {@code frames} per the topic contract: key = camera id, value = the JPEG, contract
 * headers from {@link FrameRecordCodec}. The returned Uni completes when Kafka acknowledged the
 * record ({@code acks=all}) and fails when the broker refuses or cannot be reached in time. The
 * Kafka connector adds {@code traceparent} from the tracing context attached here.
 */
@ApplicationScoped
public class FramePublisher {

    private final MutinyEmitter<byte[]> frames;

    FramePublisher(@Channel(Topics.FRAMES) @OnOverflow(value = OnOverflow.Strategy.BUFFER, bufferSize = 256) MutinyEmitter<byte[]> frames) {
        this.frames = frames;
    }

    /** {@code timeZone}: the camera's IANA zone, sent as header {@code time-zone} beside the contract headers. */
    public Uni<Void> publish(CapturedFrame frame, String timeZone, Context trace) {
        org.apache.kafka.common.header.Headers headers = FrameRecordCodec.toHeaders(frame);
        headers.add(FrameHeaders.TIME_ZONE, timeZone.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        Message<byte[]> message = Message.of(frame.image())
                .addMetadata(OutgoingKafkaRecordMetadata.<String>builder()
                        .withKey(frame.camera())
                        .withHeaders(headers)
                        .build())
                .addMetadata(TracingMetadata.withCurrent(trace));
        return frames.sendMessage(message);
    }
}
