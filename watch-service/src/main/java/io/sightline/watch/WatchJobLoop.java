package io.sightline.watch;

import io.quarkus.logging.Log;
import io.sightline.common.event.DetectionsProduced;
import io.sightline.common.event.NotificationRaised;
import io.sightline.common.frame.CapturedFrame;
import io.sightline.common.vlm.ChatMessage;
import io.sightline.common.vlm.ChatRequest;
import io.sightline.common.vlm.ContentPart;
import io.sightline.common.vlm.Priority;
import io.sightline.common.vlm.VlmClient;
import io.sightline.common.vlm.VlmException;
import io.sightline.common.vlm.parse.VlmResponseParser;
import io.sightline.common.vlm.parse.WatchVerdict;
import io.smallrye.mutiny.Uni;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The loop of one watch job on its owning replica: wait, take the latest frame, ask the VLM, act on the
 * verdict, persist progress, wait again. Waiting is a timer (no thread is held); detections can
 * bring the timer forward. All state is guarded by {@code this}; Kafka writes happen outside the lock.
 */
final class WatchJobLoop {

    private enum Phase { WAITING, BUSY, STOPPED }

    /** What one iteration came to; {@code frame} is the frame the VLM was shown, {@code delayMs} a wait it imposes. */
    private record Step(String outcome, String text, String content, String finishReason, VlmException failure,
                        CapturedFrame frame, long delayMs) {
        static Step retry(String outcome, String text) {
            return new Step(outcome, text, null, null, null, null, -1);
        }

        static Step retry(String outcome, String text, long delayMs) {
            return new Step(outcome, text, null, null, null, null, delayMs);
        }
    }

    private static final DateTimeFormatter HH_MM_SS = DateTimeFormatter.ofPattern("HH:mm:ss");

    private final WatchRunner.Context ctx;
    private final DetectionFilter filter;
    private final WatchConversation conversation;
    private final DateTimeFormatter clockFormat;
    private WatchJob job;
    private Phase phase = Phase.WAITING;
    private ScheduledFuture<?> timer;
    private long wakeAt = Long.MAX_VALUE;
    private long generation;
    private String wakeReason;
    private long cooldownUntil;
    private boolean visionConfirmed;
    private int vlmCalls;

    WatchJobLoop(WatchRunner.Context ctx, WatchJob job) {
        this.ctx = ctx;
        this.job = job;
        this.filter = DetectionFilter.of(job);
        this.conversation = new WatchConversation(
                WatchPrompt.system(job, ctx.config().minNextRunSeconds(), ctx.config().maxNextRunSeconds()),
                ctx.config().historyPairs(), job.history());
        this.clockFormat = HH_MM_SS.withZone(ctx.zone());
        this.vlmCalls = job.vlmCalls();
    }

    /** The job's VLM call budget: its own, else {@code budget.calls-per-minute} per minute of its duration. */
    static int budgetOf(WatchJob job, WatchConfig config) {
        if (job.maxVlmCalls() > 0) {
            return job.maxVlmCalls();
        }
        return (int) Math.min(Integer.MAX_VALUE, Math.max(1L, (long) job.maxDurationMinutes() * config.budget().callsPerMinute()));
    }

    String id() {
        return job.id();
    }

    String camera() {
        return job.camera();
    }

    /**
     * First iteration at once: {@code start} for a new job, {@code resume} for one taken over after a restart or
     * hand-over. A resumed job was without a running replica since its last record (the previous owner's last
     * progress, or the suspend record it wrote when it stopped): that time is reported ({@code downtime_ms},
     * {@code last_outcome}) and added to its deadline, so it resumes with the time it had left.
     */
    void start() {
        WatchJob resumed = null;
        synchronized (this) {
            long now = ctx.clock().millis();
            if (job.lastRunAt() != null) {
                long down = Math.max(0, now - job.updatedAt());
                resumed = job.resumedAfter(down, "Resumed after " + seconds(down) + " without a running replica; deadline moved by as much",
                        ctx.instance(), now);
                job = resumed;
                ctx.metrics().downtime(Duration.ofMillis(down));
            }
            schedule(0, resumed == null ? "start" : "resume");
        }
        if (resumed != null) {
            WatchJob written = resumed;
            Log.infof("Watch job %s on camera %s resumes after %s down; now expires at %s", written.id(), written.camera(),
                    seconds(written.downtimeMs()), Instant.ofEpochMilli(written.expiresAt()));
            ctx.log().write(written).subscribe().with(ok -> { },
                    e -> Log.warnf("Could not persist resume of watch job %s: %s", written.id(), e.getMessage()));
        }
    }

