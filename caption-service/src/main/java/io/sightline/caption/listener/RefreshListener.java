package io.sightline.caption.listener;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import io.sightline.caption.escalation.EscalationPolicy;
import io.sightline.common.event.CaptionRefreshRequested;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;

import java.io.IOException;

/**
 * Consumes {@code caption.refresh}: a watch job or a user wants a fresh description of a camera, so its next
 * frame escalates to the describing tier. Every replica reads every request (its own group, from the end);
 * only the one receiving the camera's frames acts on it. A request that is not a {@link CaptionRefreshRequested}
 * is logged and counted, never retried: there is nothing to dead-letter that anyone could replay usefully.
 */
@ApplicationScoped
public class RefreshListener {

    private final EscalationPolicy policy;
    private final ObjectMapper json;
    private final MeterRegistry registry;

    RefreshListener(EscalationPolicy policy, ObjectMapper json, MeterRegistry registry) {
        this.policy = policy;
        this.json = json;
        this.registry = registry;
    }

    @Incoming("caption-refresh")
    public void onRefresh(byte[] value) {
        CaptionRefreshRequested request;
        try {
            request = json.readValue(value, CaptionRefreshRequested.class);
        } catch (IOException e) {
            registry.counter("sightline.caption.refresh.invalid").increment();
            Log.warnf("Record of caption.refresh is not a CaptionRefreshRequested: %s", e.getMessage());
            return;
        }
        if (request.camera() == null || request.camera().isBlank()) {
            registry.counter("sightline.caption.refresh.invalid").increment();
            Log.warnf("Record of caption.refresh names no camera (requested by %s)", request.requestedBy());
            return;
        }
        registry.counter("sightline.caption.refresh.requested", "camera", request.camera()).increment();
        policy.requestRefresh(request.camera(), request.requestedBy());
    }
}
