package io.sightline.notify.channel;

/** A channel definition refused: {@code field} names what is wrong ({@code config.url}, {@code type}, ...). */
public class InvalidChannelException extends RuntimeException {

    private final String field;

    public InvalidChannelException(String field, String problem) {
        super(field + ": " + problem);
        this.field = field;
    }

    public String field() {
        return field;
    }
}
