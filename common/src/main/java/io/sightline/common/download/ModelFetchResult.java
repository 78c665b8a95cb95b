package io.sightline.common.download;

/**
 * What {@link ModelDownloader#ensure} did for one file.
 *
 * @param outcome {@code present} (already there, digest checked), {@code downloaded} (fetched whole)
 *                or {@code resumed} (a partial download was continued)
 * @param bytes   bytes transferred over the network (0 when present)
 * @param millis  time spent on the file, including verification
 */
public record ModelFetchResult(ModelFile file, String outcome, long bytes, long millis) {

    public static final String PRESENT = "present";
    public static final String DOWNLOADED = "downloaded";
    public static final String RESUMED = "resumed";
}
