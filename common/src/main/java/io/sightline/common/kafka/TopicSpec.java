package io.sightline.common.kafka;

import java.util.Map;

/**
 * One topic of the contract in {@code docs/topics.md}: its name, partition count and the topic-level
 * configs it must be created with. Deploy manifests (Strimzi {@code KafkaTopic}) mirror these values.
 */
public record TopicSpec(String name, int partitions, Map<String, String> configs) {

    public TopicSpec {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("topic name must not be blank");
        }
        if (partitions < 1) {
            throw new IllegalArgumentException("topic " + name + " needs at least one partition");
        }
        configs = Map.copyOf(configs);
    }

    public String config(String key) {
        return configs.get(key);
    }
}
