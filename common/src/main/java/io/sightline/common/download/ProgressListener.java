package io.sightline.common.download;

/** Told how far a download is; called on the HTTP client's threads, so keep it quick. */
@FunctionalInterface
public interface ProgressListener {

    /**
     * @param bytesDone  bytes of the file on disk so far (including a resumed part)
     * @param bytesTotal expected size, or -1 when neither the server nor the {@link ModelFile} says
     */
    void progress(ModelFile file, long bytesDone, long bytesTotal);

    ProgressListener NONE = (file, done, total) -> { };
}
