package io.sightline.latest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.logging.Log;
import io.sightline.common.event.CaptionProduced;
import io.sightline.common.event.DetectionsProduced;
import io.sightline.common.frame.CapturedFrame;
import io.sightline.common.frame.FrameRecordCodec;
import io.sightline.common.kafka.Topics;
import io.smallrye.common.annotation.Identifier;
import io.smallrye.reactive.messaging.annotations.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;

import java.io.IOException;

/**
 * Feeds {@link LatestFrameCache} from {@code frames}, {@code captions} and {@code detections}. Each
 * replica reads every partition from the latest offset in its own consumer group. A record that
 * breaks its contract throws, and the channel's dead-letter-queue strategy moves it to
 * {@code frames.dlq} with the reason; nothing is dropped silently.
 */
@ApplicationScoped
class LatestStateFeed {

    private final LatestFrameCache cache;
    private final ObjectMapper json;
    private final FeedAssignments assignments;

    LatestStateFeed(LatestFrameCache cache, ObjectMapper json, @Identifier(FeedAssignments.NAME) FeedAssignments assignments) {
        this.cache = cache;
        this.json = json;
        this.assignments = assignments;
    }

    @Incoming(Topics.FRAMES)
    @Blocking(ordered = false)
    public void onFrame(ConsumerRecord<String, byte[]> record) {
        try {
            frame(record);
        } finally {
            assignments.seen(record.topic(), record.partition(), record.offset());
        }
    }

    private void frame(ConsumerRecord<String, byte[]> record) {
        CapturedFrame frame = FrameRecordCodec.fromRecord(record.key(), record.headers(), record.value());
        LatestFrameCache.Offer offer = cache.offerFrame(frame);
        if (offer != LatestFrameCache.Offer.STORED) {
            Log.debugf("Frame %s of camera %s not cached: %s", frame.frameId(), frame.camera(), offer);
        }
    }

    @Incoming(Topics.CAPTIONS)
    public void onCaption(ConsumerRecord<String, byte[]> record) {
        try {
            caption(record);
        } finally {
            assignments.seen(record.topic(), record.partition(), record.offset());
        }
    }

    private void caption(ConsumerRecord<String, byte[]> record) {
        CaptionProduced caption = read(record, CaptionProduced.class);
        requireCamera(record, caption.camera(), caption.frameId());
        cache.offerCaption(caption);
    }

    @Incoming(Topics.DETECTIONS)
    public void onDetections(ConsumerRecord<String, byte[]> record) {
        try {
            detections(record);
        } finally {
            assignments.seen(record.topic(), record.partition(), record.offset());
        }
    }

    private void detections(ConsumerRecord<String, byte[]> record) {
        DetectionsProduced detections = read(record, DetectionsProduced.class);
        requireCamera(record, detections.camera(), detections.frameId());
        for (DetectionsProduced.Detection d : detections.detections()) {
            if (d == null || d.label() == null || d.label().isBlank()) {
                throw new IllegalArgumentException("detections of frame " + detections.frameId() + " contain an entry without a label");
            }
        }
        cache.offerDetections(detections);
    }

    private <T> T read(ConsumerRecord<String, byte[]> record, Class<T> type) {
        if (record.value() == null || record.value().length == 0) {
            throw new IllegalArgumentException(record.topic() + " record has an empty value");
        }
        try {
            T value = json.readValue(record.value(), type);
            if (value == null) {
                throw new IllegalArgumentException(record.topic() + " record is JSON null");
            }
            return value;
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(record.topic() + " record is not a " + type.getSimpleName() + ": "
                    + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new IllegalArgumentException(record.topic() + " record could not be read: " + e.getMessage(), e);
        }
    }

    private static void requireCamera(ConsumerRecord<String, byte[]> record, String camera, String frameId) {
        if (camera == null || camera.isBlank()) {
            throw new IllegalArgumentException(record.topic() + " record of frame " + frameId + " names no camera");
        }
        if (record.key() != null && !record.key().equals(camera)) {
            throw new IllegalArgumentException(record.topic() + " record key '" + record.key() + "' differs from camera '" + camera + "'");
        }
    }
}
