package io.sightline.watch;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.logging.Log;
import io.sightline.common.event.DetectionsProduced;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/**
 * Wakes watch jobs from {@code detections} (channel {@code detections-watch}: every replica in its own
 * group from the latest offset, since any replica may own a job of any camera). Records that do not read
 * as {@link DetectionsProduced} are counted and skipped here: the latest-state feed of the same service
 * reads the same records and dead-letters them with the reason, so they are not lost twice over.
 */
@ApplicationScoped
class DetectionWakeListener {

    private final WatchRunner runner;
    private final ObjectMapper json;
    private final WatchMetrics metrics;

    DetectionWakeListener(WatchRunner runner, ObjectMapper json, WatchMetrics metrics) {
        this.runner = runner;
        this.json = json;
        this.metrics = metrics;
    }

    @Incoming("detections-watch")
    public void onDetections(ConsumerRecord<String, byte[]> record) {
        DetectionsProduced event;
        try {
            event = record.value() == null ? null : json.readValue(record.value(), DetectionsProduced.class);
        } catch (Exception e) {
            event = null;
        }
        if (event == null || event.camera() == null) {
            metrics.rejectedDetections();
            Log.debugf("Unreadable detections record at %s-%d@%d ignored for watch jobs", record.topic(), record.partition(), record.offset());
            return;
        }
        runner.detected(event);
    }
}
