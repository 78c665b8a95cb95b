package io.sightline.caption.pipeline;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.logging.Log;
import io.sightline.caption.backend.FrameImages;
import io.sightline.caption.backend.OnnxBackend;
import io.sightline.caption.backend.Tier;
import io.sightline.caption.backend.onnx.SceneAnalysis;
import io.sightline.caption.chain.AllTiersFailedException;
import io.sightline.caption.chain.BackendChain;
import io.sightline.caption.chain.ChainOutcome;
import io.sightline.caption.config.CaptionConfig;
import io.sightline.caption.escalation.EscalationDecision;
import io.sightline.caption.escalation.EscalationPolicy;
import io.sightline.caption.escalation.EscalationRules;
import io.sightline.caption.escalation.SceneSignature;
import io.sightline.common.event.CaptionProduced;
import io.sightline.common.frame.CapturedFrame;
import io.sightline.common.frame.InvalidFrameException;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Message;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * Keeps captions fresh: per camera at most one frame is described and one waits; a newer frame replaces
 * the waiting one, which is acknowledged as skipped (counted). Cameras with a waiting frame are served
 * round-robin, in parallel up to the concurrency of the tier frames currently reach. A frame's record is
 * acknowledged only after its caption was acknowledged by Kafka; failures are dead-lettered with the reason.
 *
 * <p>Acknowledging a skipped frame early is safe for offsets: the camera is the record key, so the newer
 * frame sits at a higher offset of the same partition and stays un-acknowledged until its caption is
 * written; the throttled commit strategy only commits below the lowest un-acknowledged offset.
 *
 * <p>With a describing tier selected (caption-server, vlm, sidecar) and the onnx models present, the tiers
 * are a pipeline: every frame is analysed by the onnx models first and its detections published, then
 * {@link EscalationPolicy} decides whether the scene's meaning changed enough for the describing tier;
 * if not, the frame's caption repeats the camera's last description plus what is detected now
 * ({@code escalated: false}, {@code described_frame_id}). One frame per camera is in process at a time, so
 * while a camera's frame is being described its newer frames wait (newest wins) as before.
 */
@ApplicationScoped
public class FramePipeline {

    public static final String STAGE_DECODE = "decode";
    public static final String STAGE_DESCRIBE = "describe";
    public static final String STAGE_PUBLISH = "publish";
    public static final String STAGE_CONTRACT = "contract";

    private record Pending(CapturedFrame frame, Message<byte[]> message) {
    }

    private static final class CameraSlot {
        Pending waiting;
        boolean busy;
    }

    /** Frame ids of one camera seen most recently (insertion order), bounded. */
    private static final class RecentFrameIds {
        private final LinkedHashSet<UUID> ids = new LinkedHashSet<>();
        private final int capacity;

        RecentFrameIds(int capacity) {
            this.capacity = capacity;
        }

        /** False when the id was seen already. */
        boolean add(UUID id) {
            if (!ids.add(id)) {
                return false;
            }
            if (ids.size() > capacity) {
                Iterator<UUID> oldest = ids.iterator();
                oldest.next();
                oldest.remove();
            }
            return true;
        }

        void forget(UUID id) {
            ids.remove(id);
        }
    }

    private final BackendChain chain;
    private final OnnxBackend onnx;
    private final EscalationPolicy policy;
    private final CaptionPublisher publisher;
    private final FrameImages images;
    private final MeterRegistry registry;
    private final Duration frameTimeout;
    private final Timer lag;
    private final Map<String, CameraSlot> slots = new HashMap<>();
    private final Map<String, RecentFrameIds> recent = new HashMap<>();
    private final int recentFrameIds;
    private final ArrayDeque<String> ready = new ArrayDeque<>();
    private int inFlight;
    private int waiting;

    FramePipeline(BackendChain chain, OnnxBackend onnx, EscalationPolicy policy, CaptionPublisher publisher,
                  FrameImages images, CaptionConfig config, MeterRegistry registry) {
        this.chain = chain;
        this.onnx = onnx;
        this.policy = policy;
        this.publisher = publisher;
        this.images = images;
        this.registry = registry;
        this.frameTimeout = config.frameTimeout();
        this.recentFrameIds = Math.max(1, config.recentFrameIds());
        this.lag = Timer.builder("sightline.caption.lag")
                .description("From capture to caption acknowledged by Kafka")
                .publishPercentiles(0.5, 0.95).distributionStatisticExpiry(Duration.ofMinutes(2)).register(registry);
        Gauge.builder("sightline.caption.queue.waiting", this, FramePipeline::waiting)
                .description("Frames waiting for a backend (at most one per camera)").register(registry);
        Gauge.builder("sightline.caption.queue.in.flight", this, FramePipeline::inFlight)
                .description("Frames being described").register(registry);
    }

