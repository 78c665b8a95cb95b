package io.sightline.gateway.captions;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.logging.Log;
import io.sightline.common.event.LifecycleEvent;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;

import java.io.IOException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The latest lifecycle state of each model server, from {@code vlm.lifecycle} (read from the beginning
 * of its retention at startup, so the gateway knows the state without waiting for the next event).
 * Events can arrive twice: the newest {@code at} wins and a seen {@code event_id} is ignored.
 */
@ApplicationScoped
public class BackendLifecycle {

    /** A backend's last known state: the event's meaning in one word plus the event itself. */
    public record State(String state, LifecycleEvent lastEvent) {
    }

    private final ObjectMapper json;
    private final Map<String, LifecycleEvent> latest = new ConcurrentHashMap<>();
    private final Map<String, Boolean> seen = Collections.synchronizedMap(new LinkedHashMap<>(256, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > 4096;
        }
    });

    BackendLifecycle(ObjectMapper json) {
        this.json = json;
    }

    @Incoming("vlm-lifecycle")
    void receive(byte[] value) {
        if (value == null) {
            return;
        }
        LifecycleEvent event;
        try {
            event = json.readValue(value, LifecycleEvent.class);
        } catch (IOException e) {
            Log.warnf("Unreadable vlm.lifecycle record skipped: %s", e.getMessage());
            return;
        }
        if (event.backend() == null || event.event() == null) {
            Log.warnf("vlm.lifecycle record without backend or event skipped (event_id %s)", event.eventId());
            return;
        }
        if (event.eventId() != null && seen.put(event.eventId(), Boolean.TRUE) != null) {
            return;
        }
        latest.merge(event.backend(), event, (old, now) -> now.at() >= old.at() ? now : old);
    }

    /** Backend name -> state, sorted by name. */
    public Map<String, State> states() {
        Map<String, State> out = new TreeMap<>();
        latest.forEach((backend, event) -> out.put(backend, new State(stateOf(event.event()), event)));
        return out;
    }

    static String stateOf(String event) {
        return switch (event) {
            case LifecycleEvent.REQUESTED -> "start_requested";
            case LifecycleEvent.STARTING -> "starting";
            case LifecycleEvent.READY -> "ready";
            case LifecycleEvent.STOP -> "stop_requested";
            case LifecycleEvent.STOPPED -> "stopped";
            case LifecycleEvent.FAILED -> "failed";
            default -> "unknown";
        };
    }
}
