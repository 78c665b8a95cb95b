package io.sightline.common.download;

/** A model file could not be made available: the message names the file, its address and what went wrong. */
public class ModelDownloadException extends RuntimeException {

    private final ModelFile file;

    public ModelDownloadException(ModelFile file, String message, Throwable cause) {
        super(file.relativePath() + ": " + message, cause);
        this.file = file;
    }

    public ModelDownloadException(ModelFile file, String message) {
        this(file, message, null);
    }

    public ModelFile file() {
        return file;
    }
}
