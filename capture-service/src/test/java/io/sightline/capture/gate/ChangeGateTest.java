package io.sightline.capture.gate;

import io.sightline.capture.image.Thumbnail;
import io.sightline.testsupport.TestImages;
import org.junit.jupiter.api.Test;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class ChangeGateTest {

    private static final long SECOND = 1_000_000_000L;

    @Test
    void staticSceneIsPublishedOnlyAtKeepAlive() {
        ChangeGate gate = new ChangeGate(0.02, 30 * SECOND, 24);
        Thumbnail scene = Thumbnail.of(TestImages.scene(640, 360, Color.DARK_GRAY, 100, 100));

        assertThat(gate.decide(scene, 0).reason()).isEqualTo(ChangeGate.Reason.FIRST);
        for (long t = 1; t < 30; t++) {
            ChangeGate.Decision decision = gate.decide(scene, t * SECOND);
            assertThat(decision.publish()).as("second %d", t).isFalse();
            assertThat(decision.score()).isZero();
        }
        ChangeGate.Decision keepAlive = gate.decide(scene, 30 * SECOND);
        assertThat(keepAlive.publish()).isTrue();
        assertThat(keepAlive.reason()).isEqualTo(ChangeGate.Reason.KEEP_ALIVE);
        assertThat(gate.decide(scene, 31 * SECOND).publish()).isFalse();
    }

    @Test
    void sensorNoiseDoesNotCountAsChange() {
        ChangeGate gate = new ChangeGate(0.02, 30 * SECOND, 24);
        BufferedImage base = TestImages.scene(640, 360, Color.GRAY, 100, 100);
        gate.decide(Thumbnail.of(base), 0);

        ChangeGate.Decision noisy = gate.decide(Thumbnail.of(withNoise(base, 12, 7)), SECOND);

        assertThat(noisy.publish()).isFalse();
        assertThat(noisy.score()).isLessThan(0.02);
    }

    @Test
    void sceneChangeIsPublishedAtOnceWithItsScore() {
        ChangeGate gate = new ChangeGate(0.02, 30 * SECOND, 24);
        gate.decide(Thumbnail.of(TestImages.scene(640, 360, Color.DARK_GRAY, 50, 50)), 0);

        ChangeGate.Decision moved = gate.decide(Thumbnail.of(TestImages.scene(640, 360, Color.DARK_GRAY, 400, 200)), SECOND);

        assertThat(moved.publish()).isTrue();
        assertThat(moved.reason()).isEqualTo(ChangeGate.Reason.CHANGED);
        // a quarter-by-quarter square moved: about 2 x 1/16 of the cells changed
        assertThat(moved.score()).isBetween(0.08, 0.2);
    }

    private static BufferedImage withNoise(BufferedImage image, int amplitude, long seed) {
        Random random = new Random(seed);
        BufferedImage out = new BufferedImage(image.getWidth(), image.getHeight(), BufferedImage.TYPE_3BYTE_BGR);
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                int rgb = image.getRGB(x, y);
                int n = random.nextInt(2 * amplitude + 1) - amplitude;
                int r = clamp(((rgb >> 16) & 0xFF) + n);
                int g = clamp(((rgb >> 8) & 0xFF) + n);
                int b = clamp((rgb & 0xFF) + n);
                out.setRGB(x, y, (r << 16) | (g << 8) | b);
            }
        }
        return out;
    }

    private static int clamp(int v) {
        return Math.max(0, Math.min(255, v));
    }
}
