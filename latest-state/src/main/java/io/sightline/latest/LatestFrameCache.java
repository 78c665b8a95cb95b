package io.sightline.latest;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.logging.Log;
import io.quarkus.scheduler.Scheduled;
import io.sightline.common.event.CaptionProduced;
import io.sightline.common.event.DetectionsProduced;
import io.sightline.common.frame.CapturedFrame;
import io.sightline.common.frame.InvalidFrameException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The newest frame, caption and detections of every camera, bounded: frames are kept as published
 * (header-checked, refused above a byte limit) and re-encoded (longest side, JPEG quality) only when a
 * query or watch iteration reads them, once per frame; they expire after a TTL, and at most
 * {@code max-cameras} cameras are kept (the least recently updated one is evicted). Newer always
 * wins by capture time, so replays and out-of-order delivery cannot roll a camera back.
 */
@ApplicationScoped
public class LatestFrameCache implements LatestFrames {

    /** Rough heap cost of one cached event apart from its strings (record headers, lists, boxes). */
    private static final int EVENT_OVERHEAD_BYTES = 256;
    private static final int DETECTION_BYTES = 96;

    /** Outcome of offering a frame to the cache. */
    enum Offer { STORED, STALE, SUPERSEDED, DUPLICATE }

    private record Entry(FrameSlot frame, long lastFrameCapturedAt, CaptionProduced caption,
                         DetectionsProduced detections, long updatedAt) {
    }

    /**
     * The newest frame of a camera. Most frames are replaced before anyone reads them, so decoding and
     * re-encoding wait for the first read and are then kept for every later read of the same frame.
     */
    private final class FrameSlot {
        private final UUID frameId;
        private final long capturedAt;
        private CapturedFrame published;
        private CapturedFrame reencoded;
        private boolean unusable;
        private boolean released;

        FrameSlot(CapturedFrame published) {
            this.frameId = published.frameId();
            this.capturedAt = published.capturedAt();
            this.published = published;
        }

        UUID frameId() {
            return frameId;
        }

        long capturedAt() {
            return capturedAt;
        }

        synchronized long heldBytes() {
            return reencoded != null ? reencoded.sizeBytes() : published == null ? 0 : published.sizeBytes();
        }

        /** Takes the slot out of the byte count; returns what it held. */
        synchronized long release() {
            released = true;
            return heldBytes();
        }

        /** The re-encoded frame, computed on the first call; null when the frame turned out not to decode. */
        synchronized CapturedFrame reencoded() {
            if (reencoded != null || unusable) {
                return reencoded;
            }
            long before = published.sizeBytes();
            long start = System.nanoTime();
            try {
                CapturedFrame result = reencoder.reencode(published);
                if (result.sizeBytes() > limits.maxFrameBytes()) {
                    throw new InvalidFrameException("frame is " + result.sizeBytes() + " bytes after re-encoding to "
                            + result.width() + "x" + result.height() + ", above the cache limit of " + limits.maxFrameBytes());
                }
                reencoded = result;
            } catch (InvalidFrameException e) {
                unusable = true;
                count("sightline.latest.frames", "outcome", "rejected");
                Log.warnf("Frame %s of camera %s cannot be served: %s", frameId, published.camera(), e.getMessage());
            } finally {
                reencodeTimer.record(System.nanoTime() - start, java.util.concurrent.TimeUnit.NANOSECONDS);
            }
            published = null;
            if (!released) {
                frameBytes.addAndGet((reencoded == null ? 0 : reencoded.sizeBytes()) - before);
            }
            return reencoded;
        }
    }

    private final CacheLimits limits;
    private final FrameReencoder reencoder;
    private final Clock clock;
    private final ConcurrentHashMap<String, Entry> cameras = new ConcurrentHashMap<>();
    private final AtomicLong frameBytes = new AtomicLong();
    private final Timer reencodeTimer;
    private final MeterRegistry registry;

    @Inject
    LatestFrameCache(LatestStateConfig config, MeterRegistry registry) {
        this(CacheLimits.from(config), Clock.systemUTC(), registry);
    }

    LatestFrameCache(CacheLimits limits, Clock clock, MeterRegistry registry) {
        this.limits = limits;
        this.reencoder = new FrameReencoder(limits.maxSide(), limits.jpegQuality());
        this.clock = clock;
        this.registry = registry;
        Gauge.builder("sightline.latest.cameras", cameras, Map::size)
                .description("Cameras the latest-frame cache knows").register(registry);
        Gauge.builder("sightline.latest.frame.bytes", frameBytes, AtomicLong::get)
                .description("Bytes of cached frames (as published until first read, then re-encoded JPEG)").baseUnit("bytes").register(registry);
        Gauge.builder("sightline.latest.memory.bytes", this, LatestFrameCache::estimatedBytes)
                .description("Estimated heap held by the cache: frames plus captions and detections").baseUnit("bytes")
                .register(registry);
        this.reencodeTimer = Timer.builder("sightline.latest.reencode")
                .description("Decoding, downscaling and JPEG encoding of a frame, on its first read").register(registry);
    }

