package io.sightline.notify.sender;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import io.sightline.common.event.NotificationRaised;

/**
 * What every channel carries (the webhook body verbatim): job, camera, condition, the model's message, the frame
 * reference, a thumbnail URL and the time. {@code test} marks the notifications of the channel test route.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record Notice(String notificationId, String jobId, String camera, String condition, String message, String frameId,
                     String thumbnailUrl, long at, String channel, boolean test) {

    public static Notice of(NotificationRaised n, String thumbnailUrl, String channel, boolean test) {
        return new Notice(n.notificationId(), n.jobId(), n.camera(), n.condition(), n.message(), n.frameId(), thumbnailUrl,
                n.at(), channel, test);
    }
}
