package io.sightline.watch;

/** A watch request that cannot be served, with the HTTP status that says why (404, 409, 429). */
class WatchRejected extends RuntimeException {

    private final int status;

    WatchRejected(int status, String message) {
        super(message, null, false, false);
        this.status = status;
    }

    int status() {
        return status;
    }
}
