package io.sightline.history.ingest;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sightline.common.event.CaptionProduced;
import io.sightline.common.event.DetectionsProduced;
import io.sightline.common.event.LifecycleEvent;
import io.sightline.common.event.NotificationRaised;
import io.sightline.common.frame.CapturedFrame;
import io.sightline.common.frame.FrameRecordCodec;
import io.sightline.common.image.JpegImages;
import io.sightline.common.kafka.Topics;
import org.apache.kafka.clients.consumer.ConsumerRecord;

import javax.imageio.ImageIO;
import javax.imageio.ImageReadParam;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Iterator;
import java.util.List;
import java.util.UUID;

/**
 * Turns one record of an ingested topic into its event record (or a thumbnail, for frames), validating
 * what the database relies on: ids that parse, a camera, a time. Anything else is a {@link PoisonRecord}
 * with the reason, for history.dlq.
 */
final class RecordDecoder {

    /** A record that can never be stored; the reason goes into the dead letter's headers. */
    static final class PoisonRecord extends Exception {
        PoisonRecord(String reason, Throwable cause) {
            super(reason, cause);
        }
    }

    private static final int MAX_TEXT = 8192;

    private final ObjectMapper json;
    private final boolean storeThumbnails;
    private final int thumbnailSide;
    private final float thumbnailQuality;

    RecordDecoder(ObjectMapper json, boolean storeThumbnails, int thumbnailSide, int thumbnailQuality) {
        this.json = json.copy().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
        this.storeThumbnails = storeThumbnails;
        this.thumbnailSide = thumbnailSide;
        this.thumbnailQuality = thumbnailQuality / 100f;
    }

    Object decode(ConsumerRecord<String, byte[]> record) throws PoisonRecord {
        if (Topics.WATCH_JOBS.equals(record.topic())) {
            return watchJob(record);
        }
        if (record.value() == null) {
            throw new PoisonRecord("record has no value", null);
        }
        return switch (record.topic()) {
            case Topics.CAPTIONS -> caption(read(record, CaptionProduced.class));
            case Topics.DETECTIONS -> detections(read(record, DetectionsProduced.class));
            case Topics.NOTIFICATIONS -> notification(read(record, NotificationRaised.class));
            case Topics.VLM_LIFECYCLE -> lifecycle(read(record, LifecycleEvent.class));
            case Topics.FRAMES -> thumbnail(record);
            default -> throw new PoisonRecord("topic " + record.topic() + " is not ingested", null);
        };
    }

    private <T> T read(ConsumerRecord<String, byte[]> record, Class<T> type) throws PoisonRecord {
        try {
            return json.readValue(record.value(), type);
        } catch (IOException e) {
            throw new PoisonRecord("value is not a JSON " + type.getSimpleName() + ": " + firstLine(e.getMessage()), e);
        }
    }

    private static CaptionProduced caption(CaptionProduced c) throws PoisonRecord {
        uuid(c.frameId(), "frame_id");
        camera(c.camera());
        time(c.capturedAt(), "captured_at");
        // an empty text is a real caption: the none tier (or every tier failing through to it) describes
        // nothing, and the frame still belongs in the history with its backend and fallbacks
        String text = c.text() == null ? "" : clip(clean(c.text()).trim());
        // escalation fields (caption-service's pipeline): kept when well-formed, dropped (not dead-lettered) otherwise
        String described = c.describedFrameId();
        try {
            described = described == null ? null : java.util.UUID.fromString(described).toString();
        } catch (IllegalArgumentException e) {
            described = null;
        }
        return new CaptionProduced(c.schema(), c.frameId(), c.camera(), c.capturedAt(),
                c.captionedAt() > 0 ? c.captionedAt() : c.capturedAt(), clean(c.backend()), clean(c.model()),
                text, c.latencyMs(), c.fallbacks(), c.escalated(), clean(c.escalationReason()), clean(c.escalationDetail()),
                described);
    }

