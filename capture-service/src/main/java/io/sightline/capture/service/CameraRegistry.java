package io.sightline.capture.service;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.MeterRegistry;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.sightline.capture.camera.CameraSpec;
import io.sightline.capture.camera.SourceSpec;
import io.sightline.capture.camera.SourceType;
import io.sightline.capture.store.CameraStore;
import io.sightline.capture.config.CaptureConfig;
import io.sightline.capture.image.FrameNormaliser;
import io.sightline.capture.image.ImageRejectedException;
import io.sightline.capture.publish.FramePublisher;
import io.sightline.capture.source.DirectorySource;
import io.sightline.capture.source.PulledSource;
import io.sightline.capture.source.SnapshotSource;
import io.sightline.capture.source.StreamSource;
import io.sightline.common.frame.CapturedFrame;
import io.sightline.common.net.OutboundAddressPolicy;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientOptions;
import io.sightline.common.kafka.FrameSource;
import io.smallrye.mutiny.TimeoutException;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The cameras of this instance: loads them from the state directory and configuration at startup,
 * runs a pipeline per camera, applies runtime changes (persisting them before they take effect) and
 * takes pushed frames.
 */
@ApplicationScoped
public class CameraRegistry {

    private final CaptureConfig config;
    private final CameraPipeline.Wiring wiring;
    private final CameraStore store;
    private final Map<String, CameraPipeline> running = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> pendingPushes = new ConcurrentHashMap<>();
    private volatile String storeError;
    private final OutboundAddressPolicy outbound;
    private final MediaRoots media;
    private final io.vertx.core.http.HttpClient snapshots;

    CameraRegistry(CaptureConfig config, FramePublisher publisher, Tracer tracer, MeterRegistry registry, ObjectMapper mapper,
                   OutboundAddressPolicy outbound, Vertx vertx) {
        this.config = config;
        this.outbound = outbound;
        this.media = new MediaRoots(config.mediaRoots().filter(l -> !l.isEmpty())
                .map(l -> l.stream().filter(s -> !s.isBlank()).map(Path::of).toList())
                .orElse(List.of(Path.of(config.stateDir()).resolve("media"))));
        // redirects are never followed (a redirect could lead anywhere the policy refuses)
        this.snapshots = vertx.createHttpClient(new HttpClientOptions()
                .setConnectTimeout((int) config.sources().ioTimeout().toMillis())
                .setIdleTimeout((int) Math.max(1, config.sources().ioTimeout().toSeconds()))
                .setMaxPoolSize(32)
                // a fresh connection per poll: cameras' HTTP servers are often poor at keep-alive, and a
                // stale pooled connection stalled polls here
                .setKeepAlive(false)
                .setVerifyHost(true));
        CaptureConfig.Image image = config.image();
        this.wiring = new CameraPipeline.Wiring(
                new FrameNormaliser(image.maxLongSide(), image.jpegQuality(), image.maxBytes(), image.maxPixels()),
                publisher, tracer, registry, config.publish().pushTimeout().multipliedBy(6), config.gate().cellThreshold(),
                config.timeZone().filter(z -> !z.isBlank()).map(z -> CameraSpecValidator.timeZone(z, "sightline.capture.time-zone"))
                        .orElse("UTC"));
        this.store = new CameraStore(Path.of(config.stateDir()), mapper);
    }

    void onStart(@Observes StartupEvent event) {
        try {
            // the default root exists, so the media/ folder users are told about is there to fill
            java.nio.file.Files.createDirectories(media.roots().get(0));
        } catch (IOException | RuntimeException e) {
            Log.debugf("media root %s not created: %s", media.roots().get(0), e.getMessage());
        }
        Map<String, CameraSpec> cameras = new LinkedHashMap<>();
        try {
            for (CameraSpec stored : store.load().values()) {
                SourceSpec source = stored.source();
                if (source != null && source.path() != null) {
                    // stored before media roots existed, or a root was narrowed since: held to today's roots
                    // (URLs need no check here: every connect vets them again)
                    try {
                        media.resolve(source.path(), source.type() == SourceType.DIRECTORY);
                    } catch (CaptureRejection e) {
                        Log.errorf("Stored camera %s not started: %s", stored.id(), e.getMessage());
                        continue;
                    }
                }
                cameras.put(stored.id(), stored);
            }
        } catch (IOException | RuntimeException e) {
            storeError = "cannot read " + store.file() + ": " + e.getMessage();
            Log.errorf("Camera store unreadable, starting without stored cameras and refusing to overwrite it: %s", storeError);
        }
        boolean seeded = false;
        for (Map.Entry<String, CaptureConfig.SeededCamera> entry : config.cameras().entrySet()) {
            CaptureConfig.SeededCamera seed = entry.getValue();
            try {
                CameraSpec spec = CameraSpecValidator.validate(entry.getKey(), new CameraSpec(entry.getKey(),
                        new SourceSpec(SourceType.parse(seed.source().type()), seed.source().url().orElse(null),
                                seed.source().path().orElse(null), seed.source().loop()),
                        seed.fps().orElse(null), seed.changeThreshold().orElse(null),
                        seed.keepAlive().map(d -> d.toMillis() / 1000.0).orElse(null), seed.timeZone().orElse(null)), outbound, media);
                seeded |= !spec.equals(cameras.put(spec.id(), spec));
            } catch (CaptureRejection | IllegalArgumentException e) {
                Log.errorf("Configured camera %s ignored: %s", entry.getKey(), e.getMessage());
            }
        }
        if (seeded && storeError == null) {
            persist(cameras);
        }
        cameras.values().forEach(this::launch);
        Log.infof("capture-service running %d camera(s); configuration in %s", running.size(), store.file());
    }

