package io.sightline.watch;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.logging.Log;
import io.sightline.common.kafka.Topics;
import io.smallrye.common.annotation.Identifier;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.Record;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.utils.Utils;
import org.eclipse.microprofile.reactive.messaging.Channel;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The compacted {@code watch.jobs} topic seen from one replica: every job's latest state (all
 * partitions, read from the beginning, so any replica can list and cancel any job), which partitions
 * this replica owns (a consumer group whose assignment is never consumed, only used as a lease), and
 * writes. A finished status is final: a later {@code running} record of the same job (a write of its
 * owner racing a cancel from another replica) is ignored.
 */
@ApplicationScoped
class WatchJobLog {

    /** What the runner and the event stream hear. Called on the log's consumer threads; must not block. */
    interface Listener {
        void jobChanged(WatchJob job, boolean removed);

        void ownershipChanged();

        void caughtUp();
    }

    private record Entry(WatchJob job, int partition) {
    }

    private final WatchConfig config;
    private final Map<String, Object> kafkaConfig;
    private final MutinyEmitter<Record<String, WatchJob>> emitter;
    private final ObjectMapper json;
    private final WatchMetrics metrics;
    private final Map<String, Entry> jobs = new ConcurrentHashMap<>();
    private final Set<Integer> owned = ConcurrentHashMap.newKeySet();
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();
    private volatile int partitions;
    private volatile boolean caughtUp;
    private volatile Poller viewPoller;
    private volatile Poller ownerPoller;

    WatchJobLog(WatchConfig config, @Identifier("default-kafka-broker") Map<String, Object> kafkaConfig,
                @Channel("watch-jobs") MutinyEmitter<Record<String, WatchJob>> emitter, ObjectMapper json, WatchMetrics metrics) {
        this.config = config;
        this.kafkaConfig = kafkaConfig;
        this.emitter = emitter;
        this.json = json;
        this.metrics = metrics;
        metrics.activeJobs(() -> jobs.values().stream().filter(e -> e.job().status() == WatchStatus.RUNNING).count());
    }

    void addListener(Listener listener) {
        listeners.add(listener);
    }

    /** Starts reading the topic from the beginning and joining the owner group. */
    synchronized void start() {
        if (viewPoller != null) {
            return;
        }
        caughtUp = false;
        viewPoller = new Poller("watch-jobs-view", this::runView);
        ownerPoller = new Poller("watch-jobs-owner", this::runOwnership);
        viewPoller.start();
        ownerPoller.start();
    }

    /** Leaves the owner group and forgets everything (state is re-read from the topic on {@link #start()}). */
    synchronized void stop() {
        if (ownerPoller != null) {
            ownerPoller.stop();
            viewPoller.stop();
        }
        ownerPoller = null;
        viewPoller = null;
        owned.clear();
        jobs.clear();
        caughtUp = false;
    }

    boolean caughtUp() {
        return caughtUp;
    }

    Optional<WatchJob> get(String id) {
        return Optional.ofNullable(jobs.get(id)).map(Entry::job);
    }

    Collection<WatchJob> all() {
        return jobs.values().stream().map(Entry::job).toList();
    }

    /** Partitions of watch.jobs this replica holds in the owner group. */
    Set<Integer> ownedPartitions() {
        return Set.copyOf(owned);
    }

    /** Partition of watch.jobs the job's records go to, -1 before the partition count is known. */
    int partitionOf(String id) {
        int n = partitions;
        // the producer's default partitioner for keyed records (murmur2 of the key bytes)
        return n <= 0 ? -1 : Utils.toPositive(Utils.murmur2(id.getBytes(StandardCharsets.UTF_8))) % n;
    }

    /** Whether this replica owns (and so runs) the job. */
    boolean owns(String id) {
        Entry e = jobs.get(id);
        return e != null && owned.contains(e.partition());
    }

    /** Persists the job's state; completes when the broker acknowledged it (then it is visible here too). */
    Uni<WatchJob> write(WatchJob job) {
        return emitter.send(Record.of(job.id(), job)).replaceWith(job).invoke(written -> apply(written, partitionOf(written.id())));
    }

