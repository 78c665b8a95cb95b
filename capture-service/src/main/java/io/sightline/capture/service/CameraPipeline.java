package io.sightline.capture.service;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.quarkus.logging.Log;
import io.sightline.capture.camera.CameraSpec;
import io.sightline.capture.gate.ChangeGate;
import io.sightline.capture.image.FrameNormaliser;
import io.sightline.capture.image.ImageRejectedException;
import io.sightline.capture.image.NormalisedFrame;
import io.sightline.capture.publish.FramePublisher;
import io.sightline.capture.publish.LatestFrameLane;
import io.sightline.capture.source.FrameFeed;
import io.sightline.capture.source.PulledSource;
import io.sightline.common.frame.CapturedFrame;
import io.sightline.common.kafka.FrameSource;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * One running camera: its source thread (if pulled), rate sampling, change gate and publishing lane,
 * plus its counters and meters. Built by {@link CameraRegistry}; closed when the camera is removed
 * or replaced.
 */
final class CameraPipeline implements FrameFeed {

    /** Everything a pipeline needs from the service, resolved once. */
    record Wiring(FrameNormaliser normaliser, FramePublisher publisher, Tracer tracer, MeterRegistry registry,
                  java.time.Duration publishTimeout, int cellThreshold, String defaultTimeZone) {
    }

    private final CameraSpec spec;
    /** The camera's IANA time zone (its own, else the service default), sent with every frame. */
    private final String timeZone;
    private final double fps;
    private final Wiring wiring;
    private final CameraStats stats;
    private final ChangeGate gate;
    private final LatestFrameLane lane;
    private final AtomicLong seq = new AtomicLong(System.currentTimeMillis() * 1000);
    private final List<Meter> meters = new ArrayList<>();
    private final Timer preprocessTimer;
    private final long intervalNanos;
    private PulledSource source;
    private long nextDueNanos;
    private volatile boolean closed;

    CameraPipeline(CameraSpec spec, double fps, double threshold, long keepAliveNanos, Wiring wiring) {
        this.spec = spec;
        this.fps = fps;
        this.wiring = wiring;
        this.stats = new CameraStats(spec.source().type().pulled());
        this.gate = new ChangeGate(threshold, keepAliveNanos, wiring.cellThreshold());
        this.intervalNanos = (long) (1_000_000_000L / fps);
        this.timeZone = spec.timeZone() != null ? spec.timeZone() : wiring.defaultTimeZone();
        this.lane = new LatestFrameLane(wiring.publisher(), timeZone, wiring.publishTimeout(), new LaneOutcome());
        Tags tags = Tags.of("camera", spec.id());
        MeterRegistry registry = wiring.registry();
        counter(registry, "sightline.capture.frames.in", "Frames received from the source", tags, stats.framesIn);
        counter(registry, "sightline.capture.frames.published", "Frames Kafka acknowledged", tags, stats.framesPublished);
        counter(registry, "sightline.capture.frames.gated", "Sampled frames held back by the change gate", tags, stats.framesGated);
        counter(registry, "sightline.capture.frames.dropped", "Frames replaced by a newer one while Kafka was busy", tags, stats.framesDropped);
        counter(registry, "sightline.capture.publish.failures", "Frames Kafka refused or did not acknowledge in time", tags, stats.publishFailures);
        counter(registry, "sightline.capture.source.errors", "Source failures (connection, stream, bad image)", tags, stats.sourceErrors);
        gauge(registry, "sightline.capture.publish.waiting", "Frames waiting for Kafka behind the one in flight (0 or 1)", tags, p -> (double) p.lane.waitingCount());
        gauge(registry, "sightline.capture.source.connected", "1 while the source delivers", tags, p -> p.stats.connected(System.currentTimeMillis()) ? 1.0 : 0.0);
        gauge(registry, "sightline.capture.source.degraded", "1 while the camera is degraded", tags, p -> p.stats.state() == CameraStats.State.DEGRADED || p.stats.state() == CameraStats.State.UNAUTHORIZED ? 1.0 : 0.0);
        gauge(registry, "sightline.capture.fps.in", "Frames per second from the source (5 s average)", tags, p -> p.stats.snapshot(System.currentTimeMillis()).fpsIn());
        gauge(registry, "sightline.capture.fps.out", "Frames per second published (5 s average)", tags, p -> p.stats.snapshot(System.currentTimeMillis()).fpsOut());
        preprocessTimer = Timer.builder("sightline.capture.preprocess").description("Decode, orient, downscale and encode one frame")
                .tags(tags).register(registry);
        meters.add(preprocessTimer);
    }

    private void counter(MeterRegistry registry, String name, String description, Tags tags, AtomicLong value) {
        meters.add(FunctionCounter.builder(name, value, AtomicLong::doubleValue).description(description).tags(tags).register(registry));
    }

    private void gauge(MeterRegistry registry, String name, String description, Tags tags, Function<CameraPipeline, Double> value) {
        meters.add(Gauge.builder(name, this, p -> value.apply(p)).description(description).tags(tags).register(registry));
    }

    void start(PulledSource pulled) {
        this.source = pulled;
        if (pulled != null) {
            pulled.start();
        }
    }

    void close() {
        closed = true;
        if (source != null) {
            source.stop();
        }
        lane.close();
        meters.forEach(wiring.registry()::remove);
        stats.stopped("removed");
    }

