package io.sightline.notify.delivery;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/** One notification's delivery to one channel: attempts so far, the last error, when it arrived. */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record ChannelDelivery(String channel, String type, DeliveryState state, int attempts, String lastError,
                              Long deliveredAt, Long firstAttemptAt) {

    public ChannelDelivery attempted(long now, String error, DeliveryState next) {
        return new ChannelDelivery(channel, type, next, attempts + 1, error == null ? lastError : error, next == DeliveryState.DELIVERED ? Long.valueOf(now) : deliveredAt,
                firstAttemptAt == null ? Long.valueOf(now) : firstAttemptAt);
    }

    public ChannelDelivery gaveUp(long now, String reason) {
        return new ChannelDelivery(channel, type, DeliveryState.FAILED, attempts, reason, deliveredAt,
                firstAttemptAt == null ? Long.valueOf(now) : firstAttemptAt);
    }
}
