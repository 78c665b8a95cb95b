package io.sightline.fallback.query;

import io.sightline.common.frame.CapturedFrame;
import io.sightline.common.kafka.FrameSource;
import io.sightline.latest.CameraView;
import org.junit.jupiter.api.Test;

import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** When a low-confidence query goes to the VLM without the frame, and what it says about why. */
class NoImageReasonTest {

    private static final long NOW = 1_750_000_000_000L;
    private static final CapturedFrame FRAME = new CapturedFrame(UUID.randomUUID(), "porch", FrameSource.CAMERA, NOW - 2_000,
            64, 48, CapturedFrame.JPEG, 1, 1.0, new byte[] {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF});

    private static CameraView withFrame() {
        return new CameraView("porch", Optional.of(FRAME), OptionalLong.of(FRAME.capturedAt()), Optional.empty(), Optional.empty(), NOW);
    }

    @Test
    void attachesTheFrameWhenThereIsOneAndNothingForbidsIt() {
        assertThat(QueryService.noImageReason(withFrame(), true, true, 300_000, NOW)).isNull();
    }

    @Test
    void imageFallbackSwitchedOffByConfigurationKeepsTheFrameOut() {
        assertThat(QueryService.noImageReason(withFrame(), true, false, 300_000, NOW))
                .isEqualTo("image fallback is disabled by configuration");
    }

    @Test
    void theCallerMayAskForNoImage() {
        assertThat(QueryService.noImageReason(withFrame(), false, true, 300_000, NOW))
                .isEqualTo("the caller asked for no image (include_image=false)");
    }

    @Test
    void saysHowOldTheLastFrameIsWhenItExpired() {
        CameraView expired = new CameraView("porch", Optional.empty(), OptionalLong.of(NOW - 720_000), Optional.empty(), Optional.empty(), NOW);
        assertThat(QueryService.noImageReason(expired, true, true, 300_000, NOW))
                .isEqualTo("the last frame of porch is 12 min old, older than the 5 min frame TTL");
        CameraView never = new CameraView("porch", Optional.empty(), OptionalLong.empty(), Optional.empty(), Optional.empty(), NOW);
        assertThat(QueryService.noImageReason(never, true, true, 300_000, NOW)).isEqualTo("no frame of porch has been received");
    }
}
