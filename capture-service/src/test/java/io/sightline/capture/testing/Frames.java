package io.sightline.capture.testing;

import io.sightline.common.kafka.FrameHeaders;
import io.sightline.testsupport.TestImages;
import io.sightline.testsupport.TopicReader;
import org.apache.kafka.clients.consumer.ConsumerRecord;

import java.awt.image.BufferedImage;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;

/** Assertions on records of {@code frames} as any consumer would see them. */
public final class Frames {

    private Frames() {
    }

    public static Predicate<ConsumerRecord<String, byte[]>> ofCamera(String camera) {
        return r -> camera.equals(r.key());
    }

    /** Checks key, contract headers and that the value decodes to a JPEG of the given size; returns the image. */
    public static BufferedImage assertFrame(ConsumerRecord<String, byte[]> record, String camera, int width, int height) {
        assertThat(record.key()).isEqualTo(camera);
        assertThat(TopicReader.header(record, FrameHeaders.CAMERA)).isEqualTo(camera);
        assertThat(TopicReader.header(record, FrameHeaders.FRAME_ID)).isNotBlank();
        assertThat(TopicReader.header(record, FrameHeaders.CONTENT_TYPE)).isEqualTo("image/jpeg");
        assertThat(TopicReader.header(record, FrameHeaders.WIDTH)).isEqualTo(Integer.toString(width));
        assertThat(TopicReader.header(record, FrameHeaders.HEIGHT)).isEqualTo(Integer.toString(height));
        assertThat(TopicReader.header(record, FrameHeaders.CHANGE_SCORE)).isNotBlank();
        assertThat(TopicReader.header(record, FrameHeaders.TRACEPARENT)).matches("00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]");
        assertThat(record.value()[0] & 0xFF).isEqualTo(0xFF);
        assertThat(record.value()[1] & 0xFF).isEqualTo(0xD8);
        BufferedImage image = TestImages.decode(record.value());
        assertThat(image.getWidth()).isEqualTo(width);
        assertThat(image.getHeight()).isEqualTo(height);
        return image;
    }

    public static double changeScore(ConsumerRecord<String, byte[]> record) {
        return Double.parseDouble(TopicReader.header(record, FrameHeaders.CHANGE_SCORE));
    }
}
