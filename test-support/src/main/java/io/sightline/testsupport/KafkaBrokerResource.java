package io.sightline.testsupport;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.util.Map;

/**
 * Quarkus test resource pointing the application at the JVM-wide {@link TestBroker}. Every
 * {@code @QuarkusTest} of a module uses the same broker; {@link #stop()} leaves it running for the
 * next test class and the JVM's shutdown hook stops it.
 */
public class KafkaBrokerResource implements QuarkusTestResourceLifecycleManager {

    @Override
    public Map<String, String> start() {
        return Map.of("kafka.bootstrap.servers", TestBroker.bootstrapServers());
    }

    @Override
    public void stop() {
        // shared across test classes of this JVM; stopped by the JVM shutdown hook
    }
}
