package io.sightline.caption.chain;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

class TierBreakerTest {

    private final AtomicLong now = new AtomicLong();
    private final TierBreaker breaker = new TierBreaker(3, Duration.ofSeconds(10), now::get);

    @Test
    void opensOnlyAfterTheMinimumNumberOfConsecutiveFaults() {
        breaker.onFailure();
        breaker.onFailure();
        breaker.onSuccess();
        breaker.onFailure();
        breaker.onFailure();
        assertThat(breaker.state()).isEqualTo(TierBreaker.State.CLOSED);
        breaker.onFailure();
        assertThat(breaker.state()).isEqualTo(TierBreaker.State.OPEN);
        assertThat(breaker.tryAcquire()).isFalse();
    }

    @Test
    void afterCoolDownLetsExactlyOneTrialThroughAndClosesOnItsSuccess() {
        trip();
        now.addAndGet(Duration.ofSeconds(10).toNanos());
        assertThat(breaker.state()).isEqualTo(TierBreaker.State.HALF_OPEN);
        assertThat(breaker.tryAcquire()).isTrue();
        assertThat(breaker.tryAcquire()).as("second frame during the trial").isFalse();
        breaker.onSuccess();
        assertThat(breaker.state()).isEqualTo(TierBreaker.State.CLOSED);
        assertThat(breaker.tryAcquire()).isTrue();
    }

    @Test
    void failedTrialOpensAgainForAnotherCoolDown() {
        trip();
        now.addAndGet(Duration.ofSeconds(11).toNanos());
        assertThat(breaker.tryAcquire()).isTrue();
        breaker.onFailure();
        assertThat(breaker.state()).isEqualTo(TierBreaker.State.OPEN);
        now.addAndGet(Duration.ofSeconds(9).toNanos());
        assertThat(breaker.tryAcquire()).isFalse();
        now.addAndGet(Duration.ofSeconds(1).toNanos());
        assertThat(breaker.tryAcquire()).isTrue();
        assertThat(breaker.timesOpened()).isEqualTo(2);
    }

    @Test
    void rejectedTrialFrameReleasesTheTrialWithoutVerdict() {
        trip();
        now.addAndGet(Duration.ofSeconds(10).toNanos());
        assertThat(breaker.tryAcquire()).isTrue();
        breaker.onNeutral();
        assertThat(breaker.tryAcquire()).as("next frame may be the trial").isTrue();
    }

    @Test
    void latencyWindowReportsNearestRankPercentilesOfRecentSamples() {
        LatencyWindow window = new LatencyWindow(100);
        for (int i = 1; i <= 100; i++) {
            window.record(i);
        }
        assertThat(window.summary()).isEqualTo(new LatencyWindow.Summary(100, 50, 95, 100));
        for (int i = 0; i < 100; i++) {
            window.record(7);
        }
        assertThat(window.summary().p95Ms()).as("old samples fall out of the window").isEqualTo(7);
    }

    private void trip() {
        breaker.onFailure();
        breaker.onFailure();
        breaker.onFailure();
    }
}