    private static DetectionsProduced detections(DetectionsProduced d) throws PoisonRecord {
        uuid(d.frameId(), "frame_id");
        camera(d.camera());
        time(d.capturedAt(), "captured_at");
        return d;
    }

    private static NotificationRaised notification(NotificationRaised n) throws PoisonRecord {
        if (n.jobId() == null || n.jobId().isBlank()) {
            throw new PoisonRecord("notification has no job_id", null);
        }
        camera(n.camera());
        time(n.at(), "at");
        return new NotificationRaised(n.schema(), n.notificationId(), clean(n.jobId()), n.camera(), clip(clean(n.condition())),
                clip(clean(n.message())), clip(clean(n.reasoning())), n.frameId(), n.thumbnailUrl(), n.channels(), n.at());
    }

    private static LifecycleEvent lifecycle(LifecycleEvent l) throws PoisonRecord {
        if (l.eventId() == null || l.eventId().isBlank()) {
            throw new PoisonRecord("lifecycle event has no event_id", null);
        }
        if (l.event() == null || l.event().isBlank()) {
            throw new PoisonRecord("lifecycle event has no event name", null);
        }
        time(l.at(), "at");
        return new LifecycleEvent(l.schema(), clean(l.eventId()), clean(l.event()), clean(l.backend()), clean(l.endpoint()),
                clip(clean(l.reason())), clean(l.instance()), l.at());
    }

    private static final java.util.Set<String> WATCH_STATUSES = java.util.Set.of("running", "success", "failed", "cancelled");

    /** A job's state (key = job id) or, without a value, the tombstone of a job watch-service forgot. */
    private Object watchJob(ConsumerRecord<String, byte[]> record) throws PoisonRecord {
        String key = record.key();
        if (key == null || key.isBlank() || key.length() > 128 || key.indexOf('\u0000') >= 0) {
            throw new PoisonRecord("watch job record has no usable key (the job id)", null);
        }
        if (record.value() == null) {
            return new WatchJobState.Removed(key, record.timestamp() > 0 ? record.timestamp() : System.currentTimeMillis());
        }
        WatchJobState w = read(record, WatchJobState.class);
        if (!key.equals(w.id())) {
            throw new PoisonRecord("watch job id '" + (w.id() == null ? "" : clip80(w.id())) + "' differs from the record key '"
                    + clip80(key) + "'", null);
        }
        camera(w.camera());
        if (w.status() == null || !WATCH_STATUSES.contains(w.status())) {
            throw new PoisonRecord("watch job status must be one of " + WATCH_STATUSES + ", was '"
                    + (w.status() == null ? "" : clip80(w.status())) + "'", null);
        }
        time(w.createdAt(), "created_at");
        time(w.updatedAt(), "updated_at");
        if (w.endedAt() != null) {
            time(w.endedAt(), "ended_at");
        }
        if (w.finished() && w.endedAt() == null) {
            throw new PoisonRecord("watch job is " + w.status() + " but has no ended_at", null);
        }
        List<WatchJobState.Exchange> last = w.history().isEmpty() ? List.of()
                : List.of(w.history().get(w.history().size() - 1));
        String lastFrame = last.isEmpty() ? null : last.get(0).frameId();
        try {
            lastFrame = lastFrame == null ? null : UUID.fromString(lastFrame).toString();
        } catch (IllegalArgumentException e) {
            lastFrame = null; // a frame reference is evidence, not identity: dropped when malformed
        }
        return new WatchJobState(w.id(), w.camera(), clip(clean(w.condition())),
                w.labels().stream().map(RecordDecoder::clean).filter(java.util.Objects::nonNull).toList(), w.status(),
                w.createdAt(), w.expiresAt(), w.endedAt(), w.iterations(), clip(clean(w.lastReasoning())),
                clip(clean(w.lastOutcome())), clip(clean(w.notificationMessage())), clip(clean(w.error())), w.vlmCalls(),
                lastFrame == null ? List.of() : List.of(new WatchJobState.Exchange(lastFrame, last.get(0).capturedAt())),
                w.updatedAt());
    }

