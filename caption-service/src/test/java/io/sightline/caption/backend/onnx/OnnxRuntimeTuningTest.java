package io.sightline.caption.backend.onnx;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import io.sightline.caption.models.RequiredModels;
import io.sightline.testsupport.TestImages;
import org.junit.jupiter.api.Test;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The ONNX Runtime settings the service relies on, and the reused detector tensors giving the same detections. */
class OnnxRuntimeTuningTest {

    @Test
    void idleOrtThreadsNeverSpinForEitherKindOfModel() throws Exception {
        for (SessionTuning tuning : List.of(SessionTuning.FIXED_SHAPE, SessionTuning.DYNAMIC_SHAPE)) {
            try (OrtSession.SessionOptions so = tuning.options(1)) {
                assertThat(so.getConfigEntries())
                        .containsEntry("session.intra_op.allow_spinning", "0")
                        .containsEntry("session.inter_op.allow_spinning", "0");
            }
        }
    }

    @Test
    void textModelsRunWithoutTheGrowingArenaWhileTheFixedShapeDetectorKeepsIt() {
        // the text models see a new input shape almost every frame: an arena and per-shape memory patterns
        // would keep each shape's peak (bench/caption-onnx/RESULTS.md, Memory)
        assertThat(SessionTuning.DYNAMIC_SHAPE.cpuArena()).isFalse();
        assertThat(SessionTuning.DYNAMIC_SHAPE.memoryPattern()).isFalse();
        assertThat(SessionTuning.FIXED_SHAPE.cpuArena()).isTrue();
        assertThat(SessionTuning.FIXED_SHAPE.memoryPattern()).isTrue();
    }

    @Test
    void letterboxWrittenInPlaceEqualsResizeThenCopy() {
        List<BufferedImage> images = List.of(
                TestImages.read("astronaut.png"),                                   // 512x512, downscaled
                TestImages.read("coffee.png"),                                      // 600x400, padded below
                TestImages.scene(1280, 720, Color.DARK_GRAY, 300, 200),            // a 720p frame
                TestImages.scene(100, 300, Color.WHITE, 10, 10),                   // upscaled, padded right
                TestImages.scene(832, 416, Color.BLUE, 100, 100));                 // exactly half size
        float[] reused = new float[3 * 416 * 416];
        for (BufferedImage image : images) {
            BgrImage bgr = BgrImage.of(image);
            Arrays.fill(reused, Float.NaN); // whatever the previous frame left must be overwritten
            double ratio = Letterbox.into(bgr, 416, reused);

            Reference expected = reference(bgr, 416);
            assertThat(ratio).isEqualTo(expected.ratio);
            // isEqualTo: Arrays.equals (containsExactly diffs 519k floats quadratically)
            assertThat(reused).as("%dx%d", image.getWidth(), image.getHeight()).isEqualTo(expected.chw);
        }
    }

    @Test
    void reusedTensorsGiveTheDetectionsOfAFreshTensorPerFrame() throws Exception {
        Path models = TestImages.modelsDir();
        Path yolox = RequiredModels.YOLOX_NANO.resolveIn(models);
        int labels = (int) OrtModels.lines(RequiredModels.COCO_LABELS.resolveIn(models)).stream()
                .filter(l -> !l.isBlank()).count();
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        List<BufferedImage> frames = List.of(TestImages.read("astronaut.png"), TestImages.read("coffee.png"),
                TestImages.read("chelsea.png"), TestImages.read("astronaut.png"));
        try (OrtSession.SessionOptions so = SessionTuning.FIXED_SHAPE.options(1);
             OrtSession session = OrtModels.open(env, yolox, so)) {
            ObjectDetector detector = new ObjectDetector(env, session, yolox, labels);
            try (ObjectDetector.Scratch scratch = detector.newScratch()) {
                for (BufferedImage frame : frames) {
                    BgrImage bgr = BgrImage.of(frame);
                    List<ScoredBox> fresh = freshTensorDetect(env, session, bgr, labels);
                    List<ScoredBox> reused = detector.detect(bgr, 0.35f, 0.45f, scratch);
                    assertThat(fresh).isNotEmpty();
                    assertThat(reused).isEqualTo(fresh);
                }
            }
        }
    }

    /** The detector as it was before the tensors were reused: a new letterbox, input and output copy per frame. */
    private static List<ScoredBox> freshTensorDetect(OrtEnvironment env, OrtSession session, BgrImage image,
                                                     int labels) throws Exception {
        Reference box = reference(image, 416);
        float[] raw;
        try (OnnxTensor tensor = OnnxTensor.createTensor(env, FloatBuffer.wrap(box.chw), new long[] {1, 3, 416, 416});
             OrtSession.Result result = session.run(Map.of(session.getInputNames().iterator().next(), tensor))) {
            FloatBuffer out = ((OnnxTensor) result.get(0)).getFloatBuffer();
            raw = new float[out.remaining()];
            out.get(raw);
        }
        List<ScoredBox> kept = NonMaxSuppression.classWise(
                YoloxDecoder.candidates(raw, 416, labels, box.ratio, 0.35f, image.width, image.height), 0.45f);
        return kept.size() > 100 ? kept.subList(0, 100) : kept;
    }

    private record Reference(float[] chw, double ratio) {
    }

    /** The letterbox as first written: resize to a new image, fill the canvas with 114, copy into planes. */
    private static Reference reference(BgrImage image, int size) {
        double ratio = Math.min((double) size / image.height, (double) size / image.width);
        int w = Math.max(1, (int) (image.width * ratio));
        int h = Math.max(1, (int) (image.height * ratio));
        BgrImage resized = image.resize(w, h);
        int plane = size * size;
        float[] chw = new float[3 * plane];
        Arrays.fill(chw, 114f);
        byte[] px = resized.data;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int src = (y * w + x) * 3;
                chw[y * size + x] = px[src] & 0xff;
                chw[plane + y * size + x] = px[src + 1] & 0xff;
                chw[2 * plane + y * size + x] = px[src + 2] & 0xff;
            }
        }
        return new Reference(chw, ratio);
    }
}
