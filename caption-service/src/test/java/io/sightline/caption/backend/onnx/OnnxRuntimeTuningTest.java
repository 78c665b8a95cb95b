package io.sightline.caption.backend.onnx;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import io.sightline.caption.models.RequiredModels;
import io.sightline.testsupport.TestImages;
import org.junit.jupiter.api.Test;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The ONNX Runtime settings the service relies on, and the detector's fused input path (letterbox read from the raster
 * in place, written into the reused tensor's buffer, output decoded in place) giving the first implementation's detections.
 */
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

    /** Every layout the letterbox reads in place, and a sub-image that takes the conversion path. */
    private static final List<Integer> RASTER_TYPES = List.of(BufferedImage.TYPE_3BYTE_BGR, BufferedImage.TYPE_4BYTE_ABGR,
            BufferedImage.TYPE_INT_RGB, BufferedImage.TYPE_INT_ARGB, BufferedImage.TYPE_INT_BGR, BufferedImage.TYPE_BYTE_GRAY);

    private static List<BufferedImage> letterboxCases() {
        return List.of(
                TestImages.read("astronaut.png"),                                   // 512x512, downscaled
                TestImages.read("coffee.png"),                                      // 600x400, padded below
                TestImages.scene(1280, 720, Color.DARK_GRAY, 300, 200),            // a 720p frame
                TestImages.scene(100, 300, Color.WHITE, 10, 10),                   // upscaled, padded right
                TestImages.scene(832, 416, Color.BLUE, 100, 100),                  // exactly half size
                TestImages.scene(416, 416, Color.GREEN, 50, 50),                   // unscaled
                TestImages.read("coffee.png"));                                     // the same size again: cached tables
    }

    @Test
    void letterboxReadFromTheRasterInPlaceEqualsConvertResizeThenCopy() {
        FloatBuffer reused = ByteBuffer.allocateDirect(3 * 416 * 416 * 4).order(ByteOrder.nativeOrder()).asFloatBuffer();
        for (int i = 0; i < reused.capacity(); i++) {
            reused.put(i, Float.NaN); // whatever was there before the first frame must be overwritten
        }
        Letterbox letterbox = new Letterbox(416);
        float[] written = new float[3 * 416 * 416];
        for (int type : RASTER_TYPES) {
            for (BufferedImage original : letterboxCases()) {
                BufferedImage image = as(original, type);
                InterleavedRaster raster = InterleavedRaster.inPlace(image);
                assertThat(raster).as("type %d is read in place", type).isNotNull();

                double ratio = letterbox.write(raster, reused);

                Reference expected = reference(BgrImage.of(image), 416);
                assertThat(ratio).isEqualTo(expected.ratio);
                reused.get(0, written);
                // isEqualTo: Arrays.equals (containsExactly diffs 519k floats quadratically)
                assertThat(written).as("type %d, %dx%d", type, image.getWidth(), image.getHeight()).isEqualTo(expected.chw);
            }
        }
        // a sub-image's raster is not the whole buffer: not read in place, converted instead
        assertThat(InterleavedRaster.inPlace(TestImages.read("coffee.png").getSubimage(10, 10, 200, 100))).isNull();
    }

    @Test
    void ortReadsTheDirectInputBufferInPlace() throws Exception {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        FloatBuffer direct = ByteBuffer.allocateDirect(4 * 4).order(ByteOrder.nativeOrder()).asFloatBuffer();
        try (OnnxTensor tensor = OnnxTensor.createTensor(env, direct, new long[] {1, 4})) {
            direct.put(2, 42f); // written after the tensor was made: seen by it only if no copy was taken
            assertThat(tensor.getFloatBuffer().get(2)).isEqualTo(42f);
        }
    }

    @Test
    void detectionsFromEveryRasterTypeEqualTheFirstImplementation() throws Exception {
        Path models = TestImages.modelsDir();
        Path yolox = RequiredModels.YOLOX_NANO.resolveIn(models);
        int labels = (int) OrtModels.lines(RequiredModels.COCO_LABELS.resolveIn(models)).stream()
                .filter(l -> !l.isBlank()).count();
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        List<BufferedImage> frames = new ArrayList<>();
        for (String name : List.of("astronaut.png", "coffee.png", "chelsea.png", "text.png", "page.png", "astronaut.png")) {
            frames.add(TestImages.read(name));
        }
        frames.add(frame720p(TestImages.read("coffee.png")));
        int compared = 0;
        try (OrtSession.SessionOptions so = SessionTuning.FIXED_SHAPE.options(1);
             OrtSession session = OrtModels.open(env, yolox, so)) {
            ObjectDetector detector = new ObjectDetector(env, session, yolox, labels);
            try (ObjectDetector.Scratch scratch = detector.newScratch()) {
                for (int type : RASTER_TYPES) {
                    for (BufferedImage original : frames) {
                        BufferedImage frame = as(original, type);
                        List<ScoredBox> first = firstImplementationDetect(env, session, BgrImage.of(frame), labels);
                        List<ScoredBox> now = detector.detect(InterleavedRaster.inPlace(frame), 0.35f, 0.45f, scratch);
                        assertThat(now).as("type %d, %dx%d", type, frame.getWidth(), frame.getHeight()).isEqualTo(first);
                        compared += first.size();
                    }
                }
            }
        }
        assertThat(compared).as("detections compared").isGreaterThan(20);
    }

    private static BufferedImage as(BufferedImage image, int type) {
        if (image.getType() == type) {
            return image;
        }
        BufferedImage out = new BufferedImage(image.getWidth(), image.getHeight(), type);
        if (type == BufferedImage.TYPE_BYTE_GRAY) {
            // grey as its sample values (drawImage would go through a colour conversion)
            BgrImage bgr = BgrImage.of(image);
            for (int y = 0; y < image.getHeight(); y++) {
                for (int x = 0; x < image.getWidth(); x++) {
                    out.getRaster().setSample(x, y, 0, (bgr.at(x, y, 0) + 2 * bgr.at(x, y, 1) + bgr.at(x, y, 2)) / 4);
                }
            }
            return out;
        }
        java.awt.Graphics2D g = out.createGraphics();
        g.drawImage(image, 0, 0, null);
        g.dispose();
        return out;
    }

    private static BufferedImage frame720p(BufferedImage image) {
        BufferedImage frame = new BufferedImage(1280, 720, BufferedImage.TYPE_3BYTE_BGR);
        java.awt.Graphics2D g = frame.createGraphics();
        g.setRenderingHint(java.awt.RenderingHints.KEY_INTERPOLATION, java.awt.RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.drawImage(image, 0, 0, 1280, 720, null);
        g.dispose();
        return frame;
    }

    /**
     * The detector as first written, the reference: a B,G,R copy of the frame, a new letterbox float array, a fresh
     * input tensor and a copy of the output per frame.
     */
    private static List<ScoredBox> firstImplementationDetect(OrtEnvironment env, OrtSession session, BgrImage image,
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
                YoloxDecoder.candidates(FloatBuffer.wrap(raw), 416, labels, box.ratio, 0.35f, image.width, image.height), 0.45f);
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
