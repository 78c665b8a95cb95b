package io.sightline.common.frame;

/** A record on {@code frames} that breaks the contract; the message is the dead-letter reason. */
public class InvalidFrameException extends RuntimeException {

    public InvalidFrameException(String message) {
        super(message);
    }

    public InvalidFrameException(String message, Throwable cause) {
        super(message, cause);
    }
}
