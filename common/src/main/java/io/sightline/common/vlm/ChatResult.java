package io.sightline.common.vlm;

/**
 * The assistant's answer: content flattened to a string (text parts joined with newlines), with timing for
 * metrics and captions: {@code latencyMs} from dispatch to the server until the answer (generation time),
 * {@code queueWaitMs} spent waiting for a free slot before that.
 */
public record ChatResult(String content, String model, String finishReason, long latencyMs, long queueWaitMs) {
}
