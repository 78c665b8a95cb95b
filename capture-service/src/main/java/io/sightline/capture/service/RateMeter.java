package io.sightline.capture.service;

/** Events per second over the last few seconds, in one-second buckets; cheap enough for every frame. */
final class RateMeter {

    private static final int SECONDS = 5;
    private final long[] counts = new long[SECONDS + 1];
    private final long[] stamps = new long[SECONDS + 1];

    synchronized void mark(long nowMillis) {
        long second = nowMillis / 1000;
        int slot = (int) (second % counts.length);
        if (stamps[slot] != second) {
            stamps[slot] = second;
            counts[slot] = 0;
        }
        counts[slot]++;
    }

    /** Average rate over the last {@value #SECONDS} complete seconds. */
    synchronized double perSecond(long nowMillis) {
        long current = nowMillis / 1000;
        long total = 0;
        for (int i = 0; i < counts.length; i++) {
            long age = current - stamps[i];
            if (age >= 1 && age <= SECONDS) {
                total += counts[i];
            }
        }
        return (double) total / SECONDS;
    }
}
