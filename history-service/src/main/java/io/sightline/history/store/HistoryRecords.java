package io.sightline.history.store;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import io.sightline.common.event.CaptionProduced;

import java.util.List;
import java.util.UUID;

/** Records the history API answers with (snake_case JSON). */
public final class HistoryRecords {

    private HistoryRecords() {
    }

    /** One episode: what was seen, when, its best frame and the captions of its frames. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record EventView(long id, String camera, String kind, String label, String text, long startAt, long endAt,
                            String start, String end, int frames, UUID peakFrameId, Double peakScore, int peakCount,
                            List<String> captions, String thumbnailUrl) {
    }

    /** A page of the timeline, newest first; pass {@code next_cursor} as {@code cursor} for the next (older) page. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record EventPage(List<EventView> events, int count, int limit, String nextCursor) {
    }

    /** Number of events starting in one bucket (local time of {@code zone}). */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Bucket(String start, long events) {
    }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Counts(String label, String bucket, String zone, String camera, Long since, Long until, long total,
                         List<Bucket> buckets) {
    }

    /** A page of captions newest first, in the shape the gateway's caption history answers. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record CaptionPage(List<CaptionProduced> captions, int count, int limit, Long since, Long until, boolean truncated) {
    }

    /** A camera and its retention. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record CameraRetention(String camera, int retentionDays, boolean isDefault, long firstSeenAt, long lastSeenAt,
                                  String timeZone) {
    }

    /** A watch job as history remembers it: what it watched for, its transitions and how it ended. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record WatchJobView(String jobId, String camera, String condition, List<String> labels, String status,
                               long createdAt, String created, Long endedAt, String ended, int iterations, int vlmCalls,
                               String lastReasoning, String lastOutcome, String outcome, UUID lastFrameId, String thumbnailUrl,
                               boolean removed, Long removedAt, List<Transition> transitions) {
    }

    /** The job entered {@code status} at {@code at} (running, success, failed, cancelled; removed = watch-service forgot it). */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Transition(String status, long at, String time) {
    }

    /** A page of watch jobs, newest created first; pass {@code next_cursor} as {@code cursor} for the next (older) page. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record WatchJobPage(List<WatchJobView> watchJobs, int count, int limit, String nextCursor) {
    }
}