    void onStop(@Observes ShutdownEvent event) {
        running.values().forEach(CameraPipeline::close);
        running.clear();
        snapshots.close();
    }

    public List<CameraView> list() {
        return running.values().stream().map(this::view).sorted(Comparator.comparing(CameraView::id)).toList();
    }

    public Optional<CameraView> get(String id) {
        return Optional.ofNullable(running.get(id)).map(this::view);
    }

    /** Creates or replaces a camera; true when it was created. The change is on disk before it runs. */
    public synchronized boolean put(String id, CameraSpec body) {
        CameraSpec spec = CameraSpecValidator.validate(id, body, outbound, media);
        boolean created = !running.containsKey(id);
        Map<String, CameraSpec> next = specs();
        next.put(id, spec);
        persistOrFail(next);
        CameraPipeline old = running.remove(id);
        if (old != null) {
            old.close();
        }
        launch(spec);
        Log.infof("Camera %s %s: %s", id, created ? "added" : "replaced", spec.source().describe());
        return created;
    }

    public synchronized boolean delete(String id) {
        if (!running.containsKey(id)) {
            return false;
        }
        Map<String, CameraSpec> next = specs();
        next.remove(id);
        persistOrFail(next);
        CameraPipeline old = running.remove(id);
        if (old != null) {
            old.close();
        }
        pendingPushes.remove(id);
        Log.infof("Camera %s removed", id);
        return true;
    }

    /** Cameras whose source is failing, with their last error; for readiness. */
    public Map<String, String> degraded() {
        Map<String, String> out = new LinkedHashMap<>();
        long now = System.currentTimeMillis();
        running.values().stream().sorted(Comparator.comparing(p -> p.spec().id())).forEach(p -> {
            CameraStats.Snapshot s = p.stats().snapshot(now);
            if (s.state() == CameraStats.State.DEGRADED || s.state() == CameraStats.State.UNAUTHORIZED) {
                out.put(p.spec().id(), s.lastError() == null ? "not connected yet" : s.lastError());
            }
        });
        return out;
    }

    public int count() {
        return running.size();
    }

    public String storeError() {
        return storeError;
    }

    /**
     * Normalises and publishes a pushed image; the Uni completes once Kafka acknowledged it, or fails
     * with a {@link CaptureRejection} (404 unknown camera, 409 not a push camera, 400/413 bad image,
     * 503 Kafka not taking it within the push timeout: the record may still be delivered later, which is why
     * a client-supplied {@code frameId} (from an Idempotency-Key) makes a retry carry the same id).
     */
    public Uni<PushResult> push(String cameraId, byte[] body, long capturedAt, FrameSource source, Optional<UUID> frameId,
                                Context trace) {
        CameraPipeline pipeline = pushTarget(cameraId);
        AtomicInteger pending = pendingPushes.computeIfAbsent(cameraId, k -> new AtomicInteger());
        CaptureConfig.Publish publish = config.publish();
        CapturedFrame frame;
        try {
            frame = pipeline.preparePush(body, capturedAt, source, frameId.orElseGet(UUID::randomUUID));
        } catch (ImageRejectedException e) {
            pipeline.pushRejected(e.getMessage());
            int status = e.kind() == ImageRejectedException.Kind.TOO_MANY_BYTES || e.kind() == ImageRejectedException.Kind.TOO_MANY_PIXELS ? 413 : 400;
            throw new CaptureRejection(status, errorCode(e.kind()), e.getMessage());
        }
        if (pending.incrementAndGet() > publish.maxPendingPushes()) {
            pending.decrementAndGet();
            pipeline.pushFailed("too many unacknowledged pushes");
            throw new CaptureRejection(503, "kafka_busy", "Kafka has not acknowledged " + publish.maxPendingPushes()
                    + " earlier frames of camera " + cameraId + " yet; retry later", publish.retryAfterSeconds());
        }
        return wiring.publisher().publish(frame, pipeline.timeZone(), trace)
                .ifNoItem().after(publish.pushTimeout()).fail()
                .onItemOrFailure().invoke((ignored, failure) -> pending.decrementAndGet())
                .onItem().transform(ignored -> {
                    pipeline.pushPublished();
                    return new PushResult(frame.frameId(), cameraId, frame.width(), frame.height(), frame.seq(),
                            frame.changeScore(), frame.sizeBytes());
                })
                .onFailure().transform(failure -> {
                    String why = failure instanceof TimeoutException
                            ? "Kafka did not acknowledge the frame within " + publish.pushTimeout().toMillis() + " ms"
                            : "Kafka refused the frame: " + failure.getMessage();
                    pipeline.pushFailed(why);
                    Log.warnf("Push to camera %s not published: %s", cameraId, why);
                    return new CaptureRejection(503, "kafka_unavailable", why + "; retry later", publish.retryAfterSeconds());
                });
    }

