package io.sightline.fallback.support;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.sightline.common.event.CaptionProduced;
import io.sightline.common.event.DetectionsProduced;
import io.sightline.common.kafka.Topics;
import io.sightline.testsupport.TestKafka;
import org.apache.kafka.common.header.internals.RecordHeaders;

import java.io.UncheckedIOException;
import java.util.List;

/** Publishes captions and detections as JSON, exactly as caption-service does (key = camera). */
public final class Events {

    private static final ObjectMapper JSON = new ObjectMapper();

    private Events() {
    }

    public static DetectionsProduced detections(String camera, String frameId, long capturedAt, List<String> labels, List<String> texts) {
        List<DetectionsProduced.Detection> detections = labels.stream()
                .map(l -> new DetectionsProduced.Detection(l, 0.9, new DetectionsProduced.Box(10, 10, 50, 80))).toList();
        List<DetectionsProduced.RecognizedText> read = texts.stream()
                .map(t -> new DetectionsProduced.RecognizedText(t, 0.95, new DetectionsProduced.Box(5, 5, 100, 20))).toList();
        DetectionsProduced event = new DetectionsProduced(DetectionsProduced.SCHEMA, frameId, camera, capturedAt, 1280, 720,
                "yolox-nano", detections, read);
        TestKafka.send(Topics.DETECTIONS, camera, write(event), new RecordHeaders());
        return event;
    }

    public static CaptionProduced caption(String camera, String frameId, long capturedAt, String text) {
        CaptionProduced event = new CaptionProduced(CaptionProduced.SCHEMA, frameId, camera, capturedAt, capturedAt + 50,
                "onnx", "test-captioner", text, 50, List.of());
        TestKafka.send(Topics.CAPTIONS, camera, write(event), new RecordHeaders());
        return event;
    }

    private static byte[] write(Object event) {
        try {
            return JSON.writeValueAsBytes(event);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
