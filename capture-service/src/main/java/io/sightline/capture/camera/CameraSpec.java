package io.sightline.capture.camera;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/**
 * A camera as configured (PUT body, persisted form): its source and optional overrides of the
 * sampling rate and change gate, and its IANA time zone. Null overrides mean "the service default".
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record CameraSpec(String id, SourceSpec source, Double fps, Double changeThreshold, Double keepAliveSeconds,
                         String timeZone) {

    public CameraSpec(String id, SourceSpec source, Double fps, Double changeThreshold, Double keepAliveSeconds) {
        this(id, source, fps, changeThreshold, keepAliveSeconds, null);
    }

    public CameraSpec withId(String newId) {
        return new CameraSpec(newId, source, fps, changeThreshold, keepAliveSeconds, timeZone);
    }

    public CameraSpec redacted() {
        return new CameraSpec(id, source == null ? null : source.redacted(), fps, changeThreshold, keepAliveSeconds, timeZone);
    }
}
