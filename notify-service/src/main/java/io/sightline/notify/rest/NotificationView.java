package io.sightline.notify.rest;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import io.sightline.common.security.SecretMasker;
import io.sightline.notify.delivery.ChannelDelivery;
import io.sightline.notify.delivery.NotificationState;

import java.util.List;

/** One notification as {@code GET /api/v1/notifications} shows it. */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record NotificationView(String notificationId, String jobId, String camera, String condition, String message,
                               String frameId, String thumbnailUrl, long at, String state, List<Delivery> deliveries) {

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Delivery(String channel, String type, String state, int attempts, String lastError, Long deliveredAt) {
        static Delivery of(ChannelDelivery d) {
            return new Delivery(d.channel(), d.type(), d.state().wire(), d.attempts(), SecretMasker.mask(d.lastError()), d.deliveredAt());
        }
    }

    public static NotificationView of(NotificationState s, String thumbnailUrl) {
        var n = s.notification();
        return new NotificationView(n.notificationId(), n.jobId(), n.camera(), n.condition(), n.message(), n.frameId(),
                thumbnailUrl, n.at(), s.state().wire(), s.deliveries().stream().map(Delivery::of).toList());
    }

    public record Page(List<NotificationView> notifications) {
    }
}
