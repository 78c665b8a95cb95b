package io.sightline.caption.backend;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.sightline.caption.support.CaptionTestResource;
import io.sightline.common.event.DetectionsProduced;
import io.sightline.common.frame.CapturedFrame;
import io.sightline.common.frame.InvalidFrameException;
import io.sightline.common.kafka.FrameSource;
import io.sightline.testsupport.TestImages;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The in-process tiers as the chain calls them, on the shared test images and the real models. */
@QuarkusTest
@WithTestResource(CaptionTestResource.class)
class LocalTiersTest {

    private static final Duration WAIT = Duration.ofSeconds(60);

    @Inject
    OnnxBackend onnx;

    @Inject
    LabelsBackend labels;

    @Inject
    NoneBackend none;

    @Test
    void onnxTierNamesTheMainObjectOfEachPhotoInASentence() {
        assertThat(describe(onnx, "coffee.png").text().toLowerCase()).contains("cup");
        FrameDescription cat = describe(onnx, "chelsea.png");
        assertThat(cat.text().toLowerCase()).contains("cat");
        assertThat(cat.model()).isEqualTo("yolox-nano+pp-ocrv4");
        assertThat(cat.detections()).extracting(DetectionsProduced.Detection::label).contains("cat");
    }

    @Test
    void onnxTierQuotesTextItReads() {
        FrameDescription page = describe(onnx, "page.png");
        assertThat(page.texts()).isNotEmpty();
        // a page with no screen detected is not called a screen
        assertThat(page.text()).startsWith("A page of text reads: '");
        assertThat(page.text().toLowerCase()).contains("segmentation", "markers");
    }

    @Test
    void labelsTierListsObjectsWithoutASentence() {
        FrameDescription scene = describe(labels, "astronaut.png");
        assertThat(scene.text()).startsWith("Scene contains:").contains("person");
        assertThat(scene.model()).isEqualTo("yolox-nano");
        assertThat(scene.texts()).isEmpty();
    }

    @Test
    void noneTierSaysNothingAndLooksAtNothing() {
        CapturedFrame garbage = frame(new byte[] {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, 1, 2, 3});
        assertThat(none.describe(garbage, "ignored").await().atMost(WAIT).text()).isEmpty();
    }

    @Test
    void undecodableImageIsTheFramesFaultNotTheTiers() {
        TestImages.modelsDir(); // the onnx tier looks at the bytes only once its models are there
        CapturedFrame garbage = frame(new byte[] {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, 1, 2, 3});
        assertThatThrownBy(() -> onnx.describe(garbage, "ignored").await().atMost(WAIT))
                .isInstanceOf(InvalidFrameException.class).hasMessageContaining("do not decode");
    }

    private static FrameDescription describe(VisionBackend backend, String image) {
        TestImages.Jpeg jpeg = TestImages.jpeg(image);
        return backend.describe(frame(jpeg.bytes()), "ignored").await().atMost(WAIT);
    }

    private static CapturedFrame frame(byte[] bytes) {
        return new CapturedFrame(UUID.randomUUID(), "local-tiers", FrameSource.CAMERA, System.currentTimeMillis(), 0, 0,
                CapturedFrame.JPEG, 1, 1.0, bytes);
    }
}