    /** Writes the tombstone that removes a finished job from the compacted topic. */
    Uni<Void> purge(String id) {
        return emitter.send(Record.<String, WatchJob>of(id, null)).invoke(() -> remove(id));
    }

    private void apply(WatchJob incoming, int partition) {
        boolean[] changed = {false};
        jobs.compute(incoming.id(), (id, current) -> {
            if (current != null) {
                WatchJob cur = current.job();
                if (cur.status().terminal() && !incoming.status().terminal()) {
                    return current; // finished is final
                }
                if (incoming.updatedAt() < cur.updatedAt() && incoming.status().terminal() == cur.status().terminal()) {
                    return current; // an older write seen late
                }
                if (incoming.equals(cur)) {
                    return partition >= 0 && current.partition() < 0 ? new Entry(cur, partition) : current;
                }
            }
            changed[0] = true;
            return new Entry(incoming, partition >= 0 ? partition : current == null ? -1 : current.partition());
        });
        if (changed[0]) {
            WatchJob now = jobs.get(incoming.id()).job();
            listeners.forEach(l -> l.jobChanged(now, false));
        }
    }

    private void remove(String id) {
        Entry removed = jobs.remove(id);
        if (removed != null) {
            listeners.forEach(l -> l.jobChanged(removed.job(), true));
        }
    }

