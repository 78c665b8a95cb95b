package io.sightline.watch;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class WatchLinksTest {

    @Test
    void withHistoryServiceTheThumbnailIsTheVerdictsFrameElseTheCamerasLatestFrame() {
        assertThat(new WatchLinks("https://sightline.example.org", true).thumbnailUrl("front door", "6f1c-1"))
                .isEqualTo("https://sightline.example.org/api/v1/history/frames/6f1c-1/thumbnail.jpg");
        assertThat(new WatchLinks("https://sightline.example.org", false).thumbnailUrl("front door", "6f1c-1"))
                .isEqualTo("https://sightline.example.org/api/v1/cameras/front%20door/frame.jpg");
        assertThat(new WatchLinks("", true).thumbnailUrl("porch", null))
                .as("no frame id: the latest frame, gateway-relative without a public URL")
                .isEqualTo("/api/v1/cameras/porch/frame.jpg");
    }
}
