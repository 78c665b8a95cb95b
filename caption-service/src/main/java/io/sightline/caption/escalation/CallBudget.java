package io.sightline.caption.escalation;

/**
 * Describing-tier calls allowed per minute and per hour, in fixed windows aligned to the clock (a minute
 * window starts at :00 s). Time is the frames' capture time, so a replay at any speed is budgeted as it was
 * recorded; a time earlier than the current window counts into the current window. A limit of 0 is unlimited.
 * Not thread-safe: {@link EscalationPolicy} guards it.
 */
final class CallBudget {

    private static final long MINUTE = 60_000L;
    private static final long HOUR = 3_600_000L;

    /** One window's state for {@code GET /api/v1/backends}. */
    record Window(int limit, int used, long endsAt) {
    }

    private final int perMinute;
    private final int perHour;
    private long minuteStart = Long.MIN_VALUE;
    private long hourStart = Long.MIN_VALUE;
    private int minuteUsed;
    private int hourUsed;

    CallBudget(int perMinute, int perHour) {
        this.perMinute = Math.max(0, perMinute);
        this.perHour = Math.max(0, perHour);
    }

    private void roll(long at) {
        long m = Math.floorDiv(at, MINUTE) * MINUTE;
        if (m > minuteStart) {
            minuteStart = m;
            minuteUsed = 0;
        }
        long h = Math.floorDiv(at, HOUR) * HOUR;
        if (h > hourStart) {
            hourStart = h;
            hourUsed = 0;
        }
    }

    /** Whether a call at {@code at} fits; "minute" or "hour" when it does not, null when it does. */
    String exhausted(long at) {
        roll(at);
        if (perMinute > 0 && minuteUsed >= perMinute) {
            return "minute";
        }
        if (perHour > 0 && hourUsed >= perHour) {
            return "hour";
        }
        return null;
    }

    void spend(long at) {
        roll(at);
        minuteUsed++;
        hourUsed++;
    }

    Window minute() {
        return new Window(perMinute, minuteUsed, minuteStart == Long.MIN_VALUE ? 0 : minuteStart + MINUTE);
    }

    Window hour() {
        return new Window(perHour, hourUsed, hourStart == Long.MIN_VALUE ? 0 : hourStart + HOUR);
    }
}
