package io.sightline.vlm.listener;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.logging.Log;
import io.sightline.common.event.LifecycleEvent;
import io.sightline.vlm.lifecycle.HostedModel;
import io.sightline.vlm.lifecycle.LifecycleEvents;
import io.sightline.vlm.service.ModelRegistry;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Acts on requests on {@code vlm.lifecycle} from others: {@code vlm_caption.requested} starts the named
 * hosted model (or joins its start), {@code vlm_caption.stop} stops it the same way an idle stop does. The
 * event's {@code backend} is a catalog id ({@code default} or {@code caption-server} mean the default model).
 * Events this instance published itself were acted on already; a repeated {@code event_id} is ignored.
 */
@ApplicationScoped
class LifecycleRequestListener {

    private final ModelRegistry models;
    private final LifecycleEvents events;
    private final ObjectMapper json;
    private final Map<String, Boolean> seen = Collections.synchronizedMap(new LinkedHashMap<>(256, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > 4096;
        }
    });

    LifecycleRequestListener(ModelRegistry models, LifecycleEvents events, ObjectMapper json) {
        this.models = models;
        this.events = events;
        this.json = json;
    }

    @Incoming("vlm-lifecycle-requests")
    Uni<Void> receive(byte[] value) {
        LifecycleEvent event;
        try {
            event = json.readValue(value, LifecycleEvent.class);
        } catch (Exception e) {
            Log.warnf("Unreadable vlm.lifecycle record skipped: %s", e.getMessage());
            return Uni.createFrom().voidItem();
        }
        if (event.event() == null || events.instance().equals(event.instance())
                || (event.eventId() != null && seen.put(event.eventId(), Boolean.TRUE) != null)) {
            return Uni.createFrom().voidItem();
        }
        boolean start = LifecycleEvent.REQUESTED.equals(event.event());
        boolean stop = LifecycleEvent.STOP.equals(event.event());
        if (!start && !stop) {
            return Uni.createFrom().voidItem();
        }
        String id = event.backend() == null || event.backend().equals("caption-server") ? ModelRegistry.DEFAULT : event.backend();
        var model = models.model(id).filter(HostedModel.class::isInstance).map(HostedModel.class::cast);
        if (model.isEmpty()) {
            Log.debugf("%s for %s ignored: not a hosted model here", event.event(), event.backend());
            return Uni.createFrom().voidItem();
        }
        HostedModel hosted = model.get();
        String reason = event.event() + " from " + event.instance() + ": " + event.reason();
        if (start) {
            // the start goes on in the background; this consumer does not wait for it
            hosted.ready(reason).subscribe().with(c -> { }, e -> Log.warnf("Start of %s requested by %s failed: %s",
                    hosted.id(), event.instance(), e.getMessage()));
        } else {
            hosted.stop(reason).subscribe().with(v -> { }, e -> { });
        }
        return Uni.createFrom().voidItem();
    }
}