    // ---- LatestFrames -----------------------------------------------------------------------------

    @Override
    public Optional<CapturedFrame> frame(String camera) {
        Entry entry = cameras.get(camera);
        return entry == null ? Optional.empty() : Optional.ofNullable(liveFrame(entry));
    }

    @Override
    public Optional<CaptionProduced> caption(String camera) {
        Entry entry = cameras.get(camera);
        return entry == null ? Optional.empty() : Optional.ofNullable(entry.caption());
    }

    @Override
    public Optional<DetectionsProduced> detections(String camera) {
        Entry entry = cameras.get(camera);
        return entry == null ? Optional.empty() : Optional.ofNullable(entry.detections());
    }

    @Override
    public boolean knows(String camera) {
        return camera != null && cameras.containsKey(camera);
    }

    /** Everything known of the camera, read from one snapshot. */
    public Optional<CameraView> view(String camera) {
        Entry entry = camera == null ? null : cameras.get(camera);
        if (entry == null) {
            return Optional.empty();
        }
        return Optional.of(new CameraView(camera, Optional.ofNullable(liveFrame(entry)),
                entry.lastFrameCapturedAt() > 0 ? OptionalLong.of(entry.lastFrameCapturedAt()) : OptionalLong.empty(),
                Optional.ofNullable(entry.caption()), Optional.ofNullable(entry.detections()), entry.updatedAt()));
    }

    /** Camera ids currently known, sorted. */
    public List<String> cameras() {
        List<String> ids = new ArrayList<>(cameras.keySet());
        ids.sort(Comparator.naturalOrder());
        return ids;
    }

    public long frameTtlMs() {
        return limits.frameTtl().toMillis();
    }

    // ---- feeding ----------------------------------------------------------------------------------

    /**
     * Stores the frame as published unless a newer one is cached or it is already past its TTL. Only the
     * header is checked here; decoding and re-encoding wait until the frame is read.
     *
     * @throws InvalidFrameException when the bytes are no complete image or are above the size limit
     */
    Offer offerFrame(CapturedFrame published) {
        long now = clock.millis();
        Offer early = precheck(published, now);
        if (early != null) {
            count("sightline.latest.frames", "outcome", early.name().toLowerCase());
            return early;
        }
        try {
            FrameReencoder.checkHeader(published.image());
            if (published.sizeBytes() > limits.maxFrameBytes()) {
                throw new InvalidFrameException("frame is " + published.sizeBytes() + " bytes as published, above the cache limit of "
                        + limits.maxFrameBytes());
            }
        } catch (InvalidFrameException e) {
            count("sightline.latest.frames", "outcome", "rejected");
            throw e;
        }
        FrameSlot slot = new FrameSlot(published);
        Offer[] outcome = {Offer.STORED};
        cameras.compute(published.camera(), (camera, old) -> {
            if (old != null && old.frame() != null) {
                if (old.frame().frameId().equals(slot.frameId())) {
                    outcome[0] = Offer.DUPLICATE;
                    return old;
                }
                if (old.frame().capturedAt() > slot.capturedAt()) {
                    outcome[0] = Offer.SUPERSEDED;
                    return old;
                }
            }
            frameBytes.addAndGet(slot.heldBytes() - (old == null || old.frame() == null ? 0 : old.frame().release()));
            long lastCaptured = Math.max(slot.capturedAt(), old == null ? 0 : old.lastFrameCapturedAt());
            return old == null
                    ? new Entry(slot, lastCaptured, null, null, now)
                    : new Entry(slot, lastCaptured, old.caption(), old.detections(), now);
        });
        count("sightline.latest.frames", "outcome", outcome[0].name().toLowerCase());
        if (outcome[0] == Offer.STORED) {
            enforceCameraCap(published.camera());
            Log.debugf("Cached frame %s of camera %s (%dx%d, %d B as published)", published.frameId(), published.camera(),
                    published.width(), published.height(), published.sizeBytes());
        }
        return outcome[0];
    }

    /** Stores the caption unless a newer one (by capture time of its frame) is cached; true when stored. */
    boolean offerCaption(CaptionProduced caption) {
        long now = clock.millis();
        boolean[] stored = {false};
        cameras.compute(caption.camera(), (camera, old) -> {
            if (old != null && old.caption() != null && !isNewer(caption.capturedAt(), caption.frameId(),
                    old.caption().capturedAt(), old.caption().frameId())) {
                return old;
            }
            stored[0] = true;
            return old == null
                    ? new Entry(null, 0, caption, null, now)
                    : new Entry(old.frame(), old.lastFrameCapturedAt(), caption, old.detections(), now);
        });
        count("sightline.latest.events", "type", "caption", "outcome", stored[0] ? "stored" : "older");
        if (stored[0]) {
            enforceCameraCap(caption.camera());
        }
        return stored[0];
    }

