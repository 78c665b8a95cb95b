package io.sightline.fallback.query;

import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZonedDateTime;
import java.time.temporal.TemporalAdjusters;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds the time range a question is about ("this morning", "since 8 am", "yesterday", "today",
 * "this week", "in the last 2 hours"…) and turns it into instants in the camera's time zone: the
 * zone of {@code now}. Ranges never end after {@code now}. Pure: tested with a fixed clock.
 */
public final class TimePhrases {

    /** A range [start, end] and the words it came from (for "based on" explanations). */
    public record TimeRange(Instant start, Instant end, String phrase) {
    }

    private static final Pattern SINCE = Pattern.compile(
            "\\bsince\\s+(noon|midnight|(\\d{1,2})(?:[:.](\\d{2}))?\\s*(a\\.?m\\.?|p\\.?m\\.?|o'?clock)?)(?![\\w:])");
    private static final Pattern LAST_N = Pattern.compile(
            "\\b(?:in\\s+)?(?:the\\s+)?(?:last|past)\\s+(\\d{1,3}|an?|one|two|three|four|five|six|ten|twelve|24)?\\s*(minutes?|mins?|hours?|hrs?|days?)\\b");
    private static final String[][] NAMED = {
            {"this morning", "morning"}, {"this afternoon", "afternoon"}, {"this evening", "evening"}, {"tonight", "tonight"},
            {"last night", "last night"}, {"yesterday", "yesterday"}, {"today", "today"}, {"this week", "this week"},
            {"last week", "last week"}, {"this month", "this month"}};

    private TimePhrases() {
    }

    public static Optional<TimeRange> parse(String query, ZonedDateTime now) {
        String q = query.toLowerCase(Locale.ROOT);
        Matcher since = SINCE.matcher(q);
        if (since.find()) {
            Optional<LocalTime> at = clock(since);
            if (at.isPresent()) {
                ZonedDateTime start = now.toLocalDate().atTime(at.get()).atZone(now.getZone());
                if (start.isAfter(now)) {
                    start = start.minusDays(1); // "since 8 pm" asked at 7 am: yesterday evening
                }
                return Optional.of(new TimeRange(start.toInstant(), now.toInstant(), since.group().trim()));
            }
        }
        Matcher last = LAST_N.matcher(q);
        if (last.find()) {
            long n = number(last.group(1));
            String unit = last.group(2);
            Duration d = unit.startsWith("min") ? Duration.ofMinutes(n) : unit.startsWith("h") ? Duration.ofHours(n) : Duration.ofDays(n);
            return Optional.of(new TimeRange(now.minus(d).toInstant(), now.toInstant(), last.group().trim()));
        }
        for (String[] named : NAMED) {
            if (Pattern.compile("\\b" + named[0] + "\\b").matcher(q).find()) {
                return Optional.of(named(named[1], named[0], now));
            }
        }
        return Optional.empty();
    }

    private static TimeRange named(String kind, String phrase, ZonedDateTime now) {
        LocalDate today = now.toLocalDate();
        ZonedDateTime midnight = today.atStartOfDay(now.getZone());
        return switch (kind) {
            case "morning" -> range(at(today, 5, now), at(today, 12, now), now, phrase);
            case "afternoon" -> range(at(today, 12, now), at(today, 18, now), now, phrase);
            case "evening" -> range(at(today, 18, now), at(today, 23, now), now, phrase);
            case "tonight" -> range(at(today, 18, now), at(today.plusDays(1), 6, now), now, phrase);
            case "last night" -> range(at(today.minusDays(1), 18, now), at(today, 6, now), now, phrase);
            case "yesterday" -> range(midnight.minusDays(1), midnight, now, phrase);
            case "today" -> range(midnight, now, now, phrase);
            case "this week" -> range(today.with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY)).atStartOfDay(now.getZone()), now, now, phrase);
            case "last week" -> {
                ZonedDateTime monday = today.with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY)).atStartOfDay(now.getZone());
                yield range(monday.minusWeeks(1), monday, now, phrase);
            }
            case "this month" -> range(today.withDayOfMonth(1).atStartOfDay(now.getZone()), now, now, phrase);
            default -> throw new IllegalArgumentException(kind);
        };
    }

    private static ZonedDateTime at(LocalDate day, int hour, ZonedDateTime now) {
        return day.atTime(hour, 0).atZone(now.getZone());
    }

    private static TimeRange range(ZonedDateTime start, ZonedDateTime end, ZonedDateTime now, String phrase) {
        ZonedDateTime e = end.isAfter(now) ? now : end;
        ZonedDateTime s = start.isAfter(e) ? e : start;
        return new TimeRange(s.toInstant(), e.toInstant(), phrase);
    }

    private static Optional<LocalTime> clock(Matcher m) {
        if (m.group(1).equals("noon")) {
            return Optional.of(LocalTime.NOON);
        }
        if (m.group(1).equals("midnight")) {
            return Optional.of(LocalTime.MIDNIGHT);
        }
        int hour = Integer.parseInt(m.group(2));
        int minute = m.group(3) == null ? 0 : Integer.parseInt(m.group(3));
        String suffix = m.group(4) == null ? "" : m.group(4).replace(".", "");
        if (suffix.isEmpty() && m.group(3) == null) {
            return Optional.empty(); // "since 8" alone could be a count ("since 8 people came"): not a time
        }
        if (suffix.startsWith("pm") && hour < 12) {
            hour += 12;
        } else if (suffix.startsWith("am") && hour == 12) {
            hour = 0;
        }
        if (hour > 23 || minute > 59) {
            return Optional.empty();
        }
        return Optional.of(LocalTime.of(hour, minute));
    }

    private static long number(String word) {
        if (word == null || word.equals("a") || word.equals("an") || word.equals("one")) {
            return 1;
        }
        return switch (word) {
            case "two" -> 2;
            case "three" -> 3;
            case "four" -> 4;
            case "five" -> 5;
            case "six" -> 6;
            case "ten" -> 10;
            case "twelve" -> 12;
            default -> Long.parseLong(word);
        };
    }
}
