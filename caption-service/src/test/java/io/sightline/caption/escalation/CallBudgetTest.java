package io.sightline.caption.escalation;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class CallBudgetTest {

    private static final long MINUTE = 60_000;
    private static final long HOUR = 3_600_000;
    private static final long T = 1_800_000_000_000L / HOUR * HOUR; // on a full hour

    @Test
    void aSpentMinuteOpensAgainInTheNextMinuteAndTheHourCapHoldsAcrossMinutes() {
        CallBudget budget = new CallBudget(2, 3);
        budget.spend(T + 1000);
        budget.spend(T + 2000);
        assertThat(budget.exhausted(T + 59_000)).isEqualTo("minute");
        assertThat(budget.minute().endsAt()).isEqualTo(T + MINUTE);
        assertThat(budget.exhausted(T + MINUTE)).isNull();
        budget.spend(T + MINUTE);
        assertThat(budget.exhausted(T + MINUTE + 1)).as("1 of 2 this minute, but 3 of 3 this hour").isEqualTo("hour");
        assertThat(budget.exhausted(T + 2 * MINUTE)).as("a new minute does not reopen the hour").isEqualTo("hour");
        assertThat(budget.hour().used()).isEqualTo(3);
        assertThat(budget.exhausted(T + HOUR)).isNull();
    }

    @Test
    void aFrameFromAnEarlierWindowCountsIntoTheCurrentOneAndZeroIsUnlimited() {
        CallBudget budget = new CallBudget(1, 0);
        budget.spend(T + 5 * MINUTE);
        assertThat(budget.exhausted(T + 4 * MINUTE)).as("an older frame does not reopen an older window").isEqualTo("minute");
        CallBudget unlimited = new CallBudget(0, 0);
        for (int i = 0; i < 1000; i++) {
            unlimited.spend(T + i);
        }
        assertThat(unlimited.exhausted(T + 1000)).isNull();
    }
}
