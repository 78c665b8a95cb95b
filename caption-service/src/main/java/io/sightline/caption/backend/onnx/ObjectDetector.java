package io.sightline.caption.backend.onnx;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;

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
    private final int classes;

    ObjectDetector(OrtEnvironment env, OrtSession session, Path file, int labelCount) {
        this.env = env;
        this.session = session;
        this.input = OrtModels.singleInput(session, file);
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

    List<ScoredBox> detect(BgrImage image, float scoreThreshold, float nmsIou) throws OrtException {
        Letterbox letterbox = Letterbox.of(image, INPUT_SIZE);
        float[] raw;
        try (OnnxTensor tensor = OnnxTensor.createTensor(env, FloatBuffer.wrap(letterbox.chw()),
                new long[] {1, 3, INPUT_SIZE, INPUT_SIZE});
             OrtSession.Result result = session.run(Map.of(input, tensor))) {
            FloatBuffer out = ((OnnxTensor) result.get(0)).getFloatBuffer();
            raw = new float[out.remaining()];
            out.get(raw);
        }
        List<ScoredBox> candidates = YoloxDecoder.candidates(raw, INPUT_SIZE, classes, letterbox.ratio(),
                scoreThreshold, image.width, image.height);
        List<ScoredBox> kept = NonMaxSuppression.classWise(candidates, nmsIou);
        return kept.size() > MAX_OBJECTS ? kept.subList(0, MAX_OBJECTS) : kept;
    }

    @Override
    public void close() throws OrtException {
        session.close();
    }
}
