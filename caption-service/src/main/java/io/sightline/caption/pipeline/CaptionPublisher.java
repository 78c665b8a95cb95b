package io.sightline.caption.pipeline;

import io.sightline.caption.backend.FrameDescription;
import io.sightline.caption.backend.OnnxBackend;
import io.sightline.caption.backend.onnx.SceneAnalysis;
import io.sightline.caption.escalation.EscalationDecision;
import io.sightline.caption.backend.Tier;
import io.sightline.caption.chain.ChainOutcome;
import io.sightline.common.event.CaptionProduced;
import io.sightline.common.event.DetectionsProduced;
import io.sightline.common.frame.CapturedFrame;
import io.sightline.common.kafka.FrameHeaders;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;

import java.nio.charset.StandardCharsets;

/** Sends a frame's caption (and, for detecting tiers, its detections); completes once Kafka acknowledged both. */
@ApplicationScoped
class CaptionPublisher {

    private final MutinyEmitter<CaptionProduced> captions;
    private final MutinyEmitter<DetectionsProduced> detections;

    CaptionPublisher(@Channel("captions") MutinyEmitter<CaptionProduced> captions,
                     @Channel("detections") MutinyEmitter<DetectionsProduced> detections) {
        this.captions = captions;
        this.detections = detections;
    }

    /** The caption of a frame the describing tier (or whatever tier the chain reached) described. */
    static CaptionProduced caption(CapturedFrame frame, ChainOutcome outcome, EscalationDecision decision) {
        FrameDescription description = outcome.description();
        return new CaptionProduced(CaptionProduced.SCHEMA, frame.frameId().toString(), frame.camera(),
                frame.capturedAt(), System.currentTimeMillis(), outcome.tier().id(), description.model(), description.text(),
                outcome.latencyMs(), outcome.fallbacks(), decision == null ? null : Boolean.TRUE,
                decision == null ? null : decision.reason(), decision == null ? null : decision.detail(),
                decision == null ? null : frame.frameId().toString());
    }

    /** Sends the caption alone (the escalation pipeline published the frame's detections already). */
    Uni<CaptionProduced> publishCaption(CaptionProduced caption) {
        return captions.sendMessage(keyed(caption, caption.camera(), CaptionProduced.SCHEMA)).replaceWith(caption);
    }

    /** Sends what the onnx analysis found in a frame, empty lists included (nothing seen is an answer too). */
    Uni<Void> publishDetections(CapturedFrame frame, SceneAnalysis analysis) {
        DetectionsProduced found = new DetectionsProduced(DetectionsProduced.SCHEMA, frame.frameId().toString(), frame.camera(),
                frame.capturedAt(), frame.width(), frame.height(), OnnxBackend.model(), analysis.objects(), analysis.texts());
        return detections.sendMessage(keyed(found, frame.camera(), DetectionsProduced.SCHEMA));
    }

    Uni<CaptionProduced> publish(CapturedFrame frame, ChainOutcome outcome) {
        FrameDescription description = outcome.description();
        CaptionProduced caption = caption(frame, outcome, null);
        Uni<Void> sendCaption = captions.sendMessage(keyed(caption, frame.camera(), CaptionProduced.SCHEMA));
        boolean detecting = outcome.tier() == Tier.ONNX || outcome.tier() == Tier.LABELS
                || !description.detections().isEmpty() || !description.texts().isEmpty();
        if (!detecting) {
            return sendCaption.replaceWith(caption);
        }
        DetectionsProduced found = new DetectionsProduced(DetectionsProduced.SCHEMA, frame.frameId().toString(), frame.camera(),
                frame.capturedAt(), frame.width(), frame.height(), description.model(), description.detections(), description.texts());
        Uni<Void> sendDetections = detections.sendMessage(keyed(found, frame.camera(), DetectionsProduced.SCHEMA));
        return Uni.combine().all().unis(sendDetections, sendCaption).discardItems().replaceWith(caption);
    }

    private static <T> Message<T> keyed(T payload, String camera, int schema) {
        RecordHeaders headers = new RecordHeaders();
        headers.add(FrameHeaders.SCHEMA, Integer.toString(schema).getBytes(StandardCharsets.UTF_8));
        return Message.of(payload).addMetadata(OutgoingKafkaRecordMetadata.<String>builder().withKey(camera).withHeaders(headers).build());
    }
}