    private static String seconds(long ms) {
        return String.format(java.util.Locale.ROOT, "%.1f s", ms / 1000.0);
    }

    /**
     * Ownership lost or shutting down: stop here and leave a suspend record (still running, stamped now), from
     * which the next owner counts the time the job spent without a replica.
     */
    void stop() {
        WatchJob suspended;
        synchronized (this) {
            if (phase == Phase.STOPPED) {
                return;
            }
            phase = Phase.STOPPED;
            cancelTimer();
            suspended = job.suspended("Suspended: its replica stopped or handed it over", ctx.clock().millis());
            job = suspended;
        }
        try {
            ctx.log().write(suspended).subscribe().with(ok -> { },
                    e -> Log.debugf("Could not persist suspend of watch job %s: %s", suspended.id(), e.getMessage()));
        } catch (RuntimeException e) {
            Log.debugf("Could not persist suspend of watch job %s: %s", suspended.id(), e.getMessage());
        }
    }

    /** Cancel requested on this replica: stop and persist {@code cancelled}. Null when it had already ended. */
    Uni<WatchJob> cancel() {
        WatchJob cancelled;
        synchronized (this) {
            if (phase == Phase.STOPPED) {
                return null;
            }
            phase = Phase.STOPPED;
            cancelTimer();
            cancelled = job.finished(WatchStatus.CANCELLED, null, null, ctx.clock().millis());
            job = cancelled;
        }
        Log.infof("Watch job %s on camera %s cancelled", cancelled.id(), cancelled.camera());
        ctx.metrics().finished(WatchStatus.CANCELLED);
        return ctx.log().write(cancelled);
    }

    /**
     * Another replica wrote a final status (a cancel): stop, and write it again so that it is the last
     * record of the job even if one of our progress writes raced it (the compacted topic keeps the last).
     */
    void finishedElsewhere(WatchJob finished) {
        synchronized (this) {
            if (phase == Phase.STOPPED) {
                return;
            }
            phase = Phase.STOPPED;
            cancelTimer();
        }
        Log.infof("Watch job %s on camera %s ended elsewhere as %s", finished.id(), finished.camera(), finished.status().wire());
        ctx.metrics().finished(finished.status());
        ctx.log().write(finished.touched(ctx.clock().millis())).subscribe().with(
                ok -> { },
                e -> Log.warnf("Could not re-write final state of watch job %s: %s", finished.id(), e.getMessage()));
    }

    /** A detections event of this job's camera: wake now (zones), or once after the cooldown (no zones). */
    synchronized void detected(DetectionsProduced event) {
        if (phase != Phase.WAITING || !filter.matches(event)) {
            return;
        }
        if (filter.hasZones()) {
            reschedule(0, "detection_zone");
            return;
        }
        long now = ctx.clock().millis();
        if (cooldownUntil > 0) {
            ctx.metrics().drained();
            return;
        }
        long cooldown = ctx.config().detectionCooldown().toMillis();
        cooldownUntil = now + cooldown;
        if (cooldownUntil < wakeAt) {
            reschedule(cooldown, "detection");
        }
    }

    // ---- scheduling (callers hold the lock)

    private void schedule(long delayMs, String reason) {
        long now = ctx.clock().millis();
        long untilExpiry = Math.max(0, job.expiresAt() - now);
        if (delayMs > untilExpiry) {
            delayMs = untilExpiry;
            reason = "timeout";
        }
        phase = Phase.WAITING;
        wakeAt = now + delayMs;
        wakeReason = reason;
        long scheduled = ++generation;
        timer = ctx.timer().schedule(() -> fire(scheduled), delayMs, TimeUnit.MILLISECONDS);
    }

    private void reschedule(long delayMs, String reason) {
        cancelTimer();
        schedule(delayMs, reason);
    }

