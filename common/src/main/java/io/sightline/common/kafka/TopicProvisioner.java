package io.sightline.common.kafka;

import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.common.annotation.Identifier;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.errors.TopicExistsException;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Creates the contract's topics ({@link Topics#ALL}) with their partitions and configs, rather than
 * relying on broker auto-create. Runs in the background with backoff so a service starts even when
 * the broker is not up yet; readiness stays DOWN until the topics exist ({@link TopicsReadinessCheck}).
 */
@ApplicationScoped
public class TopicProvisioner {

    public enum State { PENDING, READY, DISABLED }

    private final TopicProvisioningConfig config;
    private final Map<String, Object> kafkaConfig;
    private final AtomicReference<State> state = new AtomicReference<>(State.PENDING);
    private final AtomicReference<String> lastError = new AtomicReference<>();
    private ScheduledExecutorService executor;

    TopicProvisioner(TopicProvisioningConfig config, @Identifier("default-kafka-broker") Map<String, Object> kafkaConfig) {
        this.config = config;
        this.kafkaConfig = kafkaConfig;
    }

    void onStart(@Observes StartupEvent event) {
        if (!config.provision()) {
            state.set(State.DISABLED);
            return;
        }
        executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "topic-provisioner");
            t.setDaemon(true);
            return t;
        });
        executor.execute(() -> attempt(Duration.ofMillis(250)));
    }

    void onStop(@Observes ShutdownEvent event) {
        if (executor != null) {
            executor.shutdownNow();
        }
    }

    public State state() {
        return state.get();
    }

    public String lastError() {
        return lastError.get();
    }

    private void attempt(Duration backoff) {
        try {
            provision();
            state.set(State.READY);
            lastError.set(null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            String message = rootMessage(e);
            lastError.set(message);
            Log.warnf("Topics not provisioned yet (%s); retrying in %d ms", message, backoff.toMillis());
            Duration next = backoff.multipliedBy(2).compareTo(Duration.ofSeconds(10)) > 0 ? Duration.ofSeconds(10) : backoff.multipliedBy(2);
            if (!executor.isShutdown()) {
                executor.schedule(() -> attempt(next), backoff.toMillis(), TimeUnit.MILLISECONDS);
            }
        }
    }

    /** Creates what is missing; warns about existing topics whose partition count differs from the contract. */
    void provision() throws ExecutionException, InterruptedException {
        Map<String, Object> adminConfig = new HashMap<>();
        for (Map.Entry<String, Object> e : kafkaConfig.entrySet()) {
            if (AdminClientConfig.configNames().contains(e.getKey())) {
                adminConfig.put(e.getKey(), e.getValue());
            }
        }
        adminConfig.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, config.requestTimeoutMs());
        adminConfig.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, config.requestTimeoutMs());
        try (Admin admin = Admin.create(adminConfig)) {
            Set<String> existing = admin.listTopics().names().get();
            List<NewTopic> missing = Topics.ALL.stream()
                    .filter(spec -> !existing.contains(spec.name()))
                    .map(spec -> new NewTopic(spec.name(), spec.partitions(), config.replicationFactor()).configs(spec.configs()))
                    .toList();
            if (!missing.isEmpty()) {
                for (var entry : admin.createTopics(missing).values().entrySet()) {
                    try {
                        entry.getValue().get();
                        Log.infof("Created topic %s", entry.getKey());
                    } catch (ExecutionException e) {
                        if (!(e.getCause() instanceof TopicExistsException)) {
                            throw e;
                        }
                    }
                }
            }
            Map<String, TopicDescription> described = admin.describeTopics(Topics.ALL.stream().map(TopicSpec::name).toList())
                    .allTopicNames().get();
            for (TopicSpec spec : Topics.ALL) {
                int actual = described.get(spec.name()).partitions().size();
                if (actual != spec.partitions()) {
                    Log.warnf("Topic %s has %d partitions, the contract says %d", spec.name(), actual, spec.partitions());
                }
            }
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getClass().getSimpleName() + ": " + t.getMessage();
    }
}
