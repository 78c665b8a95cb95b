package io.sightline.notify.delivery;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.sightline.common.kafka.Topics;
import io.sightline.notify.kafka.CompactedTopicTail;
import io.sightline.notify.kafka.KafkaClients;
import io.smallrye.common.annotation.Identifier;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

import java.io.IOException;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Delivery state of every notification: the compacted topic {@code notifications.state} is the record (no
 * database), this map its copy rebuilt at start. {@link #write} returns once the broker acknowledged the
 * write, so whatever a caller does after it (commit an offset, answer "delivered") survives a crash.
 */
@ApplicationScoped
public class StateStore {

    private final Map<String, Object> kafkaConfig;
    private final ObjectMapper json;
    private final Map<String, NotificationState> states = new ConcurrentHashMap<>();
    private volatile CompactedTopicTail tail;
    private volatile KafkaProducer<String, byte[]> producer;

    StateStore(@Identifier("default-kafka-broker") Map<String, Object> kafkaConfig, ObjectMapper json, MeterRegistry registry) {
        this.kafkaConfig = kafkaConfig;
        this.json = json;
        Gauge.builder("sightline.notify.notifications.pending", states,
                        s -> s.values().stream().filter(n -> n.state() == DeliveryState.PENDING).count())
                .description("Notifications with a delivery still pending").register(registry);
    }

    void onStart(@Observes StartupEvent event) {
        producer = KafkaClients.producer(kafkaConfig, "notify-state");
        tail = new CompactedTopicTail(Topics.NOTIFICATIONS_STATE, kafkaConfig, this::apply).start();
    }

    void onStop(@Observes ShutdownEvent event) {
        if (tail != null) {
            tail.close();
        }
        if (producer != null) {
            producer.close(Duration.ofSeconds(5));
        }
    }

    public boolean loaded() {
        return tail != null && tail.caughtUp();
    }

    /** Blocks until the state topic has been read to its end as of start (or the time is up). */
    public boolean awaitLoaded(Duration within) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (tail == null && System.nanoTime() < deadline) {
            TimeUnit.MILLISECONDS.sleep(50);
        }
        return tail != null && tail.awaitCaughtUp(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
    }

    public Optional<NotificationState> get(String id) {
        return Optional.ofNullable(states.get(id));
    }

    public List<NotificationState> pendingOf(java.util.Set<Integer> partitions) {
        return states.values().stream()
                .filter(s -> s.state() == DeliveryState.PENDING && partitions.contains(s.partition()))
                .toList();
    }

    /** Newest first, optionally of one job. */
    public List<NotificationState> list(String jobId, int limit) {
        return states.values().stream()
                .filter(s -> jobId == null || jobId.equals(s.notification().jobId()))
                .sorted(Comparator.comparingLong((NotificationState s) -> s.notification().at()).reversed()
                        .thenComparing(NotificationState::id))
                .limit(limit)
                .toList();
    }

    /** Writes the state and waits for the broker's acknowledgement; then it is what reads see. */
    public NotificationState write(NotificationState state) {
        byte[] value;
        try {
            value = json.writeValueAsBytes(state);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        try {
            producer.send(new ProducerRecord<>(Topics.NOTIFICATIONS_STATE, state.id(), value)).get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StateUnavailableException("interrupted", e);
        } catch (Exception e) {
            throw new StateUnavailableException(Topics.NOTIFICATIONS_STATE + " did not take the state of " + state.id() + ": " + e.getMessage(), e);
        }
        merge(state);
        return state;
    }

    private void apply(String key, byte[] value) {
        if (key == null) {
            return;
        }
        if (value == null) {
            states.remove(key);
            return;
        }
        try {
            merge(json.readValue(value, NotificationState.class));
        } catch (IOException e) {
            throw new IllegalArgumentException("unreadable state record: " + e.getMessage(), e);
        }
    }

    private void merge(NotificationState state) {
        states.merge(state.id(), state, (old, now) -> now.revision() >= old.revision() ? now : old);
    }

    /** The state topic did not acknowledge a write. */
    public static class StateUnavailableException extends RuntimeException {
        public StateUnavailableException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