    private void cancelTimer() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
        wakeAt = Long.MAX_VALUE;
    }

    private void fire(long scheduled) {
        String reason;
        WatchJob current;
        synchronized (this) {
            if (phase != Phase.WAITING || scheduled != generation) {
                return; // stopped, or superseded by a reschedule
            }
            phase = Phase.BUSY;
            timer = null;
            reason = wakeReason;
            current = job;
            cooldownUntil = 0;
        }
        ctx.metrics().wake(reason);
        try {
            ctx.workers().execute(() -> iterate(current, reason));
        } catch (RuntimeException e) {
            fail(e); // the worker pool is shut down
        }
    }

    // ---- one iteration (on a worker thread; the VLM call is asynchronous)

    private void iterate(WatchJob current, String reason) {
        Uni.createFrom().deferred(() -> attempt(current))
                .emitOn(ctx.workers())
                .subscribe().with(step -> {
                    try {
                        handle(step, reason);
                    } catch (RuntimeException e) {
                        fail(e);
                    }
                }, this::fail);
    }

    private Uni<Step> attempt(WatchJob current) {
        if (ctx.clock().millis() >= current.expiresAt()) {
            return Uni.createFrom().item(new Step("timeout", null, null, null, null, null, -1));
        }
        Optional<CapturedFrame> frame = ctx.frames().frame(current.camera());
        if (frame.isEmpty()) {
            return Uni.createFrom().item(Step.retry("no_frame", "Camera frame unavailable"));
        }
        Optional<VlmClient> client = ctx.vlm().client();
        if (client.isEmpty()) {
            return Uni.createFrom().item(Step.retry("no_vision", "No vision-capable VLM is configured"));
        }
        int budget = budgetOf(current, ctx.config());
        if (calls() >= budget) {
            return Uni.createFrom().item(new Step("budget", "VLM call budget exhausted: " + budget + " of " + budget
                    + " calls used (max_vlm_calls)", null, null, null, null, -1));
        }
        long wait = ctx.budget().tryTake();
        if (wait > 0) {
            return Uni.createFrom().item(Step.retry("global_budget", "The watch VLM budget of this replica (" + ctx.budget().perHour()
                    + " calls per hour, all jobs) is used up; next look when it has room", Math.min(wait, 60_000)));
        }
        Uni<Boolean> ready = visionConfirmed()
                ? Uni.createFrom().item(true)
                : client.get().visionReady().onFailure().recoverWithItem(false);
        return ready.chain(ok -> ok
                ? ask(client.get(), frame.get())
                : Uni.createFrom().item(Step.retry("no_vision", "No vision-capable VLM is available")));
    }

    private synchronized boolean visionConfirmed() {
        return visionConfirmed;
    }

    private synchronized int calls() {
        return vlmCalls;
    }

    private Uni<Step> ask(VlmClient client, CapturedFrame frame) {
        byte[] jpeg;
        try {
            jpeg = WatchFrameEncoder.encode(frame.image(), ctx.config().frameMaxHeight(), ctx.config().jpegQuality());
        } catch (RuntimeException e) {
            return Uni.createFrom().item(Step.retry("no_frame", "Camera frame unavailable (latest frame could not be decoded)"));
        }
        String question = "Frame captured at " + clockFormat.format(Instant.ofEpochMilli(frame.capturedAt())) + ".";
        ChatMessage turn = ChatMessage.user(question, new ContentPart.Image(CapturedFrame.JPEG, jpeg));
        ChatRequest request;
        synchronized (this) {
            request = new ChatRequest(null, conversation.ask(turn, new WatchExchange(frame.frameId().toString(), frame.capturedAt(), question, null)),
                    ctx.config().vlmMaxTokens(), ctx.config().vlmTemperature(), ctx.config().vlmTimeout());
            vlmCalls++;
        }
        ctx.metrics().vlmCall();
        long t0 = System.nanoTime();
        return client.chat(request, Priority.WATCH)
                .map(result -> {
                    ctx.metrics().vlmLatency(Duration.ofNanos(System.nanoTime() - t0), "ok");
                    return new Step("answer", null, result.content(), result.finishReason(), null, frame, -1);
                })
                .onFailure(VlmException.class).recoverWithItem(e -> {
                    ctx.metrics().vlmLatency(Duration.ofNanos(System.nanoTime() - t0), "error");
                    return new Step("vlm_error", null, null, null, (VlmException) e, frame, -1);
                });
    }

    private void handle(Step step, String reason) {
        WatchConfig config = ctx.config();
        switch (step.outcome()) {
            case "timeout" -> finish(WatchStatus.FAILED, null,
                    timeoutMessage(job().maxDurationMinutes()), null);
            case "budget" -> finish(WatchStatus.FAILED, null, step.text(), null);
            case "global_budget" -> progress(step.outcome(), step.text(), null, false, reason, step.delayMs(), "retry");
            case "no_frame" -> progress(step.outcome(), step.text(), null, false, reason, config.retryAfterNoFrame().toMillis(), "retry");
            case "no_vision" -> {
                synchronized (this) {
                    visionConfirmed = false;
                }
                progress(step.outcome(), step.text(), null, false, reason, config.retryAfterNoVision().toMillis(), "retry");
            }
            case "vlm_error" -> vlmFailed(step.failure(), reason);
            default -> answered(step, reason);
        }
    }

    private void vlmFailed(VlmException e, String reason) {
        synchronized (this) {
            conversation.dropPending();
        }
        if (e.kind() == VlmException.Kind.BAD_RESPONSE) {
            progress("empty", "The VLM returned no usable answer (" + e.getMessage() + ")", null, false, reason,
                    ctx.config().retryAfterEmpty().toMillis(), "retry");
            return;
        }
        synchronized (this) {
            visionConfirmed = false;
        }
        long delay = ctx.config().retryAfterNoVision().toMillis();
        if (e.retryAfter().isPresent()) {
            delay = Math.max(delay, e.retryAfter().get().toMillis());
        }
        progress("vlm_error", "VLM call failed (" + e.kind().name().toLowerCase(java.util.Locale.ROOT) + "): " + e.getMessage(),
                null, false, reason, delay, "retry");
    }

    private void answered(Step step, String reason) {
        String content = step.content();
        WatchConfig config = ctx.config();
        if (content == null || content.isBlank()) {
            synchronized (this) {
                conversation.dropPending();
            }
            progress("empty", "The VLM returned an empty answer", null, false, reason, config.retryAfterEmpty().toMillis(), "retry");
            return;
        }
        WatchVerdict verdict = VlmResponseParser.parseWatchVerdict(content, config.defaultNextRunSeconds());
        if (!verdict.parsed()) {
            synchronized (this) {
                conversation.dropPending();
            }
            progress("unparseable", "The VLM answer was not the expected JSON: " + verdict.error(), null, false, reason,
                    config.retryAfterUnparseable().toMillis(), "retry");
            return;
        }
        boolean truncated = "length".equalsIgnoreCase(step.finishReason());
        if (verdict.conditionMet() && (truncated || !verdict.error().isBlank())) {
            // never notify on garbage: a "met" read from a cut-off or repaired answer is not trusted; look again
            synchronized (this) {
                conversation.dropPending();
                visionConfirmed = true;
            }
            progress("unreliable", "The VLM said the condition is met, but its answer was "
                            + (truncated ? "cut off (max_tokens)" : verdict.error()) + "; not notifying on it, looking again",
                    null, false, reason, config.retryAfterUnreliable().toMillis(), "retry");
            return;
        }
        synchronized (this) {
            conversation.answered(content);
            visionConfirmed = true;
        }
        if (!verdict.conditionMet()) {
            int nextRunIn = Math.max(config.minNextRunSeconds(), Math.min(config.maxNextRunSeconds(), verdict.nextRunIn()));
            progress("not_met", "Condition not met yet", verdict.reasoning(), true, reason, nextRunIn * 1000L, "scheduled");
            return;
        }
        String message = !verdict.notificationMessage().isBlank()
                ? verdict.notificationMessage().trim()
                : verdict.reasoning();
        notifyMet(message, verdict.reasoning(), reason, step.frame());
    }

    /** Publishes the notification first (acknowledged by the broker), then persists success. */
    private void notifyMet(String message, String reasoning, String reason, CapturedFrame frame) {
        WatchJob current = job();
        long now = ctx.clock().millis();
        String frameId = frame == null ? null : frame.frameId().toString();
        NotificationRaised notification = new NotificationRaised(NotificationRaised.SCHEMA, UUID.randomUUID().toString(), current.id(),
                current.camera(), current.condition(), message, reasoning, frameId, ctx.links().thumbnailUrl(current.camera(), frameId),
                current.channels(), now);
        ctx.notifications().send(io.smallrye.reactive.messaging.kafka.Record.of(current.camera(), notification))
                .subscribe().with(
                        ok -> finish(WatchStatus.SUCCESS, message, null, reasoning),
                        e -> {
                            Log.warnf("Watch job %s: condition met but the notification could not be published (%s); retrying",
                                    current.id(), e.getMessage());
                            progress("notify_failed", "Condition met; notification not published yet: " + e.getMessage(),
                                    reasoning, true, reason, ctx.config().retryAfterNoVision().toMillis(), "retry");
                        });
    }

    static String timeoutMessage(int minutes) {
        return "Monitor timed out after " + minutes + (minutes == 1 ? " minute" : " minutes");
    }

    private synchronized WatchJob job() {
        return job;
    }

    /** Records the iteration and waits for the next one. */
    private void progress(String outcome, String text, String reasoning, boolean replaceReasoning, String reason, long delayMs,
                          String nextReason) {
        ctx.metrics().iteration(outcome);
        WatchJob updated;
        synchronized (this) {
            if (phase == Phase.STOPPED) {
                return;
            }
            long now = ctx.clock().millis();
            long clamped = Math.max(0, delayMs);
            updated = job.withProgress(job.iterations() + 1, replaceReasoning ? reasoning : job.lastReasoning(), text, reason, now,
                    Math.min(now + clamped, job.expiresAt()), ctx.instance(), vlmCalls, conversation.exchanges(), now);
            job = updated;
            schedule(clamped, nextReason);
        }
        Log.debugf("Watch job %s on %s: %s; next look in %d ms", updated.id(), updated.camera(), text, delayMs);
        ctx.log().write(updated).subscribe().with(ok -> { },
                e -> Log.warnf("Could not persist progress of watch job %s: %s", updated.id(), e.getMessage()));
    }

    private void finish(WatchStatus status, String message, String error, String reasoning) {
        WatchJob finished;
        synchronized (this) {
            if (phase == Phase.STOPPED) {
                return;
            }
            phase = Phase.STOPPED;
            cancelTimer();
            long now = ctx.clock().millis();
            WatchJob counted = status == WatchStatus.SUCCESS
                    ? job.withProgress(job.iterations() + 1, reasoning, "Condition met", job.lastWakeReason(), now, null, null, vlmCalls,
                            conversation.exchanges(), now)
                    : error != null && !error.startsWith("Monitor timed out") && !error.startsWith("Unexpected")
                    ? job.withProgress(job.iterations(), job.lastReasoning(), error, job.lastWakeReason(), job.lastRunAt(), null, null,
                            vlmCalls, conversation.exchanges(), now)
                    : job.withProgress(job.iterations(), job.lastReasoning(), job.lastOutcome(), job.lastWakeReason(), job.lastRunAt(),
                            null, null, vlmCalls, conversation.exchanges(), now);
            finished = counted.finished(status, message, error, now);
            job = finished;
        }
        ctx.metrics().iteration(status == WatchStatus.SUCCESS ? "met" : status == WatchStatus.FAILED && error != null
                && error.startsWith("Monitor timed out") ? "timeout" : error != null && error.startsWith("VLM call budget") ? "budget"
                : "error");
        ctx.metrics().finished(status);
        ctx.ended(this);
        if (status == WatchStatus.SUCCESS) {
            Log.infof("Watch job %s on camera %s: condition met: %s", finished.id(), finished.camera(), message);
        } else {
            Log.infof("Watch job %s on camera %s ended as %s: %s", finished.id(), finished.camera(), status.wire(), error);
        }
        ctx.log().write(finished).subscribe().with(ok -> { },
                e -> Log.errorf("Could not persist final state %s of watch job %s: %s", status.wire(), finished.id(), e.getMessage()));
    }

    /** An unexpected error ends this job only. */
    private void fail(Throwable e) {
        Log.errorf(e, "Watch job %s failed unexpectedly", id());
        finish(WatchStatus.FAILED, null, "Unexpected error: " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()), null);
    }
}