    private IngestBatch.Thumbnail thumbnail(ConsumerRecord<String, byte[]> record) throws PoisonRecord {
        CapturedFrame frame;
        try {
            frame = FrameRecordCodec.fromRecord(record.key(), record.headers(), record.value());
        } catch (RuntimeException e) {
            throw new PoisonRecord("frame breaks the frames contract: " + firstLine(e.getMessage()), e);
        }
        if (!storeThumbnails) {
            // thumbnails off: the frame still tells its camera's zone; its pixels are not read
            return new IngestBatch.Thumbnail(frame.frameId(), frame.camera(), frame.capturedAt(), null, timeZone(record));
        }
        BufferedImage image;
        try {
            image = reduced(frame.image());
        } catch (IOException | RuntimeException e) {
            throw new PoisonRecord("frame image does not decode: " + firstLine(e.getMessage()), e);
        }
        if (image == null) {
            throw new PoisonRecord("frame image does not decode as " + frame.contentType(), null);
        }
        byte[] jpeg = JpegImages.fitAndEncode(image, thumbnailSide, thumbnailSide, thumbnailQuality);
        return new IngestBatch.Thumbnail(frame.frameId(), frame.camera(), frame.capturedAt(), jpeg, timeZone(record));
    }

    /**
     * The frame decoded at no more than about twice the thumbnail's size: the reader skips rows and columns
     * (a 1280 px frame for a 320 px thumbnail is read at 640 px), and the smooth downscale does the rest. Every
     * frame of every camera passes here, so this is most of history-service's CPU per frame.
     */
    private BufferedImage reduced(byte[] bytes) throws IOException {
        try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(bytes))) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                return null;
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                int longSide = Math.max(reader.getWidth(0), reader.getHeight(0));
                int step = Math.max(1, longSide / (2 * thumbnailSide));
                ImageReadParam param = reader.getDefaultReadParam();
                param.setSourceSubsampling(step, step, 0, 0);
                return reader.read(0, param);
            } finally {
                reader.dispose();
            }
        }
    }

    /** The frame's time-zone header as a zone id; a missing or unknown zone is dropped (the frame itself is fine). */
    private static String timeZone(ConsumerRecord<String, byte[]> record) {
        String zone = FrameRecordCodec.text(record.headers(), io.sightline.common.kafka.FrameHeaders.TIME_ZONE);
        if (zone == null || zone.isBlank() || zone.length() > 64) {
            return null;
        }
        try {
            return java.time.ZoneId.of(zone.trim()).getId();
        } catch (java.time.DateTimeException e) {
            return null;
        }
    }

    private static void uuid(String id, String field) throws PoisonRecord {
        try {
            UUID.fromString(id == null ? "" : id);
        } catch (IllegalArgumentException e) {
            throw new PoisonRecord(field + " is not a UUID: '" + (id == null ? "" : clip80(id)) + "'", null);
        }
    }

    private static void camera(String camera) throws PoisonRecord {
        if (camera == null || camera.isBlank() || camera.length() > 128) {
            throw new PoisonRecord("camera is missing or longer than 128 characters", null);
        }
        if (camera.indexOf('\u0000') >= 0) {
            throw new PoisonRecord("camera contains a NUL character", null);
        }
    }

    private static void time(long millis, String field) throws PoisonRecord {
        // 2000-01-01 .. 2200-01-01: anything else is a unit mistake (seconds, microseconds) or garbage
        if (millis < 946_684_800_000L || millis > 7_258_118_400_000L) {
            throw new PoisonRecord(field + " is not epoch milliseconds: " + millis, null);
        }
    }

    /** PostgreSQL text cannot hold NUL. */
    private static String clean(String s) {
        return s == null ? null : s.replace("\u0000", "");
    }

    private static String clip(String s) {
        return s == null || s.length() <= MAX_TEXT ? s : s.substring(0, MAX_TEXT);
    }

    private static String clip80(String s) {
        return s.length() <= 80 ? s : s.substring(0, 80) + "...";
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "";
        }
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }
}