    private CameraPipeline pushTarget(String cameraId) {
        CameraPipeline pipeline = running.get(cameraId);
        if (pipeline == null) {
            if (!config.autoRegister()) {
                CameraSpecValidator.checkId(cameraId);
                throw CaptureRejection.notFound("camera '" + cameraId + "' is not registered (PUT /api/v1/cameras/" + cameraId
                        + " with a push source first)");
            }
            synchronized (this) {
                if (!running.containsKey(cameraId)) {
                    put(cameraId, new CameraSpec(cameraId, new SourceSpec(SourceType.PUSH, null, null, null), null, null, null));
                }
            }
            pipeline = running.get(cameraId);
        }
        if (pipeline.spec().source().type() != SourceType.PUSH) {
            throw new CaptureRejection(409, "not_a_push_camera", "camera '" + cameraId + "' takes its frames from its "
                    + pipeline.spec().source().type().jsonName() + " source, not from pushes");
        }
        return pipeline;
    }

    private static String errorCode(ImageRejectedException.Kind kind) {
        return switch (kind) {
            case EMPTY -> "empty_body";
            case NOT_AN_IMAGE -> "not_an_image";
            case TRUNCATED -> "corrupt_image";
            case TOO_MANY_BYTES -> "image_too_large";
            case TOO_MANY_PIXELS -> "too_many_pixels";
        };
    }

    private void launch(CameraSpec spec) {
        CaptureConfig.Gate gate = config.gate();
        double fps = spec.fps() != null ? spec.fps() : gate.defaultFps();
        double threshold = spec.changeThreshold() != null ? spec.changeThreshold() : gate.changeThreshold();
        long keepAliveNanos = spec.keepAliveSeconds() != null ? (long) (spec.keepAliveSeconds() * 1e9) : gate.keepAlive().toNanos();
        CameraPipeline pipeline = new CameraPipeline(spec, fps, threshold, keepAliveNanos, wiring);
        running.put(spec.id(), pipeline);
        CaptureConfig.Sources sources = config.sources();
        PulledSource.SourceSettings settings = new PulledSource.SourceSettings(sources.reconnectInitial(), sources.reconnectMax(),
                sources.ioTimeout(), fps, config.image().maxBytes(), outbound, snapshots);
        PulledSource source = switch (spec.source().type()) {
            case RTSP, MJPEG, FILE -> new StreamSource(spec.id(), spec.source(), pipeline, settings);
            case SNAPSHOT -> new SnapshotSource(spec.id(), spec.source(), pipeline, settings);
            case DIRECTORY -> new DirectorySource(spec.id(), spec.source(), pipeline, settings);
            case PUSH -> null;
        };
        pipeline.start(source);
    }

    private Map<String, CameraSpec> specs() {
        Map<String, CameraSpec> specs = new LinkedHashMap<>();
        running.forEach((id, p) -> specs.put(id, p.spec()));
        return specs;
    }

    private void persistOrFail(Map<String, CameraSpec> cameras) {
        if (storeError != null) {
            throw new CaptureRejection(503, "state_unavailable", "camera changes are refused because the stored configuration "
                    + "could not be read (" + storeError + "); fix or remove the file and restart");
        }
        try {
            store.save(cameras);
        } catch (IOException e) {
            throw new CaptureRejection(503, "state_unavailable", "could not save the camera configuration to "
                    + store.file() + ": " + e.getMessage());
        }
    }

    private void persist(Map<String, CameraSpec> cameras) {
        try {
            store.save(cameras);
        } catch (IOException e) {
            Log.errorf("Could not save the camera configuration to %s: %s", store.file(), e.getMessage());
        }
    }

    private CameraView view(CameraPipeline pipeline) {
        CameraSpec spec = pipeline.spec();
        CameraStats.Snapshot s = pipeline.stats().snapshot(System.currentTimeMillis());
        CaptureConfig.Gate gate = config.gate();
        return new CameraView(spec.id(), spec.source().redacted(), pipeline.fps(),
                spec.changeThreshold() != null ? spec.changeThreshold() : gate.changeThreshold(),
                spec.keepAliveSeconds() != null ? spec.keepAliveSeconds() : gate.keepAlive().toMillis() / 1000.0, pipeline.timeZone(),
                new CameraView.Status(s.state().name().toLowerCase(), s.connected(), round(s.fpsIn()), round(s.fpsOut()),
                        s.framesIn(), s.framesPublished(), s.framesGated(), s.framesDropped(), s.publishFailures(),
                        s.sourceErrors(), instant(s.lastFrameAt()), instant(s.lastPublishedAt()), s.lastError(),
                        instant(s.lastErrorAt()), s.stoppedReason()));
    }

    private static double round(double value) {
        return Math.round(value * 100) / 100.0;
    }

    private static Instant instant(long millis) {
        return millis == 0 ? null : Instant.ofEpochMilli(millis);
    }
}
