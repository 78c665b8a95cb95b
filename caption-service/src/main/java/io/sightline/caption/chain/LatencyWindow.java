package io.sightline.caption.chain;

import java.util.Arrays;

/** The latencies of a tier's most recent successful frames, for p50/p95 on the status endpoint. */
public final class LatencyWindow {

    public record Summary(int samples, long p50Ms, long p95Ms, long lastMs) {
    }

    private final long[] samples;
    private int next;
    private int size;
    private long last;

    public LatencyWindow(int capacity) {
        this.samples = new long[capacity];
    }

    public synchronized void record(long millis) {
        samples[next] = millis;
        next = (next + 1) % samples.length;
        size = Math.min(size + 1, samples.length);
        last = millis;
    }

    public synchronized Summary summary() {
        if (size == 0) {
            return new Summary(0, 0, 0, 0);
        }
        long[] sorted = Arrays.copyOf(samples, size);
        Arrays.sort(sorted);
        return new Summary(size, percentile(sorted, 0.50), percentile(sorted, 0.95), last);
    }

    /** Nearest-rank percentile. */
    private static long percentile(long[] sorted, double p) {
        int rank = (int) Math.ceil(p * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }
}
