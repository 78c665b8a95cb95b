package io.sightline.watch;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/**
 * One frame/answer pair of a job's conversation as {@code watch.jobs} keeps it: the user turn's text, the frame it
 * showed (id and capture time; the image itself is not persisted) and the model's answer as it was given.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record WatchExchange(String frameId, long capturedAt, String question, String answer) {
}
