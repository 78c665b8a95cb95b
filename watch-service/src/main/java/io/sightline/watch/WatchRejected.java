package io.sightline.watch;

/** A watch request that cannot be served, with the HTTP status that says why (400, 404, 409, 429). */
class WatchRejected extends RuntimeException {

    private final int status;
    private final java.util.Map<String, Object> details;

    WatchRejected(int status, String message) {
        this(status, message, java.util.Map.of());
    }

    /** With fields added to the error body, e.g. {@code known_labels}. */
    WatchRejected(int status, String message, java.util.Map<String, Object> details) {
        super(message, null, false, false);
        this.status = status;
        this.details = details;
    }

    int status() {
        return status;
    }

    java.util.Map<String, Object> details() {
        return details;
    }
}
