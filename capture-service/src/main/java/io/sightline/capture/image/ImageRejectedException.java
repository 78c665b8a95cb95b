package io.sightline.capture.image;

/** Bytes that cannot become a frame; {@link #kind()} says why, the message says it to a human. */
public class ImageRejectedException extends Exception {

    public enum Kind {
        /** Zero bytes. */
        EMPTY,
        /** Neither JPEG nor PNG, or not decodable at all. */
        NOT_AN_IMAGE,
        /** Starts like an image but ends early or is corrupt. */
        TRUNCATED,
        /** More encoded bytes than allowed. */
        TOO_MANY_BYTES,
        /** More pixels than allowed (decompression bomb guard). */
        TOO_MANY_PIXELS
    }

    private final Kind kind;

    public ImageRejectedException(Kind kind, String message) {
        super(message, null, false, false);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
