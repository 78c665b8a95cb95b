package io.sightline.caption.backend.onnx;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/** YOLOX-Nano on one ONNX Runtime session: letterbox, run, grid decode, class-wise NMS. */
final class ObjectDetector implements AutoCloseable {

    static final int INPUT_SIZE = 416;
    private static final int MAX_OBJECTS = 100;

    private final OrtEnvironment env;
    private final OrtSession session;
    private final String input;
    private final String output;
    private final int classes;

    ObjectDetector(OrtEnvironment env, OrtSession session, Path file, int labelCount) {
        this.env = env;
        this.session = session;
        this.input = OrtModels.singleInput(session, file);
        this.output = session.getOutputNames().iterator().next();
        long[] shape = OrtModels.outputShape(session, file);
        int cells = YoloxDecoder.cellCount(INPUT_SIZE);
        if (shape.length != 3 || shape[1] != cells || shape[2] < 6) {
            throw new ModelUnavailableException(file + ": expected a YOLOX head [1," + cells + ",5+classes], found "
                    + Arrays.toString(shape));
        }
        this.classes = (int) shape[2] - 5;
        if (classes != labelCount) {
            throw new ModelUnavailableException(file + " predicts " + classes + " classes but the label file has "
                    + labelCount);
        }
    }

    /**
     * One caller's tensors, reused frame after frame: the letterbox is written straight into the direct buffer an
     * input tensor wraps (ORT's Java API uses a direct native-order buffer in place, without copying it), and ORT
     * writes the head into a pinned direct output tensor that the decoder reads in place. Not thread-safe: one
     * per lane.
     */
    final class Scratch implements AutoCloseable {
        private final Letterbox letterbox = new Letterbox(INPUT_SIZE);
        private final FloatBuffer in = direct(3 * INPUT_SIZE * INPUT_SIZE);
        private final FloatBuffer out = direct(YoloxDecoder.cellCount(INPUT_SIZE) * (5 + classes));
        private final OnnxTensor inTensor;
        private final OnnxTensor outTensor;
        private final Map<String, OnnxTensor> inputs;
        private final Map<String, OnnxTensor> outputs;

        private Scratch() throws OrtException {
            this.inTensor = OnnxTensor.createTensor(env, in, new long[] {1, 3, INPUT_SIZE, INPUT_SIZE});
            try {
                this.outTensor = OnnxTensor.createTensor(env, out,
                        new long[] {1, YoloxDecoder.cellCount(INPUT_SIZE), 5 + classes});
            } catch (OrtException | RuntimeException e) {
                inTensor.close();
                throw e;
            }
            this.inputs = Map.of(input, inTensor);
            this.outputs = Map.of(output, outTensor);
        }

        /** The buffer the input tensor reads (tests: ORT must see what the letterbox wrote, with no copy between). */
        FloatBuffer input() {
            return in;
        }

        @Override
        public void close() {
            inTensor.close();
            outTensor.close();
        }
    }

    Scratch newScratch() throws OrtException {
        return new Scratch();
    }

    private static FloatBuffer direct(int floats) {
        return ByteBuffer.allocateDirect(floats * Float.BYTES).order(ByteOrder.nativeOrder()).asFloatBuffer();
    }

    List<ScoredBox> detect(InterleavedRaster image, float scoreThreshold, float nmsIou, Scratch scratch)
            throws OrtException {
        double ratio = scratch.letterbox.write(image, scratch.in);
        try (OrtSession.Result ignored = session.run(scratch.inputs, scratch.outputs)) {
            List<ScoredBox> candidates = YoloxDecoder.candidates(scratch.out, INPUT_SIZE, classes, ratio,
                    scoreThreshold, image.width(), image.height());
            List<ScoredBox> kept = NonMaxSuppression.classWise(candidates, nmsIou);
            return kept.size() > MAX_OBJECTS ? kept.subList(0, MAX_OBJECTS) : kept;
        }
    }

    @Override
    public void close() throws OrtException {
        session.close();
    }
}
