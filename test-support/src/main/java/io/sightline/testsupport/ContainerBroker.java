package io.sightline.testsupport;

import org.testcontainers.kafka.KafkaContainer;

/** Testcontainers' Apache Kafka (KRaft) for machines with a Docker engine; same version as kafka-clients. */
final class ContainerBroker implements TestBroker.Running {

    private static final String IMAGE = "apache/kafka:4.0.0";

    private final KafkaContainer container;

    private ContainerBroker(KafkaContainer container) {
        this.container = container;
    }

    static ContainerBroker start(String maxMessageBytes) {
        KafkaContainer container = new KafkaContainer(IMAGE)
                .withEnv("KAFKA_AUTO_CREATE_TOPICS_ENABLE", "false")
                .withEnv("KAFKA_MESSAGE_MAX_BYTES", maxMessageBytes)
                .withEnv("KAFKA_REPLICA_FETCH_MAX_BYTES", maxMessageBytes)
                .withEnv("KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS", "0");
        container.start();
        return new ContainerBroker(container);
    }

    @Override
    public String bootstrapServers() {
        return container.getBootstrapServers();
    }

    @Override
    public void close() {
        container.stop();
    }
}
