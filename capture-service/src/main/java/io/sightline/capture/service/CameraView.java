package io.sightline.capture.service;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import io.sightline.capture.camera.SourceSpec;

import java.time.Instant;

/** A camera as {@code GET /api/v1/cameras} shows it: configuration without credentials, and live state. */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record CameraView(String id, SourceSpec source, double fps, double changeThreshold, double keepAliveSeconds,
                         String timeZone, Status status) {

    /** Live state: ok, degraded (source failing) or stopped (ended or removed). */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Status(String state, boolean connected, double fpsIn, double fpsOut, long framesIn, long framesPublished,
                         long framesGated, long framesDropped, long publishFailures, long sourceErrors,
                         Instant lastFrameAt, Instant lastPublishedAt, String lastError, Instant lastErrorAt,
                         String stoppedReason) {
    }
}
