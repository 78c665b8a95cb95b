package io.sightline.common.image;

import org.junit.jupiter.api.Test;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JpegImagesTest {

    @Test
    void fitsTheBoxKeepingAspectAndNeverEnlarges() {
        assertThat(JpegImages.fittedSize(1600, 900, 1024, 1024)).containsExactly(1024, 576);
        assertThat(JpegImages.fittedSize(1920, 1080, 512, 288)).containsExactly(512, 288);
        assertThat(JpegImages.fittedSize(640, 960, Integer.MAX_VALUE, 480)).containsExactly(320, 480);
        assertThat(JpegImages.fittedSize(300, 200, 1024, 1024)).containsExactly(300, 200);
    }

    @Test
    void transparentPngAreasBecomeWhiteInTheJpeg() throws Exception {
        BufferedImage transparent = new BufferedImage(40, 20, BufferedImage.TYPE_INT_ARGB);

        byte[] jpeg = JpegImages.fitAndEncode(transparent, 20, 20, 0.9f);

        BufferedImage decoded = ImageIO.read(new ByteArrayInputStream(jpeg));
        assertThat(decoded.getWidth()).isEqualTo(20);
        assertThat(decoded.getHeight()).isEqualTo(10);
        assertThat(decoded.getRGB(10, 5) & 0xFFFFFF).isGreaterThan(0xF0F0F0);
    }

    @Test
    void lowerQualityMakesSmallerFilesAndNonsenseQualityIsRefused() {
        BufferedImage noise = new BufferedImage(200, 200, BufferedImage.TYPE_3BYTE_BGR);
        java.util.Random random = new java.util.Random(7);
        for (int y = 0; y < 200; y++) {
            for (int x = 0; x < 200; x++) {
                noise.setRGB(x, y, random.nextInt(0xFFFFFF));
            }
        }
        assertThat(JpegImages.encode(noise, 0.4f).length).isLessThan(JpegImages.encode(noise, 0.95f).length);
        assertThatThrownBy(() -> JpegImages.encode(noise, 0f)).isInstanceOf(IllegalArgumentException.class);
    }
}
