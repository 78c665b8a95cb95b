package io.sightline.fallback.query;

/** The query names a camera the cache has no record of. */
public class UnknownCameraException extends RuntimeException {

    private final String camera;

    public UnknownCameraException(String camera, String message) {
        super(message);
        this.camera = camera;
    }

    public String camera() {
        return camera;
    }
}
