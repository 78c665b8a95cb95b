package io.sightline.common.download;

/** A model file could not be made available: the message names the file, its address and what went wrong. */
public class ModelDownloadException extends RuntimeException {

    private final ModelFile file;
    private final String reason;

    public ModelDownloadException(ModelFile file, String message, Throwable cause) {
        super(file.relativePath() + ": " + message, cause);
        this.file = file;
        this.reason = message;
    }

    public ModelDownloadException(ModelFile file, String message) {
        this(file, message, null);
    }

    /** What went wrong, without the file name in front. */
    public String reason() {
        return reason;
    }

    public ModelFile file() {
        return file;
    }
}
