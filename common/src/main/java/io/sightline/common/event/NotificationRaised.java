package io.sightline.common.event;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/** Value on {@code notifications} (key: camera): a watch job's condition was met. */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record NotificationRaised(
        int schema,
        String jobId,
        String camera,
        String condition,
        String message,
        String reasoning,
        long at) {

    public static final int SCHEMA = 1;
}
