package io.sightline.notify.listener;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.sightline.common.event.NotificationRaised;
import io.sightline.common.kafka.Topics;
import io.sightline.notify.channel.ChannelRegistry;
import io.sightline.notify.config.NotifyConfig;
import io.sightline.notify.delivery.Dispatcher;
import io.sightline.notify.delivery.StateStore;
import io.sightline.notify.kafka.KafkaClients;
import io.smallrye.common.annotation.Identifier;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;

/**
 * The consumer of {@code notifications} (group {@code sightline.notify.consumer.group-id}), one thread. It starts
 * only after the delivery state and the channels have been rebuilt from their topics. Each record of a poll is
 * recorded as pending ({@link Dispatcher#accept}, acknowledged by the broker) before the poll's offsets are
 * committed: a crash before the commit replays records that are then found recorded (no second delivery); a
 * crash after it loses nothing, because the pending state is durable and resumed by whichever replica owns the
 * partition. Schema 1 records (no notification id) get an id derived from job, camera and time, so a replay
 * maps to the same notification.
 */
@ApplicationScoped
public class NotificationConsumer {

    public enum State { STARTING, LOADING, RUNNING, STATE_UNAVAILABLE, STOPPED }

    private final NotifyConfig.Consumer config;
    private final Map<String, Object> kafkaConfig;
    private final Dispatcher dispatcher;
    private final StateStore store;
    private final ChannelRegistry channels;
    private final com.fasterxml.jackson.databind.ObjectMapper json;
    private final io.sightline.notify.delivery.DeadLetters deadLetters;
    private final AtomicReference<State> state = new AtomicReference<>(State.STARTING);
    private volatile boolean running;
    private volatile KafkaConsumer<String, byte[]> consumer;
    private Thread thread;

    NotificationConsumer(NotifyConfig config, @Identifier("default-kafka-broker") Map<String, Object> kafkaConfig, Dispatcher dispatcher,
                         StateStore store, ChannelRegistry channels, ObjectMapper json, io.sightline.notify.delivery.DeadLetters deadLetters) {
        this.config = config.consumer();
        this.kafkaConfig = kafkaConfig;
        this.dispatcher = dispatcher;
        this.store = store;
        this.channels = channels;
        this.json = json;
        this.deadLetters = deadLetters;
    }

    public State state() {
        return state.get();
    }

    void onStart(@Observes StartupEvent event) {
        running = true;
        thread = new Thread(this::run, "notify-consumer");
        thread.setDaemon(true);
        thread.start();
    }

    void onStop(@Observes ShutdownEvent event) throws InterruptedException {
        running = false;
        KafkaConsumer<String, byte[]> c = consumer;
        if (c != null) {
            c.wakeup();
        }
        if (thread != null) {
            thread.join(TimeUnit.SECONDS.toMillis(10));
        }
    }

    private void run() {
        state.set(State.LOADING);
        try {
            while (running && !(store.awaitLoaded(Duration.ofSeconds(1)) && channels.loaded())) {
                Log.debug("waiting for notifications.state and notify.channels to be rebuilt");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(consumerConfig())) {
            consumer = c;
            c.subscribe(List.of(Topics.NOTIFICATIONS), new ConsumerRebalanceListener() {
                @Override
                public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                    dispatcher.suspend(numbers(partitions));
                }

                @Override
                public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                    dispatcher.resume(numbers(partitions));
                }

                @Override
                public void onPartitionsLost(Collection<TopicPartition> partitions) {
                    dispatcher.suspend(numbers(partitions));
                }
            });
            state.set(State.RUNNING);
            while (running) {
                ConsumerRecords<String, byte[]> records = c.poll(config.pollTimeout());
                if (records.isEmpty()) {
                    continue;
                }
                try {
                    for (ConsumerRecord<String, byte[]> r : records) {
                        handle(r);
                    }
                    c.commitSync(nextOffsets(records));
                    state.compareAndSet(State.STATE_UNAVAILABLE, State.RUNNING);
                } catch (WakeupException e) {
                    throw e;
                } catch (StateStore.StateUnavailableException | KafkaException | IllegalStateException e) {
                    // nothing committed: the poll is read again; what was recorded already is found recorded
                    state.set(State.STATE_UNAVAILABLE);
                    Log.warnf("notifications poll not recorded (%s); reading it again", e.getMessage());
                    rewind(c, records);
                    c.pause(c.assignment());
                    c.poll(config.retryBackoff());
                    c.resume(c.paused());
                }
            }
        } catch (WakeupException e) {
            // shutting down
        } catch (RuntimeException | Error e) {
            Log.errorf(e, "notifications consumer stopped: %s", e.getMessage());
        } finally {
            state.set(State.STOPPED);
            consumer = null;
        }
    }

    private void handle(ConsumerRecord<String, byte[]> r) {
        NotificationRaised n;
        try {
            n = normalize(json.readValue(r.value(), NotificationRaised.class));
        } catch (Exception e) {
            String reason = "not a notification: " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().split("\n")[0]);
            deadLetters.unreadable(r.key(), r.value(), r.headers(), reason, r.partition(), r.offset());
            return;
        }
        dispatcher.accept(n, r.partition());
    }

    /** Schema 1 and sloppy producers: a stable id, an empty channel list; job id and camera are required. */
    static NotificationRaised normalize(NotificationRaised n) {
        if (n == null) {
            throw new IllegalArgumentException("empty record");
        }
        if (n.jobId() == null || n.jobId().isBlank()) {
            throw new IllegalArgumentException("no job_id");
        }
        if (n.camera() == null || n.camera().isBlank()) {
            throw new IllegalArgumentException("no camera");
        }
        String id = n.notificationId() != null && !n.notificationId().isBlank() ? n.notificationId()
                : UUID.nameUUIDFromBytes(("notification:" + n.jobId() + ":" + n.camera() + ":" + n.at()).getBytes(StandardCharsets.UTF_8)).toString();
        List<String> channels = n.channels() == null ? List.of() : n.channels().stream().filter(c -> c != null && !c.isBlank()).toList();
        return new NotificationRaised(n.schema(), id, n.jobId(), n.camera(), n.condition(), n.message(), n.reasoning(), n.frameId(),
                n.thumbnailUrl(), channels, n.at());
    }

    private static Set<Integer> numbers(Collection<TopicPartition> partitions) {
        return partitions.stream().map(TopicPartition::partition).collect(Collectors.toSet());
    }

    private static void rewind(KafkaConsumer<String, byte[]> c, ConsumerRecords<String, byte[]> records) {
        for (TopicPartition tp : records.partitions()) {
            if (c.assignment().contains(tp)) {
                c.seek(tp, records.records(tp).get(0).offset());
            }
        }
    }

    private static Map<TopicPartition, OffsetAndMetadata> nextOffsets(ConsumerRecords<String, byte[]> records) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (TopicPartition tp : records.partitions()) {
            List<ConsumerRecord<String, byte[]>> rs = records.records(tp);
            offsets.put(tp, new OffsetAndMetadata(rs.get(rs.size() - 1).offset() + 1));
        }
        return offsets;
    }

    private Map<String, Object> consumerConfig() {
        Map<String, Object> props = KafkaClients.consumer(kafkaConfig, "notify-consumer");
        props.put(ConsumerConfig.GROUP_ID_CONFIG, config.groupId());
        config.instanceId().filter(id -> !id.isBlank()).ifPresent(id -> props.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, id));
        props.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, (int) config.sessionTimeout().toMillis());
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, config.maxPollRecords());
        return props;
    }
}