    public synchronized int waiting() {
        return waiting;
    }

    public synchronized int inFlight() {
        return inFlight;
    }

    /** Takes a frame whose record is acknowledged (or dead-lettered) later by this pipeline. */
    public void offer(CapturedFrame frame, Message<byte[]> message) {
        boolean duplicate;
        Pending skipped = null;
        synchronized (this) {
            duplicate = !recent.computeIfAbsent(frame.camera(), c -> new RecentFrameIds(recentFrameIds)).add(frame.frameId());
            if (!duplicate) {
                skipped = enqueue(frame, message);
            }
        }
        if (duplicate) {
            registry.counter("sightline.frames.duplicate", "camera", frame.camera()).increment();
            Log.infof("Skipped frame %s of camera %s: this frame id was taken before (a retried push or a duplicate record)",
                    frame.frameId(), frame.camera());
            message.ack();
            return;
        }
        if (skipped != null) {
            registry.counter("sightline.frames.skipped", "camera", frame.camera()).increment();
            Log.debugf("Skipped frame %s of camera %s: newer frame %s arrived while it waited", skipped.frame().frameId(),
                    frame.camera(), frame.frameId());
            skipped.message().ack();
        }
        pump();
    }

    /** Makes the frame the waiting one of its camera (caller holds the lock); returns the frame it replaced. */
    private Pending enqueue(CapturedFrame frame, Message<byte[]> message) {
        CameraSlot slot = slots.computeIfAbsent(frame.camera(), c -> new CameraSlot());
        Pending skipped = slot.waiting;
        slot.waiting = new Pending(frame, message);
        if (skipped == null) {
            waiting++;
            if (!slot.busy) {
                ready.add(frame.camera());
            }
        }
        return skipped;
    }

    private void pump() {
        List<Pending> start = new ArrayList<>();
        synchronized (this) {
            int limit = Math.max(1, chain.backend(chain.effectiveTier()).concurrency());
            if (analysing()) {
                limit = Math.max(limit, onnx.concurrency());
            }
            while (inFlight < limit && !ready.isEmpty()) {
                CameraSlot slot = slots.get(ready.poll());
                Pending next = slot.waiting;
                slot.waiting = null;
                slot.busy = true;
                waiting--;
                inFlight++;
                start.add(next);
            }
        }
        start.forEach(this::process);
    }

    /** Whether frames go through the onnx analysis and the escalation policy before (maybe) the describing tier. */
    public boolean analysing() {
        Tier head = chain.selected();
        return (head == Tier.CAPTION_SERVER || head == Tier.VLM || head == Tier.SIDECAR) && onnx.isAvailable();
    }

    private static boolean describing(Tier tier) {
        return tier == Tier.CAPTION_SERVER || tier == Tier.VLM || tier == Tier.SIDECAR;
    }

    private Uni<ChainOutcome> describe(CapturedFrame frame) {
        return chain.describe(frame);
    }

    private Uni<CaptionProduced> describeAndPublish(CapturedFrame frame) {
        return describe(frame).chain(outcome -> publisher.publish(frame, outcome)
                .onFailure().transform(e -> new PublishFailedException(e)));
    }

    private Uni<CaptionProduced> analyseAndPublish(CapturedFrame frame) {
        long t0 = System.nanoTime();
        return onnx.analyze(frame)
                .map(java.util.Optional::of)
                .onFailure(e -> !(e instanceof InvalidFrameException)).recoverWithItem(e -> {
                    Log.warnf("Onnx analysis of frame %s of camera %s failed (%s): describing it without", frame.frameId(),
                            frame.camera(), e.getMessage());
                    return java.util.Optional.empty();
                })
                .chain(found -> found.isEmpty() ? describeAndPublish(frame)
                        : publisher.publishDetections(frame, found.get())
                        .onFailure().transform(e -> new PublishFailedException(e))
                        .chain(() -> captionAfterAnalysis(frame, found.get(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0))));
    }

