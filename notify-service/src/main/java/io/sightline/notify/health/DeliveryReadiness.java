package io.sightline.notify.health;

import io.sightline.notify.channel.ChannelRegistry;
import io.sightline.notify.delivery.StateStore;
import io.sightline.notify.listener.NotificationConsumer;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready once the delivery state and the channels are rebuilt from their topics and the notifications consumer
 * runs (before that, reads would show a partial view and nothing is delivered).
 */
@Readiness
@ApplicationScoped
public class DeliveryReadiness implements HealthCheck {

    private final StateStore store;
    private final ChannelRegistry channels;
    private final NotificationConsumer consumer;

    DeliveryReadiness(StateStore store, ChannelRegistry channels, NotificationConsumer consumer) {
        this.store = store;
        this.channels = channels;
        this.consumer = consumer;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("notify-delivery")
                .status(store.loaded() && channels.loaded() && consumer.state() == NotificationConsumer.State.RUNNING)
                .withData("state_loaded", store.loaded())
                .withData("channels_loaded", channels.loaded())
                .withData("consumer", consumer.state().name())
                .build();
    }
}
