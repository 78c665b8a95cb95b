package io.sightline.watch;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

import java.util.List;

/**
 * A watch job as the API shows it and as {@code watch.jobs} stores it (key: {@code id}; the latest record
 * is the job's state; a tombstone removes it). Times are epoch milliseconds. Records of schema 1 (written by
 * fallback-service) read with the new fields empty: no channels, no budget recorded (the default applies), no
 * history, no downtime.
 *
 * @param expiresAt      when the job fails with "Monitor timed out after N minutes"; moved later by the time
 *                       the job spent without a running replica, so a job resumes with its remaining time
 * @param lastOutcome    what the last iteration did, e.g. "Camera frame unavailable"
 * @param lastWakeReason why the last iteration ran: start, resume, scheduled, retry, detection, detection_zone
 * @param owner          the replica running it (its instance id), null once finished
 * @param channels       notification channels the job's notification names (empty = the default route)
 * @param maxVlmCalls    the job's VLM call budget; reaching it ends the job as failed, saying so
 * @param vlmCalls       VLM calls made so far
 * @param downtimeMs     time the job spent without a running replica (restart, hand-over), in total
 * @param history        the last frame/answer pairs of the conversation (text: the frames themselves are not
 *                       persisted), so a resumed job continues the same conversation
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
        List<String> channels,
        int maxVlmCalls,
        int vlmCalls,
        long downtimeMs,
        List<WatchExchange> history,
        long updatedAt) {

    public static final int SCHEMA = 2;

    public WatchJob {
        labels = labels == null ? List.of() : List.copyOf(labels);
        zones = zones == null ? List.of() : List.copyOf(zones);
        channels = channels == null ? List.of() : List.copyOf(channels);
        history = history == null ? List.of() : List.copyOf(history);
    }

    WatchJob withProgress(int iterations, String lastReasoning, String lastOutcome, String lastWakeReason,
                          Long lastRunAt, Long nextRunAt, String owner, int vlmCalls, List<WatchExchange> history, long now) {
        return new WatchJob(SCHEMA, id, camera, condition, labels, zones, maxDurationMinutes, status, createdAt, expiresAt,
                endedAt, iterations, lastReasoning, lastOutcome, lastWakeReason, lastRunAt, nextRunAt, notificationMessage,
                error, owner, channels, maxVlmCalls, vlmCalls, downtimeMs, history, now);
    }

    /** Resumed after {@code downMs} without a running replica: the deadline moves by as much, and it is reported. */
    WatchJob resumedAfter(long downMs, String outcome, String owner, long now) {
        return new WatchJob(SCHEMA, id, camera, condition, labels, zones, maxDurationMinutes, status, createdAt, expiresAt + downMs,
                endedAt, iterations, lastReasoning, outcome, "resume", lastRunAt, nextRunAt, notificationMessage,
                error, owner, channels, maxVlmCalls, vlmCalls, downtimeMs + downMs, history, now);
    }

    WatchJob finished(WatchStatus to, String notificationMessage, String error, long now) {
        return new WatchJob(SCHEMA, id, camera, condition, labels, zones, maxDurationMinutes, to, createdAt, expiresAt,
                now, iterations, lastReasoning, lastOutcome, lastWakeReason, lastRunAt, null, notificationMessage,
                error, null, channels, maxVlmCalls, vlmCalls, downtimeMs, history, now);
    }

    WatchJob touched(long now) {
        return new WatchJob(schema, id, camera, condition, labels, zones, maxDurationMinutes, status, createdAt, expiresAt,
                endedAt, iterations, lastReasoning, lastOutcome, lastWakeReason, lastRunAt, nextRunAt, notificationMessage,
                error, owner, channels, maxVlmCalls, vlmCalls, downtimeMs, history, now);
    }

    /** The last state a stopping owner leaves: still running, not owned, stamped now (downtime is counted from here). */
    WatchJob suspended(String outcome, long now) {
        return new WatchJob(schema, id, camera, condition, labels, zones, maxDurationMinutes, status, createdAt, expiresAt,
                endedAt, iterations, lastReasoning, outcome, lastWakeReason, lastRunAt, nextRunAt, notificationMessage,
                error, null, channels, maxVlmCalls, vlmCalls, downtimeMs, history, now);
    }
}
