package io.sightline.common.event;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

import java.util.List;

/**
 * Value on {@code notifications} (key: camera): a watch job's condition was met. Schema 2 adds
 * {@code notification_id} (a UUID, unique per raise: the idempotency key of its deliveries), the
 * {@code frame_id} the verdict was given on, a {@code thumbnail_url} and the {@code channels} the job names
 * (empty = the default route). Schema 1 records read with those null / empty.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record NotificationRaised(
        int schema,
        String notificationId,
        String jobId,
        String camera,
        String condition,
        String message,
        String reasoning,
        String frameId,
        String thumbnailUrl,
        List<String> channels,
        long at) {

    public static final int SCHEMA = 2;

    public NotificationRaised {
        channels = channels == null ? List.of() : List.copyOf(channels);
    }
}
