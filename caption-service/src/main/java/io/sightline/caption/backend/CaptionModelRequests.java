package io.sightline.caption.backend;

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

import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * Publishes {@code vlm_caption.requested} on {@code vlm.lifecycle} (key: the caption model id) when the
 * caption-server tier needs its model and vlm-service does not report it ready. vlm-service acts on it;
 * the state events that follow are vlm-service's. A failed publish never blocks a frame.
 */
@ApplicationScoped
public class CaptionModelRequests {

    private final MutinyEmitter<LifecycleEvent> emitter;
    private final String instance;

    CaptionModelRequests(@Channel("vlm-lifecycle") MutinyEmitter<LifecycleEvent> emitter,
                         @ConfigProperty(name = "quarkus.application.name") String application) {
        this.emitter = emitter;
        this.instance = application + "@" + hostName();
    }

    public Uni<Void> request(String model, String endpoint, String reason) {
        LifecycleEvent payload = new LifecycleEvent(LifecycleEvent.SCHEMA, UUID.randomUUID().toString(), LifecycleEvent.REQUESTED,
                model, endpoint, reason, instance, System.currentTimeMillis());
        RecordHeaders headers = new RecordHeaders();
        headers.add(FrameHeaders.SCHEMA, Integer.toString(LifecycleEvent.SCHEMA).getBytes(StandardCharsets.UTF_8));
        Log.infof("Requesting caption model %s from vlm-service: %s", model, reason);
        return emitter.sendMessage(Message.of(payload).addMetadata(OutgoingKafkaRecordMetadata.<String>builder()
                        .withKey(model).withHeaders(headers).build()))
                .onFailure().recoverWithItem(e -> {
                    Log.warnf("Could not publish vlm_caption.requested: %s", e.getMessage());
                    return null;
                });
    }

    private static String hostName() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            return "unknown-host";
        }
    }
}
