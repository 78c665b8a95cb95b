package io.sightline.fallback.watch;

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
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The loop of one watch job on its owning replica: wait, take the latest frame, ask the VLM, act on the
 * verdict, persist progress, wait again. Waiting is a timer (no thread is held); detections can
 * bring the timer forward. All state is guarded by {@code this}; Kafka writes happen outside the lock.
 */
final class WatchJobLoop {

    private enum Phase { WAITING, BUSY, STOPPED }

    /** What one iteration came to. */
    private record Step(String outcome, String text, String content, VlmException failure) {
        static Step retry(String outcome, String text) {
            return new Step(outcome, text, null, null);
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

    WatchJobLoop(WatchRunner.Context ctx, WatchJob job) {
        this.ctx = ctx;
        this.job = job;
        this.filter = DetectionFilter.of(job);
        this.conversation = new WatchConversation(
                WatchPrompt.system(job, ctx.config().minNextRunSeconds(), ctx.config().maxNextRunSeconds()),
                ctx.config().historyPairs());
        this.clockFormat = HH_MM_SS.withZone(ctx.zone());
    }

    String id() {
        return job.id();
    }

    String camera() {
        return job.camera();
    }

    /** First iteration at once: {@code start} for a new job, {@code resume} for one taken over after a restart. */
    synchronized void start() {
        schedule(0, job.lastRunAt() == null ? "start" : "resume");
    }

    /** Ownership lost or shutting down: stop here without changing the job (its next owner resumes it). */
    synchronized void stop() {
        phase = Phase.STOPPED;
        cancelTimer();
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
            return Uni.createFrom().item(new Step("timeout", null, null, null));
        }
        Optional<CapturedFrame> frame = ctx.frames().frame(current.camera());
        if (frame.isEmpty()) {
            return Uni.createFrom().item(Step.retry("no_frame", "Camera frame unavailable"));
        }
        Optional<VlmClient> client = ctx.vlm().client();
        if (client.isEmpty()) {
            return Uni.createFrom().item(Step.retry("no_vision", "No vision-capable VLM is configured"));
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

    private Uni<Step> ask(VlmClient client, CapturedFrame frame) {
        byte[] jpeg;
        try {
            jpeg = WatchFrameEncoder.encode(frame.image(), ctx.config().frameMaxHeight(), ctx.config().jpegQuality());
        } catch (RuntimeException e) {
            return Uni.createFrom().item(Step.retry("no_frame", "Camera frame unavailable (latest frame could not be decoded)"));
        }
        ChatMessage turn = ChatMessage.user("Frame captured at " + clockFormat.format(Instant.ofEpochMilli(frame.capturedAt())) + ".",
                new ContentPart.Image(CapturedFrame.JPEG, jpeg));
        ChatRequest request;
        synchronized (this) {
            request = new ChatRequest(null, conversation.ask(turn), ctx.config().vlmMaxTokens(), ctx.config().vlmTemperature(),
                    ctx.config().vlmTimeout());
        }
        long t0 = System.nanoTime();
        return client.chat(request, Priority.WATCH)
                .map(result -> {
                    ctx.metrics().vlmLatency(Duration.ofNanos(System.nanoTime() - t0), "ok");
                    return new Step("answer", null, result.content(), null);
                })
                .onFailure(VlmException.class).recoverWithItem(e -> {
                    ctx.metrics().vlmLatency(Duration.ofNanos(System.nanoTime() - t0), "error");
                    return new Step("vlm_error", null, null, (VlmException) e);
                });
    }

    private void handle(Step step, String reason) {
        WatchConfig config = ctx.config();
        switch (step.outcome()) {
            case "timeout" -> finish(WatchStatus.FAILED, null,
                    timeoutMessage(job().maxDurationMinutes()), null);
            case "no_frame" -> progress(step.outcome(), step.text(), null, false, reason, config.retryAfterNoFrame().toMillis(), "retry");
            case "no_vision" -> {
                synchronized (this) {
                    visionConfirmed = false;
                }
                progress(step.outcome(), step.text(), null, false, reason, config.retryAfterNoVision().toMillis(), "retry");
            }
            case "vlm_error" -> vlmFailed(step.failure(), reason);
            default -> answered(step.content(), reason);
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

    private void answered(String content, String reason) {
        WatchConfig config = ctx.config();
        if (content == null || content.isBlank()) {
            synchronized (this) {
                conversation.dropPending();
            }
            progress("empty", "The VLM returned an empty answer", null, false, reason, config.retryAfterEmpty().toMillis(), "retry");
            return;
        }
        WatchVerdict verdict = VlmResponseParser.parseWatchVerdict(content, config.maxNextRunSeconds());
        if (!verdict.parsed()) {
            synchronized (this) {
                conversation.dropPending();
            }
            progress("unparseable", "The VLM answer was not the expected JSON: " + verdict.error(), null, false, reason,
                    config.retryAfterUnparseable().toMillis(), "retry");
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
        notifyMet(message, verdict.reasoning(), reason);
    }

    /** Publishes the notification first (acknowledged by the broker), then persists success. */
    private void notifyMet(String message, String reasoning, String reason) {
        WatchJob current = job();
        long now = ctx.clock().millis();
        NotificationRaised notification = new NotificationRaised(NotificationRaised.SCHEMA,
                java.util.UUID.randomUUID().toString(), current.id(), current.camera(), current.condition(), message, reasoning,
                null, null, java.util.List.of(), now);
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
                    Math.min(now + clamped, job.expiresAt()), ctx.instance(), now);
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
                    ? job.withProgress(job.iterations() + 1, reasoning, "Condition met", job.lastWakeReason(), now, null, null, now)
                    : job;
            finished = counted.finished(status, message, error, now);
            job = finished;
        }
        ctx.metrics().iteration(status == WatchStatus.SUCCESS ? "met" : status == WatchStatus.FAILED && error != null
                && error.startsWith("Monitor timed out") ? "timeout" : "error");
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
