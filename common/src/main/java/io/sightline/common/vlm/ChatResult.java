package io.sightline.common.vlm;

/** The assistant's answer: content flattened to a string, with timing for metrics and captions. */
public record ChatResult(String content, String model, String finishReason, long latencyMs, long queueWaitMs) {
}