    /** Stores the detections unless newer ones are cached; true when stored. */
    boolean offerDetections(DetectionsProduced detections) {
        long now = clock.millis();
        boolean[] stored = {false};
        cameras.compute(detections.camera(), (camera, old) -> {
            if (old != null && old.detections() != null && !isNewer(detections.capturedAt(), detections.frameId(),
                    old.detections().capturedAt(), old.detections().frameId())) {
                return old;
            }
            stored[0] = true;
            return old == null
                    ? new Entry(null, 0, null, detections, now)
                    : new Entry(old.frame(), old.lastFrameCapturedAt(), old.caption(), detections, now);
        });
        count("sightline.latest.events", "type", "detections", "outcome", stored[0] ? "stored" : "older");
        if (stored[0]) {
            enforceCameraCap(detections.camera());
        }
        return stored[0];
    }

    /** Drops frames past their TTL and cameras not updated within the camera TTL. */
    @Scheduled(every = "${sightline.latest-state.sweep-interval:10s}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void sweep() {
        long now = clock.millis();
        long cameraTtl = limits.cameraTtl().toMillis();
        for (String camera : List.copyOf(cameras.keySet())) {
            cameras.computeIfPresent(camera, (id, entry) -> {
                if (now - entry.updatedAt() > cameraTtl) {
                    if (entry.frame() != null) {
                        frameBytes.addAndGet(-entry.frame().release());
                    }
                    count("sightline.latest.evictions", "reason", "camera-ttl");
                    Log.infof("Forgot camera %s: nothing new for %s", id, limits.cameraTtl());
                    return null;
                }
                if (entry.frame() != null && expired(entry.frame(), now)) {
                    frameBytes.addAndGet(-entry.frame().release());
                    count("sightline.latest.evictions", "reason", "frame-ttl");
                    return new Entry(null, entry.lastFrameCapturedAt(), entry.caption(), entry.detections(), entry.updatedAt());
                }
                return entry;
            });
        }
    }

    /** Estimated heap held: cached frame bytes plus an estimate for captions and detections. */
    public long memoryBytes() {
        return estimatedBytes();
    }

    long estimatedBytes() {
        long events = 0;
        for (Entry entry : cameras.values()) {
            if (entry.caption() != null) {
                events += EVENT_OVERHEAD_BYTES + 2L * (entry.caption().text() == null ? 0 : entry.caption().text().length());
            }
            if (entry.detections() != null) {
                events += EVENT_OVERHEAD_BYTES + (long) DETECTION_BYTES
                        * (entry.detections().detections().size() + entry.detections().texts().size());
                for (DetectionsProduced.RecognizedText text : entry.detections().texts()) {
                    events += 2L * (text.text() == null ? 0 : text.text().length());
                }
            }
        }
        return frameBytes.get() + events;
    }

    private Offer precheck(CapturedFrame frame, long now) {
        if (now - frame.capturedAt() > limits.frameTtl().toMillis()) {
            return Offer.STALE;
        }
        Entry current = cameras.get(frame.camera());
        if (current != null && current.frame() != null) {
            if (current.frame().frameId().equals(frame.frameId())) {
                return Offer.DUPLICATE;
            }
            if (current.frame().capturedAt() > frame.capturedAt()) {
                return Offer.SUPERSEDED;
            }
        }
        return null;
    }

    private CapturedFrame liveFrame(Entry entry) {
        return liveFrame(entry, clock.millis());
    }

    private CapturedFrame liveFrame(Entry entry, long now) {
        FrameSlot frame = entry.frame();
        if (frame == null || expired(frame, now)) {
            return null;
        }
        return frame.reencoded();
    }

    private boolean expired(FrameSlot frame, long now) {
        return now - frame.capturedAt() > limits.frameTtl().toMillis();
    }

    private static boolean isNewer(long capturedAt, String frameId, long oldCapturedAt, String oldFrameId) {
        if (frameId != null && frameId.equals(oldFrameId)) {
            return false;
        }
        return capturedAt >= oldCapturedAt;
    }

    private void enforceCameraCap(String justUpdated) {
        while (cameras.size() > limits.maxCameras()) {
            String oldest = null;
            long oldestAt = Long.MAX_VALUE;
            for (Map.Entry<String, Entry> e : cameras.entrySet()) {
                if (!e.getKey().equals(justUpdated) && e.getValue().updatedAt() < oldestAt) {
                    oldest = e.getKey();
                    oldestAt = e.getValue().updatedAt();
                }
            }
            if (oldest == null) {
                return;
            }
            Entry removed = cameras.remove(oldest);
            if (removed != null) {
                if (removed.frame() != null) {
                    frameBytes.addAndGet(-removed.frame().release());
                }
                count("sightline.latest.evictions", "reason", "capacity");
                Log.warnf("Evicted camera %s from the latest-frame cache: more than %d cameras (raise sightline.latest-state.max-cameras)",
                        oldest, limits.maxCameras());
            }
        }
    }

    private void count(String name, String... tags) {
        registry.counter(name, tags).increment();
    }
}
