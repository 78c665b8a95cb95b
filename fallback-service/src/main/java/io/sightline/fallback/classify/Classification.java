package io.sightline.fallback.classify;

import java.util.Map;

/**
 * The classifier's verdict: the most probable intent, its calibrated probability ({@code confidence},
 * in [0,1]) and the probability of every intent.
 */
public record Classification(QueryIntent intent, double confidence, Map<QueryIntent, Double> probabilities) {

    public Classification {
        probabilities = Map.copyOf(probabilities);
    }
}
