package io.sightline.common.kafka;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The topic contract: the single source of truth for topic names, partition counts, retention and
 * maximum record size. {@code docs/topics.md} documents it and the Kubernetes {@code KafkaTopic}
 * resources must match it (a drift test checks).
 */
public final class Topics {

    public static final String FRAMES = "frames";
    public static final String CAPTIONS = "captions";
    public static final String DETECTIONS = "detections";
    public static final String VLM_LIFECYCLE = "vlm.lifecycle";
    public static final String NOTIFICATIONS = "notifications";
    public static final String FRAMES_DLQ = "frames.dlq";
    public static final String WATCH_JOBS = "watch.jobs";
    /** Dead letters of history-service's ingest (any of the topics it reads), with the reason in headers. */
    public static final String HISTORY_DLQ = "history.dlq";
    /** Notifications notify-service gave up delivering to a channel, with the channel and reason in headers. */
    public static final String NOTIFICATIONS_DLQ = "notifications.dlq";
    /** Compacted, key notification id: each notification's delivery state per channel (notify-service's memory). */
    public static final String NOTIFICATIONS_STATE = "notifications.state";
    /** Compacted, key channel name: the delivery channels configured through the gateway (tombstone = deleted). */
    public static final String NOTIFY_CHANNELS = "notify.channels";
    /** Requests for a fresh description of a camera (watch jobs, users): caption-service escalates its next frame. */
    public static final String CAPTION_REFRESH = "caption.refresh";

    /** Largest encoded frame a record may carry (value); frames are JPEG at most 1280 px long side. */
    public static final int MAX_FRAME_BYTES = 4 * 1024 * 1024;

    private static final long HOUR_MS = 3_600_000L;
    private static final long DAY_MS = 24 * HOUR_MS;
    /** Frame records plus headers and batch overhead must fit. */
    private static final String FRAME_MAX_MESSAGE_BYTES = Integer.toString(MAX_FRAME_BYTES + 64 * 1024);

    public static final List<TopicSpec> ALL = List.of(
            new TopicSpec(FRAMES, 6, Map.of(
                    "retention.ms", Long.toString(HOUR_MS),
                    "segment.ms", Long.toString(HOUR_MS / 4),
                    "max.message.bytes", FRAME_MAX_MESSAGE_BYTES,
                    "cleanup.policy", "delete")),
            new TopicSpec(CAPTIONS, 6, Map.of(
                    "retention.ms", Long.toString(7 * DAY_MS),
                    "max.message.bytes", "1048576",
                    "cleanup.policy", "delete")),
            new TopicSpec(DETECTIONS, 6, Map.of(
                    "retention.ms", Long.toString(DAY_MS),
                    "max.message.bytes", "1048576",
                    "cleanup.policy", "delete")),
            new TopicSpec(VLM_LIFECYCLE, 1, Map.of(
                    "retention.ms", Long.toString(7 * DAY_MS),
                    "max.message.bytes", "1048576",
                    "cleanup.policy", "delete")),
            new TopicSpec(NOTIFICATIONS, 3, Map.of(
                    "retention.ms", Long.toString(30 * DAY_MS),
                    "max.message.bytes", "1048576",
                    "cleanup.policy", "delete")),
            new TopicSpec(FRAMES_DLQ, 1, Map.of(
                    "retention.ms", Long.toString(7 * DAY_MS),
                    "max.message.bytes", FRAME_MAX_MESSAGE_BYTES,
                    "cleanup.policy", "delete")),
            new TopicSpec(WATCH_JOBS, 3, Map.of(
                    "max.message.bytes", "1048576",
                    "cleanup.policy", "compact",
                    "min.compaction.lag.ms", "0",
                    "segment.ms", Long.toString(HOUR_MS))),
            new TopicSpec(HISTORY_DLQ, 1, Map.of(
                    "retention.ms", Long.toString(7 * DAY_MS),
                    "max.message.bytes", FRAME_MAX_MESSAGE_BYTES,
                    "cleanup.policy", "delete")),
            new TopicSpec(NOTIFICATIONS_DLQ, 1, Map.of(
                    "retention.ms", Long.toString(30 * DAY_MS),
                    "max.message.bytes", "1048576",
                    "cleanup.policy", "delete")),
            new TopicSpec(NOTIFICATIONS_STATE, 3, Map.of(
                    "max.message.bytes", "1048576",
                    "cleanup.policy", "compact",
                    "min.compaction.lag.ms", "0",
                    "segment.ms", Long.toString(HOUR_MS))),
            new TopicSpec(NOTIFY_CHANNELS, 1, Map.of(
                    "max.message.bytes", "1048576",
                    "cleanup.policy", "compact",
                    "min.compaction.lag.ms", "0",
                    "segment.ms", Long.toString(HOUR_MS))),
            new TopicSpec(CAPTION_REFRESH, 1, Map.of(
                    "retention.ms", Long.toString(HOUR_MS),
                    "max.message.bytes", "65536",
                    "cleanup.policy", "delete")));

    private Topics() {
    }

    public static Optional<TopicSpec> spec(String name) {
        return ALL.stream().filter(t -> t.name().equals(name)).findFirst();
    }
}
