package io.sightline.watch;

import io.sightline.testsupport.TestImages;
import org.junit.jupiter.api.Test;

import java.awt.Color;
import java.awt.image.BufferedImage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class WatchFrameEncoderTest {

    @Test
    void downscalesTallFramesTo480PixelsHighKeepingAspect() {
        byte[] png = TestImages.encodePng(TestImages.scene(1280, 720, Color.BLUE, 100, 100));
        BufferedImage out = TestImages.decode(WatchFrameEncoder.encode(png, 480, 0.85f));
        assertThat(out.getHeight()).isEqualTo(480);
        assertThat(out.getWidth()).isEqualTo(853);
    }

    @Test
    void keepsSmallFramesAtTheirSizeAsJpeg() {
        byte[] png = TestImages.encodePng(TestImages.scene(320, 240, Color.GREEN, 10, 10));
        byte[] jpeg = WatchFrameEncoder.encode(png, 480, 0.85f);
        assertThat(jpeg[0] & 0xff).isEqualTo(0xFF);
        assertThat(jpeg[1] & 0xff).isEqualTo(0xD8);
        BufferedImage out = TestImages.decode(jpeg);
        assertThat(out.getWidth()).isEqualTo(320);
        assertThat(out.getHeight()).isEqualTo(240);
    }

    @Test
    void rejectsBytesThatAreNoImage() {
        assertThatThrownBy(() -> WatchFrameEncoder.encode(new byte[] {1, 2, 3}, 480, 0.85f)).isInstanceOf(RuntimeException.class);
    }
}