    private Uni<CaptionProduced> captionAfterAnalysis(CapturedFrame frame, SceneAnalysis analysis, long analysisMs) {
        String camera = frame.camera();
        EscalationRules rules = policy.rules(camera);
        if (!rules.enabled()) {
            // describe every gated frame, as without the pipeline (the detections above are the gain)
            return describe(frame).chain(outcome -> publisher.publishCaption(CaptionPublisher.caption(frame, outcome, null))
                    .onFailure().transform(e -> new PublishFailedException(e)));
        }
        SceneSignature signature = SceneSignature.of(analysis.objects(), analysis.texts(), frame.width(), frame.height(),
                rules.minScore(), frame.changeScore());
        String frameId = frame.frameId().toString();
        EscalationPolicy.Described before = policy.described(camera);
        EscalationDecision decision = policy.decide(camera, frameId, frame.capturedAt(), signature);
        if (decision.escalate()) {
            return describe(frame)
                    .invoke(outcome -> {
                        if (describing(outcome.tier())) {
                            policy.described(camera, frameId, outcome.description().text());
                        } else {
                            // the chain fell through to a local tier: not the describing tier's view, ask again next frame
                            policy.describeFailed(camera, frameId, before);
                        }
                    })
                    .onFailure().invoke(e -> policy.describeFailed(camera, frameId, before))
                    .chain(outcome -> publisher.publishCaption(CaptionPublisher.caption(frame, outcome, decision))
                            .onFailure().transform(e -> new PublishFailedException(e)));
        }
        String now = OnnxBackend.caption(analysis, frame);
        String text = decision.lastDescription() == null ? now : decision.lastDescription().strip() + " Now: " + now;
        CaptionProduced caption = new CaptionProduced(CaptionProduced.SCHEMA, frameId, camera, frame.capturedAt(),
                System.currentTimeMillis(), Tier.ONNX.id(), OnnxBackend.model(), text, analysisMs, List.of(), Boolean.FALSE,
                decision.reason(), decision.detail(), decision.describedFrameId());
        return publisher.publishCaption(caption).onFailure().transform(e -> new PublishFailedException(e));
    }

    private void process(Pending pending) {
        CapturedFrame frame = pending.frame();
        Uni<CaptionProduced> work = analysing() ? analyseAndPublish(frame) : describeAndPublish(frame);
        work.ifNoItem().after(frameTimeout).failWith(() -> new AllTiersFailedException(
                        List.of("not described within " + frameTimeout.toSeconds() + " s")))
                .subscribe().with(
                        caption -> {
                            lag.record(Math.max(0, caption.captionedAt() - frame.capturedAt()), TimeUnit.MILLISECONDS);
                            registry.counter("sightline.captions.published", "backend", caption.backend()).increment();
                            pending.message().ack();
                            done(frame);
                        },
                        failure -> {
                            synchronized (this) {
                                // a retry of a dead-lettered frame may try again
                                RecentFrameIds ids = recent.get(frame.camera());
                                if (ids != null) {
                                    ids.forget(frame.frameId());
                                }
                            }
                            deadLetter(pending.message(), frame, failure);
                            done(frame);
                        });
    }

    private void done(CapturedFrame frame) {
        images.release(frame.frameId());
        synchronized (this) {
            inFlight--;
            CameraSlot slot = slots.get(frame.camera());
            slot.busy = false;
            if (slot.waiting != null) {
                ready.add(frame.camera());
            } else {
                slots.remove(frame.camera());
            }
        }
        pump();
    }

    private void deadLetter(Message<byte[]> message, CapturedFrame frame, Throwable failure) {
        String stage = failure instanceof InvalidFrameException ? STAGE_DECODE
                : failure instanceof PublishFailedException ? STAGE_PUBLISH : STAGE_DESCRIBE;
        Log.warnf("Frame %s of camera %s goes to frames.dlq (%s): %s", frame.frameId(), frame.camera(), stage, failure.getMessage());
        DeadLetters.nack(message, failure, stage, registry);
    }

    /** Kafka did not acknowledge the caption. */
    static final class PublishFailedException extends RuntimeException {
        PublishFailedException(Throwable cause) {
            super("caption could not be published: " + cause.getMessage(), cause);
        }
    }
}
