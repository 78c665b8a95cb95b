package io.sightline.watch;

import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

class WatchBudgetTest {

    @Test
    void callsBeyondTheHourlyBudgetWaitUntilTheOldestCallLeavesTheWindow() {
        AtomicLong now = new AtomicLong(1_000_000);
        Clock clock = new Clock() {
            @Override
            public ZoneOffset getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(java.time.ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                return Instant.ofEpochMilli(now.get());
            }
        };
        WatchBudget budget = new WatchBudget(3, clock);
        assertThat(budget.tryTake()).isZero();
        now.addAndGet(10_000);
        assertThat(budget.tryTake()).isZero();
        assertThat(budget.tryTake()).isZero();
        assertThat(budget.used()).isEqualTo(3);

        assertThat(budget.tryTake()).as("wait until the first call is an hour old").isEqualTo(Duration.ofHours(1).toMillis() - 10_000);
        now.addAndGet(Duration.ofHours(1).toMillis() - 10_000);
        assertThat(budget.tryTake()).isZero();
        assertThat(budget.used()).isEqualTo(3);
    }

    @Test
    void zeroMeansUnlimited() {
        WatchBudget budget = new WatchBudget(0, Clock.systemUTC());
        for (int i = 0; i < 10_000; i++) {
            assertThat(budget.tryTake()).isZero();
        }
    }
}
