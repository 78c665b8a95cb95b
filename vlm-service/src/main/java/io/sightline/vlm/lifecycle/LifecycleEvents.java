package io.sightline.vlm.lifecycle;

import io.quarkus.logging.Log;
import io.sightline.common.event.LifecycleEvent;
import io.sightline.common.kafka.FrameHeaders;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.UUID;

/** Publishes lifecycle requests and state changes on {@code vlm.lifecycle}, keyed by model id, each with its own event id. */
@ApplicationScoped
public class LifecycleEvents {

    private final MutinyEmitter<LifecycleEvent> emitter;
    private final String instance;

    LifecycleEvents(@Channel("vlm-lifecycle") MutinyEmitter<LifecycleEvent> emitter,
                    @ConfigProperty(name = "quarkus.application.name") String application) {
        this.emitter = emitter;
        this.instance = application + "@" + hostName();
    }

    /** Who this instance is in the {@code instance} field (its own events need no action when read back). */
    public String instance() {
        return instance;
    }

    /** Sends the event and completes once Kafka acknowledged it. */
    public Uni<LifecycleEvent> publish(String event, String backend, String endpoint, String reason) {
        LifecycleEvent payload = new LifecycleEvent(LifecycleEvent.SCHEMA, UUID.randomUUID().toString(), event, backend,
                endpoint, reason, instance, System.currentTimeMillis());
        RecordHeaders headers = new RecordHeaders();
        headers.add(FrameHeaders.SCHEMA, Integer.toString(LifecycleEvent.SCHEMA).getBytes(StandardCharsets.UTF_8));
        Message<LifecycleEvent> message = Message.of(payload).addMetadata(OutgoingKafkaRecordMetadata.<String>builder()
                .withKey(backend).withHeaders(headers).build());
        Log.infof("Lifecycle %s for %s: %s", event, backend, reason);
        return emitter.sendMessage(message).replaceWith(payload);
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            return "unknown-host";
        }
    }
}
