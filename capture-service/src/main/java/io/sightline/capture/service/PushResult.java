package io.sightline.capture.service;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

import java.util.UUID;

/** What a push answers once Kafka acknowledged the frame. */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record PushResult(UUID frameId, String camera, int width, int height, long seq, double changeScore, int bytes) {
}
