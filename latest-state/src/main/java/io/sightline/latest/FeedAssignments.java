package io.sightline.latest;

import io.quarkus.logging.Log;
import io.sightline.common.kafka.Topics;
import io.smallrye.common.annotation.Identifier;
import io.smallrye.reactive.messaging.kafka.KafkaConsumerRebalanceListener;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;

import java.time.Clock;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Tracks which partitions the feed's consumers own, and rebuilds the state at start: on its first assignment
 * a partition is read back from its tail (frames: the last {@code frame-ttl}, older frames are unusable;
 * captions and detections: {@code rebuild.lookback}; at most {@code rebuild.max-records} records), so a camera
 * that sent its last frame before this replica started (a quiet push camera) is known at once. A partition
 * holds many cameras, so the last record alone would restore one camera per partition only. The cache keeps the
 * newest by capture time, so reading back never rolls a camera back. "Caught up" = every assigned partition
 * read up to the end offset it had when it was assigned.
 */
@ApplicationScoped
@Identifier(FeedAssignments.NAME)
public class FeedAssignments implements KafkaConsumerRebalanceListener {

    public static final String NAME = "latest-state-assignments";

    private final LatestStateConfig config;
    private final Clock clock;
    private final Map<String, Set<Integer>> assigned = new ConcurrentHashMap<>();
    /** End offset of each partition at its first assignment: the read-back is done when it is reached. */
    private final Map<TopicPartition, Long> rebuildTargets = new ConcurrentHashMap<>();
    private final Map<TopicPartition, Long> rebuilt = new ConcurrentHashMap<>();
    private volatile long firstAssignedAt;

    FeedAssignments(LatestStateConfig config) {
        this.config = config;
        this.clock = Clock.systemUTC();
    }

    @Override
    public void onPartitionsAssigned(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        if (partitions.isEmpty()) {
            return;
        }
        if (firstAssignedAt == 0) {
            firstAssignedAt = clock.millis();
        }
        Map<TopicPartition, Long> ends = config.rebuild().enabled() ? consumer.endOffsets(partitions) : Map.of();
        Map<TopicPartition, Long> begins = config.rebuild().enabled() ? consumer.beginningOffsets(partitions) : Map.of();
        Map<TopicPartition, Long> since = new HashMap<>();
        long now = clock.millis();
        for (TopicPartition tp : partitions) {
            long lookback = Topics.FRAMES.equals(tp.topic()) ? config.frameTtl().toMillis() : config.rebuild().lookback().toMillis();
            since.put(tp, Math.max(0, now - lookback));
        }
        Map<TopicPartition, OffsetAndTimestamp> byTime = config.rebuild().enabled() ? consumer.offsetsForTimes(since) : Map.of();
        for (TopicPartition tp : partitions) {
            if (config.rebuild().enabled() && !rebuildTargets.containsKey(tp)) {
                long end = ends.getOrDefault(tp, 0L);
                long begin = begins.getOrDefault(tp, 0L);
                OffsetAndTimestamp first = byTime.get(tp);
                long start = Math.max(Math.max(begin, end - config.rebuild().maxRecords()), first == null ? end : first.offset());
                consumer.seek(tp, start);
                rebuildTargets.put(tp, end);
                if (start >= end) {
                    rebuilt.put(tp, end);
                } else {
                    Log.infof("Latest-state feed reads back %s from offset %d to %d", tp, start, end);
                }
            } else {
                consumer.position(tp);
            }
            assigned.computeIfAbsent(tp.topic(), t -> ConcurrentHashMap.newKeySet()).add(tp.partition());
        }
        Log.infof("Latest-state feed reads %s", partitions);
    }

    @Override
    public void onPartitionsRevoked(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        forget(partitions);
    }

    @Override
    public void onPartitionsLost(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        forget(partitions);
    }

    /** A record of the feed was handled (stored, skipped or dead-lettered). */
    void seen(String topic, int partition, long offset) {
        TopicPartition tp = new TopicPartition(topic, partition);
        Long target = rebuildTargets.get(tp);
        if (target != null && offset + 1 >= target) {
            rebuilt.putIfAbsent(tp, target);
        }
    }

    /** Partition counts per topic currently owned. */
    public Map<String, Integer> owned() {
        Map<String, Integer> counts = new TreeMap<>();
        assigned.forEach((topic, set) -> counts.put(topic, set.size()));
        return counts;
    }

    public boolean owns(String topic) {
        Set<Integer> set = assigned.get(topic);
        return set != null && !set.isEmpty();
    }

    /** Partitions whose read-back has not reached the end offset they had at assignment. */
    public int rebuilding() {
        return (int) rebuildTargets.keySet().stream().filter(tp -> !rebuilt.containsKey(tp)).count();
    }

    /** Read back (or given up waiting after {@code rebuild.timeout}, logged). */
    public boolean rebuildDone() {
        if (rebuilding() == 0) {
            return true;
        }
        return firstAssignedAt > 0 && clock.millis() - firstAssignedAt > config.rebuild().timeout().toMillis();
    }

    private void forget(Collection<TopicPartition> partitions) {
        for (TopicPartition partition : partitions) {
            Set<Integer> set = assigned.get(partition.topic());
            if (set != null) {
                set.remove(partition.partition());
            }
        }
    }
}
