package io.sightline.common.vlm;

/**
 * Who is waiting: a person ({@link #HIGH}, interactive) or a batch job ({@link #LOW}: captions of
 * background frames, watch jobs). HIGH requests are dispatched before waiting LOW ones; LOW ages.
 */
public enum Priority {
    HIGH, LOW;

    /** OpenAI-endpoint convention: 1 = HIGH (interactive) ... 10 = LOW (batch); 1-5 map to HIGH. */
    public static Priority fromLevel(int level) {
        if (level < 1 || level > 10) {
            throw new IllegalArgumentException("priority must be between 1 (interactive) and 10 (batch), was " + level);
        }
        return level <= 5 ? HIGH : LOW;
    }
}
