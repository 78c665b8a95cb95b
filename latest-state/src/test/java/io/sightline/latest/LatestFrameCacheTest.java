package io.sightline.latest;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sightline.common.event.CaptionProduced;
import io.sightline.common.event.DetectionsProduced;
import io.sightline.common.frame.CapturedFrame;
import io.sightline.common.frame.InvalidFrameException;
import io.sightline.common.kafka.FrameSource;
import io.sightline.testsupport.TestImages;
import org.junit.jupiter.api.Test;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Random;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LatestFrameCacheTest {

    private static final long T0 = 1_750_000_000_000L;

    /** A clock the test moves by hand. */
    static final class ManualClock extends Clock {
        long now = T0;

        @Override
        public ZoneId getZone() {
            return ZoneId.of("UTC");
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(now);
        }
    }

    private final ManualClock clock = new ManualClock();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    private LatestFrameCache cache(int maxCameras, int maxFrameBytes) {
        return new LatestFrameCache(new CacheLimits(maxFrameBytes, Duration.ofSeconds(300), Duration.ofHours(1), maxCameras, 1024, 85),
                clock, registry);
    }

    private static CapturedFrame frame(String camera, long capturedAt, byte[] image) {
        return new CapturedFrame(UUID.randomUUID(), camera, FrameSource.CAMERA, capturedAt, 0, 0,
                image[0] == (byte) 0x89 ? CapturedFrame.PNG : CapturedFrame.JPEG, 1, 1.0, image);
    }

    private static byte[] jpeg(int w, int h) {
        return TestImages.encodeJpeg(TestImages.scene(w, h, Color.BLUE, 5, 5), 0.9f);
    }

    @Test
    void keepsTheNewestFrameByCaptureTimeWhateverTheArrivalOrder() {
        LatestFrameCache cache = cache(10, 1 << 20);
        CapturedFrame newer = frame("door", T0, jpeg(320, 240));
        CapturedFrame older = frame("door", T0 - 5_000, jpeg(320, 240));

        assertThat(cache.offerFrame(newer)).isEqualTo(LatestFrameCache.Offer.STORED);
        assertThat(cache.offerFrame(older)).isEqualTo(LatestFrameCache.Offer.SUPERSEDED);
        assertThat(cache.offerFrame(newer)).isEqualTo(LatestFrameCache.Offer.DUPLICATE);

        assertThat(cache.frame("door")).map(CapturedFrame::frameId).contains(newer.frameId());
    }

    @Test
    void reencodesToJpegWithTheLongestSideAt1024() {
        LatestFrameCache cache = cache(10, 1 << 20);
        cache.offerFrame(frame("yard", T0, TestImages.encodePng(TestImages.scene(1280, 2000, Color.GREEN, 5, 5))));

        CapturedFrame cached = cache.frame("yard").orElseThrow();
        assertThat(cached.contentType()).isEqualTo(CapturedFrame.JPEG);
        assertThat(new int[] {cached.width(), cached.height()}).containsExactly(655, 1024);
        BufferedImage decoded = TestImages.decode(cached.image());
        assertThat(decoded.getWidth()).isEqualTo(655);
        assertThat(decoded.getHeight()).isEqualTo(1024);
    }

    @Test
    void consumingFramesDecodesNothingAndReadsReencodeOncePerFrame() {
        LatestFrameCache cache = cache(10, 1 << 20);
        byte[] big = TestImages.encodeJpeg(TestImages.scene(1280, 720, Color.GREEN, 5, 5), 0.85f);
        for (int i = 0; i < 20; i++) {
            cache.offerFrame(frame("yard", T0 + i, big));
        }
        assertThat(registry.get("sightline.latest.reencode").timer().count()).isZero();

        CapturedFrame first = cache.frame("yard").orElseThrow();
        CapturedFrame again = cache.frame("yard").orElseThrow();
        cache.view("yard").orElseThrow().frame().orElseThrow();

        assertThat(registry.get("sightline.latest.reencode").timer().count()).isEqualTo(1);
        assertThat(again).isSameAs(first);
        assertThat(new int[] {first.width(), first.height()}).containsExactly(1024, 576);
        assertThat(first.capturedAt()).isEqualTo(T0 + 19);

        cache.offerFrame(frame("yard", T0 + 20, big));
        cache.frame("yard").orElseThrow();
        assertThat(registry.get("sightline.latest.reencode").timer().count()).isEqualTo(2);
    }

    @Test
    void framesExpireAfterTheTtlButTheCameraStaysKnown() {
        LatestFrameCache cache = cache(10, 1 << 20);
        cache.offerFrame(frame("porch", T0, jpeg(64, 48)));
        clock.now = T0 + 300_000;
        assertThat(cache.frame("porch")).isPresent();

        clock.now = T0 + 300_001;
        assertThat(cache.frame("porch")).isEmpty();
        assertThat(cache.knows("porch")).isTrue();
        assertThat(cache.view("porch").orElseThrow().lastFrameCapturedAt()).hasValue(T0);

        cache.sweep();
        assertThat(registry.get("sightline.latest.frame.bytes").gauge().value()).isZero();
        assertThat(cache.knows("porch")).isTrue();

        clock.now = T0 + Duration.ofHours(1).toMillis() + 1;
        cache.sweep();
        assertThat(cache.knows("porch")).isFalse();
    }

    @Test
    void aFrameAlreadyPastItsTtlIsNotDecodedOrStored() {
        LatestFrameCache cache = cache(10, 1 << 20);
        assertThat(cache.offerFrame(frame("old", T0 - 301_000, new byte[] {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, 0})))
                .isEqualTo(LatestFrameCache.Offer.STALE);
        assertThat(cache.knows("old")).isFalse();
    }

    @Test
    void evictsTheLeastRecentlyUpdatedCameraBeyondTheCap() {
        LatestFrameCache cache = cache(2, 1 << 20);
        cache.offerFrame(frame("a", T0, jpeg(32, 32)));
        clock.now += 10;
        cache.offerFrame(frame("b", T0 + 10, jpeg(32, 32)));
        clock.now += 10;
        cache.offerCaption(new CaptionProduced(1, "f", "a", T0 + 20, T0 + 20, "onnx", "m", "a caption", 5, List.of()));
        clock.now += 10;
        cache.offerFrame(frame("c", T0 + 30, jpeg(32, 32)));

        assertThat(cache.cameras()).containsExactly("a", "c");
        assertThat(registry.get("sightline.latest.evictions").tag("reason", "capacity").counter().count()).isEqualTo(1);
    }

    @Test
    void refusesUndecodableAndOversizeFramesWithAReason() {
        LatestFrameCache cache = cache(10, 2048);
        byte[] truncated = java.util.Arrays.copyOf(jpeg(640, 480), 40);
        assertThatThrownBy(() -> cache.offerFrame(frame("cam", T0, truncated)))
                .isInstanceOf(InvalidFrameException.class).hasMessageContaining("does not decode");

        BufferedImage noise = new BufferedImage(800, 600, BufferedImage.TYPE_3BYTE_BGR);
        Random random = new Random(7);
        for (int y = 0; y < 600; y++) {
            for (int x = 0; x < 800; x++) {
                noise.setRGB(x, y, random.nextInt());
            }
        }
        assertThatThrownBy(() -> cache.offerFrame(frame("cam", T0, TestImages.encodeJpeg(noise, 0.9f))))
                .isInstanceOf(InvalidFrameException.class).hasMessageContaining("above the cache limit of 2048");
        assertThat(cache.frame("cam")).isEmpty();
        assertThat(registry.get("sightline.latest.frames").tag("outcome", "rejected").counter().count()).isEqualTo(2);
    }

    @Test
    void memoryGaugeFollowsWhatIsCached() {
        LatestFrameCache cache = cache(10, 1 << 20);
        cache.offerFrame(frame("one", T0, jpeg(640, 480)));
        cache.offerDetections(new DetectionsProduced(1, "f", "one", T0, 640, 480, "yolox", List.of(
                new DetectionsProduced.Detection("person", 0.9, new DetectionsProduced.Box(1, 1, 5, 5))), List.of()));
        long frameBytes = cache.frame("one").orElseThrow().sizeBytes();

        assertThat(registry.get("sightline.latest.frame.bytes").gauge().value()).isEqualTo(frameBytes);
        assertThat(registry.get("sightline.latest.memory.bytes").gauge().value()).isGreaterThan(frameBytes);
        assertThat(registry.get("sightline.latest.cameras").gauge().value()).isEqualTo(1);

        cache.offerFrame(frame("one", T0 + 1, jpeg(64, 48)));
        long reencodedBytes = cache.frame("one").orElseThrow().sizeBytes();
        assertThat(registry.get("sightline.latest.frame.bytes").gauge().value()).isEqualTo(reencodedBytes);
    }

    @Test
    void olderCaptionsAndDetectionsNeverReplaceNewerOnes() {
        LatestFrameCache cache = cache(10, 1 << 20);
        assertThat(cache.offerCaption(new CaptionProduced(1, "f2", "cam", T0, T0, "onnx", "m", "newer", 5, List.of()))).isTrue();
        assertThat(cache.offerCaption(new CaptionProduced(1, "f1", "cam", T0 - 1, T0, "onnx", "m", "older", 5, List.of()))).isFalse();
        assertThat(cache.caption("cam")).map(CaptionProduced::text).contains("newer");
    }
}
