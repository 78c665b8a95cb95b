package io.sightline.history.ingest;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

import java.util.List;

/**
 * A record of {@code watch.jobs} as history reads it: the fields of watch-service's {@code WatchJob} (schema 1 and 2)
 * that history keeps. Services share only {@code common}, so this is history's reading of the contract
 * (docs/topics.md), not watch-service's class; unknown fields are ignored.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record WatchJobState(String id, String camera, String condition, List<String> labels, String status, long createdAt,
                            Long expiresAt, Long endedAt, int iterations, String lastReasoning, String lastOutcome,
                            String notificationMessage, String error, int vlmCalls, List<Exchange> history, long updatedAt) {

    /** One frame/answer pair of the job's conversation; history keeps the last frame's id. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Exchange(String frameId, long capturedAt) {
    }

    public WatchJobState {
        labels = labels == null ? List.of() : List.copyOf(labels);
        history = history == null ? List.of() : List.copyOf(history);
    }

    public boolean finished() {
        return !"running".equals(status);
    }

    /** A tombstone on {@code watch.jobs}: watch-service forgot the job (kept here, marked removed). */
    public record Removed(String jobId, long at) {
    }
}
