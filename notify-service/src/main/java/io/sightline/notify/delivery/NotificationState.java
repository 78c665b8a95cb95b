package io.sightline.notify.delivery;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import io.sightline.common.event.NotificationRaised;

import java.util.ArrayList;
import java.util.List;

/**
 * A notification and its deliveries, as stored on the compacted {@code notifications.state} (key: notification
 * id). {@code revision} grows with every write, so a replica applying its own write and then an older one read
 * back from the topic keeps the newer. {@code partition} is the {@code notifications} partition it came from:
 * the replica owning that partition resumes its pending deliveries after a restart or a rebalance.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record NotificationState(NotificationRaised notification, List<ChannelDelivery> deliveries, int partition,
                                long revision, long updatedAt) {

    public NotificationState {
        deliveries = List.copyOf(deliveries);
    }

    public String id() {
        return notification.notificationId();
    }

    /** pending while any channel is, delivered when every channel is, failed otherwise (or with no channel at all). */
    public DeliveryState state() {
        if (deliveries.isEmpty()) {
            return DeliveryState.FAILED;
        }
        if (deliveries.stream().anyMatch(d -> d.state() == DeliveryState.PENDING)) {
            return DeliveryState.PENDING;
        }
        return deliveries.stream().allMatch(d -> d.state() == DeliveryState.DELIVERED) ? DeliveryState.DELIVERED : DeliveryState.FAILED;
    }

    public ChannelDelivery delivery(String channel) {
        return deliveries.stream().filter(d -> d.channel().equals(channel)).findFirst().orElse(null);
    }

    public NotificationState with(ChannelDelivery changed, long now) {
        List<ChannelDelivery> next = new ArrayList<>(deliveries);
        next.replaceAll(d -> d.channel().equals(changed.channel()) ? changed : d);
        return new NotificationState(notification, next, partition, revision + 1, now);
    }
}
