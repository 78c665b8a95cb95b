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
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
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
    private final int thumbnailSide;
    private final float thumbnailQuality;

    RecordDecoder(ObjectMapper json, int thumbnailSide, int thumbnailQuality) {
        this.json = json.copy().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
        this.thumbnailSide = thumbnailSide;
        this.thumbnailQuality = thumbnailQuality / 100f;
    }

    Object decode(ConsumerRecord<String, byte[]> record) throws PoisonRecord {
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

    private IngestBatch.Thumbnail thumbnail(ConsumerRecord<String, byte[]> record) throws PoisonRecord {
        CapturedFrame frame;
        try {
            frame = FrameRecordCodec.fromRecord(record.key(), record.headers(), record.value());
        } catch (RuntimeException e) {
            throw new PoisonRecord("frame breaks the frames contract: " + firstLine(e.getMessage()), e);
        }
        BufferedImage image;
        try {
            image = ImageIO.read(new ByteArrayInputStream(frame.image()));
        } catch (IOException | RuntimeException e) {
            throw new PoisonRecord("frame image does not decode: " + firstLine(e.getMessage()), e);
        }
        if (image == null) {
            throw new PoisonRecord("frame image does not decode as " + frame.contentType(), null);
        }
        byte[] jpeg = JpegImages.fitAndEncode(image, thumbnailSide, thumbnailSide, thumbnailQuality);
        return new IngestBatch.Thumbnail(frame.frameId(), frame.camera(), frame.capturedAt(), jpeg);
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
