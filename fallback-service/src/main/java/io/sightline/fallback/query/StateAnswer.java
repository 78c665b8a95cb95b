package io.sightline.fallback.query;

/** What the pipeline's latest state can say about a query: an answer with its evidence, or why not. */
sealed interface StateAnswer {

    /** {@code basis} names the evidence for the decision reason, e.g. "the latest detections (3 s old)". */
    record Answered(String text, FrameRef evidence, String basis) implements StateAnswer {
    }

    record Unanswerable(String reason) implements StateAnswer {
    }
}
