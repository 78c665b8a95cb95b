package io.sightline.capture.service;

/**
 * A request this service refuses, with the HTTP status, a short machine-readable error code and a
 * message for the human reading it. Mapped to {@code {"error","message","status"}} by the REST layer.
 */
public class CaptureRejection extends RuntimeException {

    private final int status;
    private final String error;
    private final Integer retryAfterSeconds;

    public CaptureRejection(int status, String error, String message) {
        this(status, error, message, null);
    }

    public CaptureRejection(int status, String error, String message, Integer retryAfterSeconds) {
        super(message, null, false, false);
        this.status = status;
        this.error = error;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public int status() {
        return status;
    }

    public String error() {
        return error;
    }

    public Integer retryAfterSeconds() {
        return retryAfterSeconds;
    }

    public static CaptureRejection badRequest(String error, String message) {
        return new CaptureRejection(400, error, message);
    }

    public static CaptureRejection notFound(String message) {
        return new CaptureRejection(404, "not_found", message);
    }
}
