package io.sightline.common.event;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

import java.util.List;

/**
 * Value on {@code notifications} (key: camera): a watch job's condition was met. Schema 2 adds the
 * notification id (a UUID, unique per raise: delivery's idempotency key), the frame reference, a
 * thumbnail URL and the channels to deliver to (empty: the default route). Readers accept schema 1
 * records, whose missing fields read as null.
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
}
