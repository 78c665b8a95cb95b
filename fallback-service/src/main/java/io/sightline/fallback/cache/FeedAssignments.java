package io.sightline.fallback.cache;

import io.quarkus.logging.Log;
import io.smallrye.common.annotation.Identifier;
import io.smallrye.reactive.messaging.kafka.KafkaConsumerRebalanceListener;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.TopicPartition;

import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Tracks which partitions the cache's consumers own. On assignment it resolves each partition's
 * starting position at once, so "ready" means records published from now on will be seen.
 */
@ApplicationScoped
@Identifier(FeedAssignments.NAME)
class FeedAssignments implements KafkaConsumerRebalanceListener {

    static final String NAME = "latest-state-assignments";

    private final Map<String, Set<Integer>> assigned = new ConcurrentHashMap<>();

    @Override
    public void onPartitionsAssigned(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        for (TopicPartition partition : partitions) {
            consumer.position(partition);
            assigned.computeIfAbsent(partition.topic(), t -> ConcurrentHashMap.newKeySet()).add(partition.partition());
        }
        if (!partitions.isEmpty()) {
            Log.infof("Latest-state feed reads %s from the latest offset", partitions);
        }
    }

    @Override
    public void onPartitionsRevoked(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        forget(partitions);
    }

    @Override
    public void onPartitionsLost(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        forget(partitions);
    }

    /** Partition counts per topic currently owned. */
    Map<String, Integer> owned() {
        Map<String, Integer> counts = new java.util.TreeMap<>();
        assigned.forEach((topic, set) -> counts.put(topic, set.size()));
        return counts;
    }

    boolean owns(String topic) {
        Set<Integer> set = assigned.get(topic);
        return set != null && !set.isEmpty();
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
