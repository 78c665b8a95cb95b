package io.sightline.fallback.query;

/** The frame an answer rests on: id, capture time (epoch ms) and its age when the answer was made. */
public record FrameRef(String id, long capturedAt, long ageMs) {
}
