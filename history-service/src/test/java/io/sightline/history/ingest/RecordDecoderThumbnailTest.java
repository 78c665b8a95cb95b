package io.sightline.history.ingest;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.sightline.common.frame.CapturedFrame;
import io.sightline.common.frame.FrameRecordCodec;
import io.sightline.common.kafka.FrameHeaders;
import io.sightline.common.kafka.FrameSource;
import io.sightline.common.kafka.Topics;
import io.sightline.testsupport.TestImages;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code sightline.history.ingest.thumbnails}: on, a frame becomes a 320 px thumbnail; off, only its camera's zone is kept. */
class RecordDecoderThumbnailTest {

    private static ConsumerRecord<String, byte[]> frame(byte[] jpeg, int width, int height) {
        CapturedFrame frame = new CapturedFrame(UUID.randomUUID(), "porch", FrameSource.CAMERA, System.currentTimeMillis(),
                width, height, CapturedFrame.JPEG, 1, 1.0, jpeg);
        Headers headers = FrameRecordCodec.toHeaders(frame);
        headers.add(FrameHeaders.TIME_ZONE, "Europe/Berlin".getBytes(StandardCharsets.UTF_8));
        return new ConsumerRecord<>(Topics.FRAMES, 0, 0L, System.currentTimeMillis(), TimestampType.CREATE_TIME,
                -1, jpeg.length, "porch", jpeg, headers, Optional.empty());
    }

    @Test
    void onAFrameBecomesAThumbnailOfTheConfiguredSize() throws Exception {
        byte[] jpeg = TestImages.jpeg("astronaut.png").bytes();
        Object decoded = new RecordDecoder(new ObjectMapper(), true, 320, 80).decode(frame(jpeg, 512, 512));
        IngestBatch.Thumbnail thumbnail = (IngestBatch.Thumbnail) decoded;
        BufferedImage image = ImageIO.read(new ByteArrayInputStream(thumbnail.jpeg()));
        assertThat(Math.max(image.getWidth(), image.getHeight())).isEqualTo(320);
        assertThat(thumbnail.timeZone()).isEqualTo("Europe/Berlin");
    }

    @Test
    void offNoPixelsAreStoredButTheCamerasZoneStillArrives() throws Exception {
        byte[] jpeg = TestImages.jpeg("astronaut.png").bytes();
        IngestBatch.Thumbnail thumbnail = (IngestBatch.Thumbnail) new RecordDecoder(new ObjectMapper(), false, 320, 80)
                .decode(frame(jpeg, 512, 512));
        assertThat(thumbnail.jpeg()).isNull();
        assertThat(thumbnail.camera()).isEqualTo("porch");
        assertThat(thumbnail.timeZone()).isEqualTo("Europe/Berlin");
    }

    @Test
    void anUndecodableFrameIsPoisonWithTheReason() {
        byte[] garbage = new byte[] {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, 1, 2, 3, 4, 5, 6, 7};
        assertThatThrownBy(() -> new RecordDecoder(new ObjectMapper(), true, 320, 80).decode(frame(garbage, 640, 480)))
                .isInstanceOf(RecordDecoder.PoisonRecord.class);
    }
}
