package io.sightline.common.net;

/** A destination the outbound policy does not allow; the message says why (it never holds credentials). */
public class RefusedDestinationException extends RuntimeException {

    public RefusedDestinationException(String message) {
        super(message);
    }
}
