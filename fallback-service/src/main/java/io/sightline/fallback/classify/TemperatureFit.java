package io.sightline.fallback.classify;

import java.util.List;

/**
 * Temperature scaling (Guo et al., 2017, "On Calibration of Modern Neural Networks"): one scalar T
 * divides the scores before the softmax; T is chosen to minimise the negative log-likelihood of the
 * true labels of a held-out calibration set. It changes the confidence, never the predicted class.
 */
final class TemperatureFit {

    static final double MIN_T = 0.002;
    static final double MAX_T = 1.0;

    private TemperatureFit() {
    }

    static double[] softmax(double[] scores, double temperature) {
        double max = Double.NEGATIVE_INFINITY;
        for (double s : scores) {
            max = Math.max(max, s);
        }
        double[] p = new double[scores.length];
        double sum = 0;
        for (int i = 0; i < scores.length; i++) {
            p[i] = Math.exp((scores[i] - max) / temperature);
            sum += p[i];
        }
        for (int i = 0; i < p.length; i++) {
            p[i] /= sum;
        }
        return p;
    }

    /** Mean negative log-likelihood of the labels at temperature T. */
    static double nll(List<double[]> scores, List<Integer> labels, double temperature) {
        double total = 0;
        for (int i = 0; i < scores.size(); i++) {
            double p = softmax(scores.get(i), temperature)[labels.get(i)];
            total -= Math.log(Math.max(p, 1e-12));
        }
        return total / scores.size();
    }

    /** Log-spaced grid search, then golden-section refinement in log T (NLL is smooth and unimodal enough in T). */
    static double fit(List<double[]> scores, List<Integer> labels) {
        if (scores.isEmpty()) {
            throw new IllegalArgumentException("calibration needs at least one labelled query");
        }
        double bestLog = Math.log(MIN_T);
        double bestNll = Double.POSITIVE_INFINITY;
        int steps = 60;
        double lo = Math.log(MIN_T);
        double hi = Math.log(MAX_T);
        for (int i = 0; i <= steps; i++) {
            double logT = lo + (hi - lo) * i / steps;
            double value = nll(scores, labels, Math.exp(logT));
            if (value < bestNll) {
                bestNll = value;
                bestLog = logT;
            }
        }
        double step = (hi - lo) / steps;
        double a = Math.max(lo, bestLog - step);
        double b = Math.min(hi, bestLog + step);
        double ratio = (Math.sqrt(5) - 1) / 2;
        for (int i = 0; i < 40; i++) {
            double c = b - ratio * (b - a);
            double d = a + ratio * (b - a);
            if (nll(scores, labels, Math.exp(c)) < nll(scores, labels, Math.exp(d))) {
                b = d;
            } else {
                a = c;
            }
        }
        return Math.exp((a + b) / 2);
    }
}
