package io.sightline.capture.rest;

import io.sightline.capture.service.CaptureRejection;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PushBodyReadTest {

    private static final int LIMIT = 2 * 1024 * 1024;

    @Test
    void bodyWithItsContentLengthIsReadWhole() throws Exception {
        byte[] body = bytes(135_735);

        assertThat(FrameResource.readLimited(new ByteArrayInputStream(body), body.length, LIMIT)).isEqualTo(body);
    }

    @Test
    void bodyThatEndsBeforeItsContentLengthGivesTheBytesThatCame() throws Exception {
        byte[] body = bytes(1000);

        assertThat(FrameResource.readLimited(new ByteArrayInputStream(body), 5000, LIMIT)).isEqualTo(body);
    }

    @Test
    void bodyWithoutContentLengthOrLargerThanThePresizedArrayIsReadAsItArrives() throws Exception {
        byte[] small = bytes(4096);
        byte[] large = bytes(FrameResource.PRESIZED_BODY_BYTES + 1);

        assertThat(FrameResource.readLimited(new ByteArrayInputStream(small), -1, LIMIT)).isEqualTo(small);
        assertThat(FrameResource.readLimited(new ByteArrayInputStream(large), large.length, LIMIT)).isEqualTo(large);
    }

    @Test
    void bodyOverTheLimitIsRefusedWith413WhateverItsContentLengthSays() {
        byte[] body = bytes(LIMIT + 1);

        for (long declared : new long[] {-1, LIMIT + 1}) {
            InputStream in = new ByteArrayInputStream(body);
            assertThatThrownBy(() -> FrameResource.readLimited(in, declared, LIMIT)).isInstanceOf(CaptureRejection.class)
                    .satisfies(e -> assertThat(((CaptureRejection) e).status()).isEqualTo(413));
        }
    }

    @Test
    void emptyBodyIsRefusedWith400() {
        assertThatThrownBy(() -> FrameResource.readLimited(new ByteArrayInputStream(new byte[0]), 0, LIMIT))
                .isInstanceOf(CaptureRejection.class)
                .satisfies(e -> assertThat(((CaptureRejection) e).status()).isEqualTo(400));
    }

    @Test
    void contentLengthThatIsNoPlainNumberCountsAsAbsent() {
        assertThat(FrameResource.declaredLength("135735")).isEqualTo(135_735);
        for (String header : new String[] {null, "", "-1", "12a", " 12", "99999999999999999999"}) {
            assertThat(FrameResource.declaredLength(header)).as(String.valueOf(header)).isEqualTo(-1);
        }
    }

    private static byte[] bytes(int n) {
        byte[] bytes = new byte[n];
        new Random(n).nextBytes(bytes);
        return bytes;
    }
}
