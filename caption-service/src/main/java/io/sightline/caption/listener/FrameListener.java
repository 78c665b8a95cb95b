package io.sightline.caption.listener;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import io.sightline.caption.pipeline.DeadLetters;
import io.sightline.caption.pipeline.FramePipeline;
import io.sightline.common.frame.CapturedFrame;
import io.sightline.common.frame.FrameRecordCodec;
import io.sightline.common.frame.InvalidFrameException;
import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Acknowledgment;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Consumes {@code frames}. A record that breaks the topic contract is nacked at once and the channel's
 * dead-letter-queue failure strategy moves it to {@code frames.dlq} with the reason in headers. Valid
 * frames go to the {@link FramePipeline}, which acknowledges each record once its caption is written
 * (or it was skipped for a newer frame of the same camera); the method itself returns at once so the
 * consumer keeps reading while backends work.
 */
@ApplicationScoped
public class FrameListener {

    private final FramePipeline pipeline;
    private final MeterRegistry registry;

    FrameListener(FramePipeline pipeline, MeterRegistry registry) {
        this.pipeline = pipeline;
        this.registry = registry;
    }

    @Incoming("frames")
    @Acknowledgment(Acknowledgment.Strategy.MANUAL)
    public CompletionStage<Void> onFrame(Message<byte[]> message) {
        @SuppressWarnings("unchecked")
        IncomingKafkaRecordMetadata<String, byte[]> record = message.getMetadata(IncomingKafkaRecordMetadata.class).orElse(null);
        CapturedFrame frame;
        try {
            if (record == null) {
                throw new InvalidFrameException("message carries no Kafka record metadata");
            }
            frame = FrameRecordCodec.fromRecord(record.getKey(), record.getHeaders(), message.getPayload());
        } catch (InvalidFrameException e) {
            Log.warnf("Record %s of frames breaks the contract: %s", record == null ? "?" : record.getPartition() + "@" + record.getOffset(),
                    e.getMessage());
            return DeadLetters.nack(message, e, FramePipeline.STAGE_CONTRACT, registry);
        }
        registry.counter("sightline.frames.received", "camera", frame.camera()).increment();
        Log.debugf("Received %s", frame);
        pipeline.offer(frame, message);
        return CompletableFuture.completedFuture(null);
    }
}
