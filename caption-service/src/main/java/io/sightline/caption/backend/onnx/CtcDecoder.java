package io.sightline.caption.backend.onnx;

import java.util.List;

/**
 * Greedy CTC decoding for PaddleOCR's recogniser: argmax per time step, collapse repeats, drop the
 * blank (index 0). Indices 1..n map to the dictionary lines, n+1 to a space.
 */
final class CtcDecoder {

    /** Decoded line with the mean probability of the characters kept. */
    record Decoded(String text, double score) {
    }

    private final String[] symbols;

    CtcDecoder(List<String> dictionary) {
        symbols = new String[dictionary.size() + 2];
        symbols[0] = "";
        for (int i = 0; i < dictionary.size(); i++) {
            symbols[i + 1] = dictionary.get(i);
        }
        symbols[symbols.length - 1] = " ";
    }

    int classes() {
        return symbols.length;
    }

    /** Decodes one sequence: {@code steps x classes} probabilities starting at {@code offset}. */
    Decoded decode(float[] probs, int offset, int steps) {
        int classes = symbols.length;
        StringBuilder text = new StringBuilder();
        double scoreSum = 0;
        int kept = 0;
        int previous = -1;
        for (int t = 0; t < steps; t++) {
            int base = offset + t * classes;
            int best = 0;
            float bestP = probs[base];
            for (int c = 1; c < classes; c++) {
                if (probs[base + c] > bestP) {
                    bestP = probs[base + c];
                    best = c;
                }
            }
            if (best != 0 && best != previous) {
                text.append(symbols[best]);
                scoreSum += bestP;
                kept++;
            }
            previous = best;
        }
        return new Decoded(text.toString().strip(), kept == 0 ? 0 : scoreSum / kept);
    }
}
