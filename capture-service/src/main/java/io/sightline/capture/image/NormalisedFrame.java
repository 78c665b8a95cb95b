package io.sightline.capture.image;

/** A frame ready to publish: JPEG bytes at most the configured long side, and its thumbnail for the gate. */
public record NormalisedFrame(byte[] jpeg, int width, int height, Thumbnail thumbnail) {
}
