package io.sightline.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import io.sightline.common.kafka.TopicSpec;
import io.sightline.common.kafka.Topics;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/** The KafkaTopic resources are exactly the topic contract in common's Topics.ALL (docs/topics.md). */
class TopicDriftTest {

    @ParameterizedTest
    @ValueSource(strings = {"cpu-only", "gpu"})
    void kafkaTopicsMatchTheTopicContractExactly(String overlay) {
        Map<String, JsonNode> rendered = Manifests.ofKind(overlay, "KafkaTopic").stream()
                .collect(Collectors.toMap(TopicDriftTest::topicName, t -> t));

        assertThat(rendered.keySet()).containsExactlyInAnyOrderElementsOf(Topics.ALL.stream().map(TopicSpec::name).toList());
        for (TopicSpec spec : Topics.ALL) {
            JsonNode topic = rendered.get(spec.name());
            assertThat(topic.path("spec").path("partitions").asInt()).as("partitions of " + spec.name()).isEqualTo(spec.partitions());
            Map<String, String> config = new TreeMap<>();
            topic.path("spec").path("config").fields().forEachRemaining(e -> config.put(e.getKey(), e.getValue().asText()));
            assertThat(config).as("config of " + spec.name()).isEqualTo(new TreeMap<>(spec.configs()));
            assertThat(topic.path("metadata").path("labels").path("strimzi.io/cluster").asText()).isEqualTo("sightline");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"cpu-only", "gpu"})
    void topicsAreReplicatedAcrossTheBrokers(String overlay) {
        int brokers = Manifests.get(overlay, "KafkaNodePool", "dual-role").path("spec").path("replicas").asInt();
        JsonNode kafkaConfig = Manifests.get(overlay, "Kafka", "sightline").path("spec").path("kafka").path("config");
        int minIsr = kafkaConfig.path("min.insync.replicas").asInt();
        for (JsonNode topic : Manifests.ofKind(overlay, "KafkaTopic")) {
            int replicas = topic.path("spec").path("replicas").asInt();
            assertThat(replicas).as(topicName(topic)).isLessThanOrEqualTo(brokers).isGreaterThan(minIsr);
        }
        // the broker accepts the largest frame the contract allows
        long frameMax = Long.parseLong(Topics.spec(Topics.FRAMES).orElseThrow().config("max.message.bytes"));
        assertThat(kafkaConfig.path("replica.fetch.max.bytes").asLong()).isGreaterThanOrEqualTo(frameMax);
    }

    static String topicName(JsonNode topic) {
        String explicit = topic.path("spec").path("topicName").asText();
        return explicit.isEmpty() ? topic.path("metadata").path("name").asText() : explicit;
    }
}
