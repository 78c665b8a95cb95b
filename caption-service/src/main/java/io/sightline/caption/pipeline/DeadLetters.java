package io.sightline.caption.pipeline;

import io.micrometer.core.instrument.MeterRegistry;
import io.sightline.common.kafka.FrameHeaders;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.Metadata;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletionStage;

/**
 * Sends a {@code frames} record to {@code frames.dlq} through the channel's dead-letter-queue failure
 * strategy: the reason lands in {@code dead-letter-reason}, the stage (contract, decode, describe,
 * publish) in {@code dead-letter-stage}.
 */
public final class DeadLetters {

    private DeadLetters() {
    }

    public static CompletionStage<Void> nack(Message<?> message, Throwable reason, String stage, MeterRegistry registry) {
        registry.counter("sightline.frames.dead.lettered", "stage", stage).increment();
        RecordHeaders headers = new RecordHeaders();
        headers.add(FrameHeaders.DLQ_STAGE, stage.getBytes(StandardCharsets.UTF_8));
        return message.nack(reason, Metadata.of(OutgoingKafkaRecordMetadata.builder().withHeaders(headers).build()));
    }
}
