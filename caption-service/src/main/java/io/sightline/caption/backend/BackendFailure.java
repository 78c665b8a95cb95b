package io.sightline.caption.backend;

/**
 * A tier could not describe a frame. {@code tierFault} is true for timeouts, 5xx and refused
 * connections (these trip the tier's breaker and send frames down the chain), false for a frame the
 * tier rejected (undecodable image, 4xx caused by our request).
 */
public class BackendFailure extends RuntimeException {

    private final String backend;
    private final boolean tierFault;

    public BackendFailure(String backend, boolean tierFault, String message, Throwable cause) {
        super(backend + ": " + message, cause);
        this.backend = backend;
        this.tierFault = tierFault;
    }

    public String backend() {
        return backend;
    }

    public boolean tierFault() {
        return tierFault;
    }
}