    private Map<String, Object> consumerConfig(String groupId) {
        Map<String, Object> props = new HashMap<>();
        kafkaConfig.forEach((k, v) -> {
            if (ConsumerConfig.configNames().contains(k)) {
                props.put(k, v);
            }
        });
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        props.remove(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG);
        if (groupId != null) {
            props.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
            props.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, config.ownerInstanceId());
            int sessionMs = (int) config.ownerSessionTimeout().toMillis();
            props.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, sessionMs);
            props.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, Math.max(500, sessionMs / 3));
            // only partitions that move are revoked (and revoked before anyone else is given them)
            props.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, CooperativeStickyAssignor.class.getName());
        }
        return props;
    }

    /** Reads every partition from the beginning, then follows; "caught up" once the end offsets seen at start are reached. */
    private void runView(Poller poller) {
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(consumerConfig(null))) {
            poller.consumer = consumer;
            List<TopicPartition> tps = awaitPartitions(consumer, poller);
            if (tps == null) {
                return;
            }
            partitions = tps.size();
            consumer.assign(tps);
            consumer.seekToBeginning(tps);
            Map<TopicPartition, Long> ends = consumer.endOffsets(tps);
            while (poller.running) {
                for (ConsumerRecord<String, String> record : consumer.poll(config.pollInterval())) {
                    applyRecord(record);
                }
                if (!caughtUp && tps.stream().allMatch(tp -> consumer.position(tp) >= ends.get(tp))) {
                    caughtUp = true;
                    Log.infof("Watch jobs loaded from %s: %d jobs, %d running", Topics.WATCH_JOBS, jobs.size(),
                            jobs.values().stream().filter(e -> e.job().status() == WatchStatus.RUNNING).count());
                    listeners.forEach(Listener::caughtUp);
                }
            }
        } catch (WakeupException e) {
            // stopping
        } catch (RuntimeException e) {
            if (!poller.running) {
                return;
            }
            Log.errorf(e, "Watch job state consumer of %s failed; watch jobs are not followed until restart", Topics.WATCH_JOBS);
        }
    }

    private void applyRecord(ConsumerRecord<String, String> record) {
        if (record.key() == null) {
            metrics.rejectedState();
            Log.warnf("Ignoring record without key on %s partition %d offset %d", record.topic(), record.partition(), record.offset());
            return;
        }
        if (record.value() == null) {
            remove(record.key());
            return;
        }
        try {
            WatchJob job = json.readValue(record.value(), WatchJob.class);
            if (job.id() == null || !job.id().equals(record.key()) || job.status() == null || job.camera() == null) {
                throw new IllegalArgumentException("id must equal the key, and status and camera must be set");
            }
            apply(job, record.partition());
        } catch (Exception e) {
            metrics.rejectedState();
            Log.warnf("Ignoring unreadable watch job state for key %s on %s partition %d offset %d: %s", record.key(),
                    record.topic(), record.partition(), record.offset(), e.getMessage());
        }
    }

    /** Member of the owner group: the partitions assigned to this replica are the jobs it runs. Never consumes. */
    private void runOwnership(Poller poller) {
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(consumerConfig(config.ownerGroup()))) {
            poller.consumer = consumer;
            if (awaitPartitions(consumer, poller) == null) {
                return;
            }
            consumer.subscribe(List.of(Topics.WATCH_JOBS), new ConsumerRebalanceListener() {
                @Override
                public void onPartitionsRevoked(Collection<TopicPartition> revoked) {
                    release(revoked);
                }

                @Override
                public void onPartitionsLost(Collection<TopicPartition> lost) {
                    release(lost);
                }

                @Override
                public void onPartitionsAssigned(Collection<TopicPartition> assigned) {
                    if (assigned.isEmpty()) {
                        return;
                    }
                    consumer.pause(assigned);
                    assigned.forEach(tp -> owned.add(tp.partition()));
                    Log.infof("Watch jobs: this replica now runs partitions %s of %s", owned, Topics.WATCH_JOBS);
                    listeners.forEach(Listener::ownershipChanged);
                }
            });
            while (poller.running) {
                consumer.poll(config.pollInterval());
            }
        } catch (WakeupException e) {
            // stopping
        } catch (RuntimeException e) {
            if (!poller.running) {
                return;
            }
            Log.errorf(e, "Watch job owner group member failed; this replica runs no watch jobs until restart");
            owned.clear();
            listeners.forEach(Listener::ownershipChanged);
        }
    }

    private void release(Collection<TopicPartition> partitions) {
        if (partitions.isEmpty()) {
            return;
        }
        partitions.forEach(tp -> owned.remove(tp.partition()));
        Log.infof("Watch jobs: released partitions %s of %s", partitions.stream().map(TopicPartition::partition).toList(), Topics.WATCH_JOBS);
        // the runner stops the jobs before this returns, so the next owner cannot start them while they still run here
        listeners.forEach(Listener::ownershipChanged);
    }

    private List<TopicPartition> awaitPartitions(KafkaConsumer<String, String> consumer, Poller poller) {
        Duration backoff = Duration.ofMillis(200);
        while (poller.running) {
            try {
                List<PartitionInfo> infos = consumer.partitionsFor(Topics.WATCH_JOBS, Duration.ofSeconds(5));
                if (infos != null && !infos.isEmpty()) {
                    return infos.stream().map(p -> new TopicPartition(p.topic(), p.partition())).toList();
                }
            } catch (WakeupException e) {
                throw e;
            } catch (RuntimeException e) {
                Log.debugf("Topic %s not available yet: %s", Topics.WATCH_JOBS, e.getMessage());
            }
            try {
                Thread.sleep(backoff.toMillis()); // waiting for the topic provisioner, not a test
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
            backoff = backoff.multipliedBy(2).compareTo(Duration.ofSeconds(5)) > 0 ? Duration.ofSeconds(5) : backoff.multipliedBy(2);
        }
        return null;
    }

    /** A consumer on its own thread (Kafka consumers are single-threaded); stopped with {@code wakeup()}. */
    private static final class Poller {
        private final Thread thread;
        private volatile boolean running = true;
        private volatile KafkaConsumer<String, String> consumer;

        Poller(String name, java.util.function.Consumer<Poller> body) {
            thread = new Thread(() -> body.accept(this), name);
            thread.setDaemon(true);
        }

        void start() {
            thread.start();
        }

        void stop() {
            running = false;
            KafkaConsumer<String, String> c = consumer;
            if (c != null) {
                c.wakeup();
            }
            try {
                thread.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
