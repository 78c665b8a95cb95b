package io.sightline.caption.listener;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import io.sightline.common.frame.CapturedFrame;
import io.sightline.common.frame.FrameRecordCodec;
import io.smallrye.reactive.messaging.annotations.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/**
 * Consumes {@code frames}. A record that breaks the topic contract throws, and the channel's
 * dead-letter-queue failure strategy moves it to {@code frames.dlq} with the reason in headers.
 */
@ApplicationScoped
public class FrameListener {

    private final MeterRegistry registry;

    FrameListener(MeterRegistry registry) {
        this.registry = registry;
    }

    @Incoming("frames")
    @Blocking
    public void onFrame(ConsumerRecord<String, byte[]> record) {
        CapturedFrame frame = FrameRecordCodec.fromRecord(record.key(), record.headers(), record.value());
        registry.counter("sightline.frames.received", "camera", frame.camera()).increment();
        Log.debugf("Received %s", frame);
    }
}