    CameraSpec spec() {
        return spec;
    }

    String timeZone() {
        return timeZone;
    }

    double fps() {
        return fps;
    }

    CameraStats stats() {
        return stats;
    }

    // ---- FrameFeed: called from the source thread ----

    @Override
    public void frameArrived() {
        stats.frameIn(System.currentTimeMillis());
    }

    @Override
    public boolean due() {
        long now = System.nanoTime();
        if (nextDueNanos == 0 || now - nextDueNanos >= 0) {
            // stay on the schedule, but do not try to catch up after a stall
            nextDueNanos = nextDueNanos == 0 || now - nextDueNanos > intervalNanos ? now + intervalNanos : nextDueNanos + intervalNanos;
            return true;
        }
        return false;
    }

    @Override
    public void offer(BufferedImage image, long capturedAtMillis) {
        if (closed) {
            return;
        }
        Timer.Sample sample = Timer.start();
        NormalisedFrame frame = wiring.normaliser().normalise(image, 1);
        sample.stop(preprocessTimer);
        gateAndQueue(frame, capturedAtMillis);
    }

    @Override
    public void offerEncoded(byte[] encoded, long capturedAtMillis) throws ImageRejectedException {
        if (closed) {
            return;
        }
        Timer.Sample sample = Timer.start();
        NormalisedFrame frame = wiring.normaliser().normalise(encoded);
        sample.stop(preprocessTimer);
        gateAndQueue(frame, capturedAtMillis);
    }

    private void gateAndQueue(NormalisedFrame normalised, long capturedAtMillis) {
        ChangeGate.Decision decision = gate.decide(normalised.thumbnail(), System.nanoTime());
        if (!decision.publish()) {
            stats.gated();
            return;
        }
        CapturedFrame frame = frame(normalised, capturedAtMillis, FrameSource.CAMERA, decision.score());
        Span span = wiring.tracer().spanBuilder("capture " + spec.id())
                .setAttribute("sightline.camera", spec.id())
                .setAttribute("sightline.frame_id", frame.frameId().toString())
                .setAttribute("sightline.change_score", decision.score())
                .setAttribute("sightline.gate_reason", decision.reason().name().toLowerCase())
                .startSpan();
        try (Scope ignored = span.makeCurrent()) {
            lane.offer(frame, Context.current());
        } finally {
            span.end();
        }
    }

    @Override
    public void connected() {
        stats.connected(true);
    }

    @Override
    public void failed(String message) {
        if (closed) {
            return;
        }
        stats.connected(false);
        stats.sourceFailed(message, System.currentTimeMillis());
    }

    @Override
    public void refused(String message) {
        if (closed) {
            return;
        }
        stats.connected(false);
        stats.sourceRefused(message, System.currentTimeMillis());
    }

    @Override
    public void finished(String reason) {
        Log.infof("Camera %s: source finished (%s)", spec.id(), reason);
        stats.stopped(reason);
    }

    // ---- push ----

    /** Normalises a pushed image (throws when it is no acceptable image) into a frame ready to publish. */
    CapturedFrame preparePush(byte[] body, long capturedAtMillis, FrameSource source, UUID frameId) throws ImageRejectedException {
        stats.frameIn(System.currentTimeMillis());
        Timer.Sample sample = Timer.start();
        NormalisedFrame normalised = wiring.normaliser().normalise(body);
        sample.stop(preprocessTimer);
        double score = gate.scoreAndAccept(normalised.thumbnail(), System.nanoTime());
        return frame(frameId, normalised, capturedAtMillis, source, score);
    }

    void pushPublished() {
        stats.published(System.currentTimeMillis());
    }

    void pushFailed(String message) {
        stats.publishFailed(message, System.currentTimeMillis());
    }

    void pushRejected(String message) {
        stats.rejected("rejected push: " + message, System.currentTimeMillis());
    }

    private CapturedFrame frame(NormalisedFrame normalised, long capturedAtMillis, FrameSource source, double score) {
        return frame(UUID.randomUUID(), normalised, capturedAtMillis, source, score);
    }

    private CapturedFrame frame(UUID frameId, NormalisedFrame normalised, long capturedAtMillis, FrameSource source, double score) {
        return new CapturedFrame(frameId, spec.id(), source, capturedAtMillis, normalised.width(), normalised.height(),
                CapturedFrame.JPEG, seq.incrementAndGet(), Math.round(score * 10_000) / 10_000.0, normalised.jpeg());
    }

    private final class LaneOutcome implements LatestFrameLane.Outcome {
        private volatile boolean failing;

        @Override
        public void published(CapturedFrame frame) {
            stats.published(System.currentTimeMillis());
            if (failing) {
                failing = false;
                Log.infof("Camera %s: Kafka accepts frames again", spec.id());
            }
        }

        @Override
        public void failed(CapturedFrame frame, Throwable error) {
            String message = error.getMessage() != null ? error.getMessage() : error.getClass().getSimpleName();
            stats.publishFailed(message, System.currentTimeMillis());
            if (!failing) {
                failing = true;
                Log.warnf("Camera %s: frame %s not published: %s", spec.id(), frame.frameId(), message);
            }
        }

        @Override
        public void dropped(CapturedFrame frame) {
            stats.dropped();
        }
    }
}
