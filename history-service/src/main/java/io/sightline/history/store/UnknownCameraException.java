package io.sightline.history.store;

/** A query named a camera the history has never seen; answered 404. */
public class UnknownCameraException extends RuntimeException {

    public UnknownCameraException(String camera) {
        super("camera '" + camera + "' has no history (never seen, or all of it is past retention)");
    }
}
