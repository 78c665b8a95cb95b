package io.sightline.notify.health;

import io.sightline.notify.listener.NotificationConsumer;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;

/** Live while the notifications consumer thread has not died (a restart is the cure when it has). */
@Liveness
@ApplicationScoped
public class ConsumerLiveness implements HealthCheck {

    private final NotificationConsumer consumer;

    ConsumerLiveness(NotificationConsumer consumer) {
        this.consumer = consumer;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("notify-consumer")
                .status(consumer.state() != NotificationConsumer.State.STOPPED)
                .withData("consumer", consumer.state().name())
                .build();
    }
}
