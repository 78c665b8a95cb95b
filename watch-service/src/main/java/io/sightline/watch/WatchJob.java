package io.sightline.watch;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

import java.util.List;

/**
 * A watch job as the API shows it and as {@code watch.jobs} stores it (key: {@code id}; the latest record
 * is the job's state; a tombstone removes it). Times are epoch milliseconds.
 *
 * @param expiresAt     when the job fails with "Monitor timed out after N minutes" (wall clock, so a
 *                      restart does not extend it)
 * @param lastOutcome   what the last iteration did, e.g. "Camera frame unavailable"
 * @param lastWakeReason why the last iteration ran: start, resume, scheduled, retry, detection, detection_zone
 * @param owner         the replica running it (its instance id), null once finished
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record WatchJob(
        int schema,
        String id,
        String camera,
        String condition,
        List<String> labels,
        List<Zone> zones,
        int maxDurationMinutes,
        WatchStatus status,
        long createdAt,
        long expiresAt,
        Long endedAt,
        int iterations,
        String lastReasoning,
        String lastOutcome,
        String lastWakeReason,
        Long lastRunAt,
        Long nextRunAt,
        String notificationMessage,
        String error,
        String owner,
        long updatedAt) {

    public static final int SCHEMA = 1;

    public WatchJob {
        labels = labels == null ? List.of() : List.copyOf(labels);
        zones = zones == null ? List.of() : List.copyOf(zones);
    }

    WatchJob withProgress(int iterations, String lastReasoning, String lastOutcome, String lastWakeReason,
                          Long lastRunAt, Long nextRunAt, String owner, long now) {
        return new WatchJob(schema, id, camera, condition, labels, zones, maxDurationMinutes, status, createdAt, expiresAt,
                endedAt, iterations, lastReasoning, lastOutcome, lastWakeReason, lastRunAt, nextRunAt, notificationMessage,
                error, owner, now);
    }

    WatchJob finished(WatchStatus to, String notificationMessage, String error, long now) {
        return new WatchJob(schema, id, camera, condition, labels, zones, maxDurationMinutes, to, createdAt, expiresAt,
                now, iterations, lastReasoning, lastOutcome, lastWakeReason, lastRunAt, null, notificationMessage,
                error, null, now);
    }

    WatchJob touched(long now) {
        return new WatchJob(schema, id, camera, condition, labels, zones, maxDurationMinutes, status, createdAt, expiresAt,
                endedAt, iterations, lastReasoning, lastOutcome, lastWakeReason, lastRunAt, nextRunAt, notificationMessage,
                error, owner, now);
    }
}
