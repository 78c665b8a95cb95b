package io.sightline.caption.escalation;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import io.sightline.caption.config.CaptionConfig;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Decides per frame whether the scene's meaning changed since the camera's last described frame (see
 * {@link SceneChange}), whether the keep-alive passed or someone asked for a fresh description, and whether
 * the camera's and the global describing-tier budgets allow a call now. Over budget the escalation is not
 * lost: nothing about the described state changes, so the camera's next frame (the newest wins) asks again
 * and escalates as soon as a new window opens. Counts {@code sightline.caption.escalations} and
 * {@code sightline.caption.suppressed} per camera and reason.
 *
 * <p>The described state moves at the decision, not when the describing tier answers: the pipeline handles
 * one frame per camera at a time, and a failed description is reported back ({@link #describeFailed}) so
 * the next frame tries again.
 */
@ApplicationScoped
public class EscalationPolicy {

    /** Everything known about one camera. */
    private static final class CameraState {
        final EscalationRules rules;
        final CallBudget budget;
        SceneSignature described;
        String describedFrameId;
        long describedAt;
        String description;
        String refreshBy;
        String deferred;
        SceneSignature last;
        long lastAt;

        CameraState(EscalationRules rules) {
            this.rules = rules;
            this.budget = new CallBudget(rules.perMinute(), rules.perHour());
        }
    }

    /** A described state to restore when the describing tier failed. */
    public record Described(SceneSignature signature, String frameId, long at, String description) {
    }

    /** One camera for {@code GET /api/v1/backends}. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record CameraView(String camera, boolean enabled, String describedFrameId, long describedAt, String signature,
                             String deferred, String refreshRequestedBy, BudgetView budget) {
    }

    /** Budget windows for {@code GET /api/v1/backends}: limit (0 unlimited), used, when the window ends (epoch ms, frame time). */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record BudgetView(int perMinute, int usedThisMinute, long minuteEndsAt, int perHour, int usedThisHour, long hourEndsAt) {
        static BudgetView of(CallBudget b) {
            CallBudget.Window m = b.minute();
            CallBudget.Window h = b.hour();
            return new BudgetView(m.limit(), m.used(), m.endsAt(), h.limit(), h.used(), h.endsAt());
        }
    }

    private final CaptionConfig.Escalation config;
    private final MeterRegistry registry;
    private final CallBudget global;
    private final Map<String, CameraState> cameras = new HashMap<>();

    EscalationPolicy(CaptionConfig config, MeterRegistry registry) {
        this.config = config.escalation();
        this.registry = registry;
        this.global = new CallBudget(this.config.globalPerMinute(), this.config.globalPerHour());
    }

    public EscalationRules rules(String camera) {
        synchronized (this) {
            return state(camera).rules;
        }
    }

    private CameraState state(String camera) {
        return cameras.computeIfAbsent(camera, c -> new CameraState(EscalationRules.of(config, c)));
    }

    /** Decides for a frame captured at {@code at} with this signature; an escalation is counted against the budgets at once. */
    public EscalationDecision decide(String camera, String frameId, long at, SceneSignature now) {
        EscalationDecision decision;
        synchronized (this) {
            CameraState s = state(camera);
            s.last = now;
            s.lastAt = at;
            Optional<SceneChange.Trigger> trigger = trigger(s, at, now);
            if (trigger.isEmpty()) {
                decision = new EscalationDecision(false, EscalationDecision.STATIC, null, s.describedFrameId, s.description);
            } else {
                String exhausted = s.budget.exhausted(at);
                String scope = exhausted != null ? "camera" : null;
                if (exhausted == null) {
                    exhausted = global.exhausted(at);
                    scope = exhausted != null ? "global" : null;
                }
                SceneChange.Trigger t = trigger.get();
                String what = t.code() + (t.detail() == null ? "" : " " + t.detail());
                if (exhausted != null) {
                    s.deferred = what;
                    decision = new EscalationDecision(false, EscalationDecision.BUDGET,
                            "deferred " + what + " (" + scope + " budget per " + exhausted + " spent)", s.describedFrameId,
                            s.description);
                } else {
                    s.budget.spend(at);
                    global.spend(at);
                    s.deferred = null;
                    if (t.code().equals(EscalationDecision.REFRESH)) {
                        s.refreshBy = null;
                    }
                    s.described = now;
                    s.describedFrameId = frameId;
                    s.describedAt = at;
                    decision = new EscalationDecision(true, t.code(), t.detail(), frameId, null);
                }
            }
        }
        registry.counter(decision.escalate() ? "sightline.caption.escalations" : "sightline.caption.suppressed",
                "camera", camera, "reason", decision.reason()).increment();
        if (decision.escalate()) {
            Log.infof("Escalating frame %s of camera %s to the describing tier: %s%s", frameId, camera, decision.reason(),
                    decision.detail() == null ? "" : " (" + decision.detail() + ")");
        } else if (EscalationDecision.BUDGET.equals(decision.reason())) {
            Log.infof("Frame %s of camera %s not escalated: %s", frameId, camera, decision.detail());
        }
        return decision;
    }

    private Optional<SceneChange.Trigger> trigger(CameraState s, long at, SceneSignature now) {
        if (s.refreshBy != null) {
            return Optional.of(new SceneChange.Trigger(EscalationDecision.REFRESH, s.refreshBy));
        }
        if (s.described == null) {
            return Optional.of(new SceneChange.Trigger(EscalationDecision.FIRST_FRAME, null));
        }
        Optional<SceneChange.Trigger> change = SceneChange.between(s.described, now, s.rules);
        if (change.isPresent()) {
            return change;
        }
        if (at - s.describedAt >= s.rules.keepAlive().toMillis()) {
            return Optional.of(new SceneChange.Trigger(EscalationDecision.KEEP_ALIVE,
                    (at - s.describedAt) / 1000 + " s since frame " + s.describedFrameId));
        }
        return Optional.empty();
    }

    /** The state before an escalation of the camera, to hand to {@link #describeFailed} if the tier fails. */
    public synchronized Described described(String camera) {
        CameraState s = state(camera);
        return new Described(s.described, s.describedFrameId, s.describedAt, s.description);
    }

    /** The describing tier described the escalated frame: its words are what suppressed frames repeat. */
    public synchronized void described(String camera, String frameId, String text) {
        CameraState s = state(camera);
        if (frameId.equals(s.describedFrameId)) {
            s.description = text;
        }
    }

    /** The describing tier did not describe the escalated frame: back to the previous state, so the next frame asks again. */
    public synchronized void describeFailed(String camera, String frameId, Described previous) {
        CameraState s = state(camera);
        if (frameId.equals(s.describedFrameId)) {
            s.described = previous.signature();
            s.describedFrameId = previous.frameId();
            s.describedAt = previous.at();
            s.description = previous.description();
        }
    }

    /** A watch job or a user wants a fresh description: the camera's next frame escalates. */
    public void requestRefresh(String camera, String requestedBy) {
        synchronized (this) {
            state(camera).refreshBy = requestedBy == null || requestedBy.isBlank() ? "unnamed" : requestedBy;
        }
        Log.infof("Fresh description of camera %s requested by %s: its next frame escalates", camera, requestedBy);
    }

    public synchronized BudgetView globalBudget() {
        return BudgetView.of(global);
    }

    public synchronized List<CameraView> cameras() {
        List<CameraView> out = new ArrayList<>();
        new TreeMap<>(cameras).forEach((camera, s) -> out.add(new CameraView(camera, s.rules.enabled(), s.describedFrameId,
                s.describedAt, s.last == null ? null : s.last.summary(), s.deferred, s.refreshBy, BudgetView.of(s.budget))));
        return out;
    }
}
