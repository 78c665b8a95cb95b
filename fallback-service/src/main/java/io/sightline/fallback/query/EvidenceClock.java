package io.sightline.fallback.query;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;

/** Formats when evidence was captured and how old it is: "12:03:04, 3 s ago". */
final class EvidenceClock {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss");
    private static final DateTimeFormatter DATE_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

    private final ZoneId zone;

    EvidenceClock(ZoneId zone) {
        this.zone = zone;
    }

    ZoneId zone() {
        return zone;
    }

    /** Clock time in the configured zone; the date is added when it is not today. */
    String at(long epochMs, long nowMs) {
        ZonedDateTime when = Instant.ofEpochMilli(epochMs).atZone(zone);
        LocalDate today = Instant.ofEpochMilli(nowMs).atZone(zone).toLocalDate();
        return when.toLocalDate().equals(today) ? TIME.format(when) : DATE_TIME.format(when);
    }

    /** "as of 12:03:04, 3 s ago" */
    String asOf(long epochMs, long nowMs) {
        return "as of " + at(epochMs, nowMs) + ", " + ago(nowMs - epochMs);
    }

    static String ago(long ageMs) {
        return age(ageMs) + " ago";
    }

    /** "3 s", "4 min 10 s", "2 h 5 min", "3 d 4 h"; negative ages (clock skew) read as 0 s. */
    static String age(long ageMs) {
        long s = Math.max(0, ageMs) / 1000;
        if (s < 60) {
            return s + " s";
        }
        long m = s / 60;
        if (m < 60) {
            return s % 60 == 0 ? m + " min" : m + " min " + (s % 60) + " s";
        }
        long h = m / 60;
        if (h < 24) {
            return m % 60 == 0 ? h + " h" : h + " h " + (m % 60) + " min";
        }
        long d = h / 24;
        return h % 24 == 0 ? d + " d" : d + " d " + (h % 24) + " h";
    }
}
