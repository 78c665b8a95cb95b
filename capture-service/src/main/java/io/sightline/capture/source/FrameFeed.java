package io.sightline.capture.source;

import io.sightline.capture.image.ImageRejectedException;

import java.awt.image.BufferedImage;

/** What a source hands its frames and its health to: the camera's sampling, gate and publishing lane. */
public interface FrameFeed {

    /** A frame arrived from the source (counted as fps in, whether or not it is sampled). */
    void frameArrived();

    /** True when the camera's target rate wants the next frame; advances the schedule when it does. */
    boolean due();

    /** A sampled, decoded frame; the feed copies what it keeps, so the caller may reuse the image. */
    void offer(BufferedImage image, long capturedAtMillis);

    /** A sampled, encoded image (snapshot, file in a directory). */
    void offerEncoded(byte[] encoded, long capturedAtMillis) throws ImageRejectedException;

    /** The source is connected and delivering. */
    void connected();

    /** The source failed (will retry with backoff); the message must not contain credentials. */
    void failed(String message);

    /** The source refused the credentials (will retry with backoff); the message must not contain credentials. */
    default void refused(String message) {
        failed(message);
    }

    /** The source ended for good (a file that does not loop). */
    void finished(String reason);
}
