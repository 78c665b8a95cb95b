package io.sightline.caption.backend.onnx;

/** A model or label file of the onnx tier is missing, unreadable or not what the tier expects. */
public class ModelUnavailableException extends RuntimeException {

    public ModelUnavailableException(String message) {
        super(message);
    }

    public ModelUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
