package io.sightline.fallback.query;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;

import static org.assertj.core.api.Assertions.assertThat;

/** Time phrases resolve in the camera's zone (Europe/Berlin here, UTC+1 in December) against a fixed "now". */
class TimePhrasesTest {

    private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");
    /** Wednesday 2026-12-02, 15:30 in Berlin (14:30 UTC). */
    private static final ZonedDateTime NOW = ZonedDateTime.of(2026, 12, 2, 15, 30, 0, 0, BERLIN);

    @Test
    void thisMorningIsFiveToNoonLocalTime() {
        var r = TimePhrases.parse("How many cats were here this morning?", NOW).orElseThrow();
        assertThat(r.start()).isEqualTo(Instant.parse("2026-12-02T04:00:00Z"));
        assertThat(r.end()).isEqualTo(Instant.parse("2026-12-02T11:00:00Z"));
        assertThat(r.phrase()).isEqualTo("this morning");
    }

    @Test
    void since8AmIsTodayAt8LocalUntilNow() {
        var r = TimePhrases.parse("how many cars since 8 am?", NOW).orElseThrow();
        assertThat(r.start()).isEqualTo(Instant.parse("2026-12-02T07:00:00Z"));
        assertThat(r.end()).isEqualTo(NOW.toInstant());
        assertThat(TimePhrases.parse("anyone since 8:30?", NOW).orElseThrow().start()).isEqualTo(Instant.parse("2026-12-02T07:30:00Z"));
        // a time later than now means yesterday's
        assertThat(TimePhrases.parse("what happened since 9pm", NOW).orElseThrow().start()).isEqualTo(Instant.parse("2026-12-01T20:00:00Z"));
    }

    @Test
    void yesterdayIsTheWholeLocalDayBefore() {
        var r = TimePhrases.parse("when did the van come yesterday", NOW).orElseThrow();
        assertThat(r.start()).isEqualTo(Instant.parse("2026-11-30T23:00:00Z"));
        assertThat(r.end()).isEqualTo(Instant.parse("2026-12-01T23:00:00Z"));
    }

    @Test
    void todayThisWeekAndTheLastHours() {
        assertThat(TimePhrases.parse("how many people today?", NOW).orElseThrow().start()).isEqualTo(Instant.parse("2026-12-01T23:00:00Z"));
        // the week starts on Monday 2026-11-30
        assertThat(TimePhrases.parse("how many cars passed this week", NOW).orElseThrow().start())
                .isEqualTo(Instant.parse("2026-11-29T23:00:00Z"));
        assertThat(TimePhrases.parse("anything in the last 2 hours?", NOW).orElseThrow().start())
                .isEqualTo(NOW.minusHours(2).toInstant());
        assertThat(TimePhrases.parse("was there someone in the past hour", NOW).orElseThrow().start())
                .isEqualTo(NOW.minusHours(1).toInstant());
    }

    @Test
    void theSameWordsMeanOtherInstantsInAnotherZone() {
        ZonedDateTime tokyo = NOW.withZoneSameInstant(ZoneId.of("Asia/Tokyo")); // 23:30 in Tokyo
        assertThat(TimePhrases.parse("yesterday", tokyo).orElseThrow().start()).isEqualTo(Instant.parse("2026-11-30T15:00:00Z"));
    }

    @Test
    void questionsWithoutATimeHaveNoRange() {
        assertThat(TimePhrases.parse("how many people are there?", NOW)).isEmpty();
        assertThat(TimePhrases.parse("is the door open since 8 people left", NOW)).isEmpty();
    }
}
