package io.sightline.caption.backend.onnx;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Opens model and label files with errors that name the file and say what is wrong. */
final class OrtModels {

    private OrtModels() {
    }

    static OrtSession open(OrtEnvironment env, Path file, OrtSession.SessionOptions options) {
        requireFile(file);
        try {
            return env.createSession(file.toString(), options);
        } catch (OrtException e) {
            throw new ModelUnavailableException("cannot load model " + file + " (corrupt or not an ONNX model?): "
                    + e.getMessage(), e);
        }
    }

    static List<String> lines(Path file) {
        requireFile(file);
        try {
            String text = Files.readString(file, StandardCharsets.UTF_8);
            return text.lines().map(l -> l.endsWith("\r") ? l.substring(0, l.length() - 1) : l).toList();
        } catch (IOException e) {
            throw new ModelUnavailableException("cannot read " + file + " as UTF-8 text: " + e, e);
        }
    }

    static void requireFile(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new ModelUnavailableException("model file missing: " + file
                    + " (fetch it with the model downloader or point SIGHTLINE_MODELS_DIR at a directory that has it)");
        }
        if (!Files.isReadable(file)) {
            throw new ModelUnavailableException("model file not readable: " + file);
        }
    }

    /** Name of a session's only input, or fails naming the file. */
    static String singleInput(OrtSession session, Path file) {
        if (session.getNumInputs() != 1) {
            throw new ModelUnavailableException(file + ": expected one input, found " + session.getInputNames());
        }
        return session.getInputNames().iterator().next();
    }

    /** Shape of a session's first output (-1 for dynamic dimensions). */
    static long[] outputShape(OrtSession session, Path file) {
        try {
            NodeInfo info = session.getOutputInfo().values().iterator().next();
            if (!(info.getInfo() instanceof TensorInfo tensor)) {
                throw new ModelUnavailableException(file + ": output is not a tensor");
            }
            return tensor.getShape();
        } catch (OrtException e) {
            throw new ModelUnavailableException(file + ": cannot read output info: " + e.getMessage(), e);
        }
    }
}
