package io.sightline.history.support;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sightline.common.event.CaptionProduced;
import io.sightline.common.event.DetectionsProduced;
import io.sightline.common.event.LifecycleEvent;
import io.sightline.common.event.NotificationRaised;
import io.sightline.common.kafka.Topics;
import io.sightline.testsupport.TestKafka;
import org.apache.kafka.common.header.internals.RecordHeaders;

import java.util.Arrays;
import java.util.List;
import java.util.UUID;

/** Publishes contract records exactly as the producing services do (JSON values, camera keys). */
public final class Records {

    private static final ObjectMapper JSON = new ObjectMapper();

    private Records() {
    }

    public static CaptionProduced caption(String camera, long at, String text) {
        CaptionProduced c = new CaptionProduced(1, UUID.randomUUID().toString(), camera, at, at + 300, "onnx", "yolox-nano", text, 300, List.of());
        send(Topics.CAPTIONS, camera, c);
        return c;
    }

    public static void send(String topic, String key, Object value) {
        try {
            TestKafka.send(topic, key, JSON.writeValueAsBytes(value), new RecordHeaders());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    public static DetectionsProduced detections(String camera, long at, String... labelScore) {
        List<DetectionsProduced.Detection> list = Arrays.stream(labelScore).map(ls -> {
            String[] p = ls.split(":");
            return new DetectionsProduced.Detection(p[0], Double.parseDouble(p[1]), new DetectionsProduced.Box(10, 10, 100, 100));
        }).toList();
        DetectionsProduced d = new DetectionsProduced(1, UUID.randomUUID().toString(), camera, at, 1280, 720, "yolox-nano", list, List.of());
        send(Topics.DETECTIONS, camera, d);
        return d;
    }

    public static NotificationRaised notification(String camera, long at, String message) {
        NotificationRaised n = new NotificationRaised(NotificationRaised.SCHEMA, UUID.randomUUID().toString(), "w-" + UUID.randomUUID(), camera,
                "a parcel is delivered", message, "seen", null, null, java.util.List.of(), at);
        send(Topics.NOTIFICATIONS, camera, n);
        return n;
    }

    public static LifecycleEvent lifecycle(long at) {
        LifecycleEvent l = new LifecycleEvent(1, UUID.randomUUID().toString(), LifecycleEvent.READY, "caption-server",
                "http://127.0.0.1:1/v1", "ready", "test", at);
        send(Topics.VLM_LIFECYCLE, "caption-server", l);
        return l;
    }
}
