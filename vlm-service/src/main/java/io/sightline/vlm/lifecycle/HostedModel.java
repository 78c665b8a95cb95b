package io.sightline.vlm.lifecycle;

import io.quarkus.logging.Log;
import io.sightline.common.event.LifecycleEvent;
import io.sightline.common.vlm.VlmClient;
import io.sightline.common.vlm.VlmException;
import io.sightline.vlm.model.ModelUnavailableException;
import io.sightline.vlm.model.ServedModel;
import io.sightline.vlm.model.ServerProbe;
import io.sightline.vlm.queue.PriorityQueue;
import io.smallrye.mutiny.Uni;

import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Lazy start and idle stop of one hosted model's server (moved here from caption-service's
 * CaptionServerLifecycle, now one instance per catalog model). Requests (or a {@code vlm_caption.requested}
 * event) arriving during a start share it; a request arriving during a stop waits for the stop to finish
 * and then starts the server again; a duplicate start or stop request joins the one in progress. Every
 * transition publishes a {@link LifecycleEvent} on {@code vlm.lifecycle} (key: the model id), in order.
 * A crash (process gone) marks the model failed; the next request restarts it after a backoff.
 */
public class HostedModel implements ServedModel {

    private static final Duration POLL = Duration.ofMillis(100);

    /** Timing of one hosted model. */
    public record Timing(Duration startTimeout, Duration idleTimeout, Duration restartBackoff) {
    }

    private final String id;
    private final ServerLauncher launcher;
    private final URI baseUrl;
    private final VlmClient client;
    private final ServerProbe probe;
    private final LifecycleEvents events;
    private final Timing timing;
    private final PriorityQueue queue;
    private final Optional<String> configuredProblem;
    private final Optional<ModelDownloads> downloads;
    private final AtomicInteger inFlight = new AtomicInteger();
    /** Stops begun so far: a request that saw this change while it was in flight was cut by a stop. */
    private final java.util.concurrent.atomic.AtomicLong stops = new java.util.concurrent.atomic.AtomicLong();
    private volatile long lastActivity = System.nanoTime();
    private volatile Optional<Boolean> vision = Optional.empty();

    private LifecycleState state = LifecycleState.STOPPED;
    private CompletableFuture<VlmClient> starting;
    private CompletableFuture<Void> stopping;
    private String lastFailure;
    private int consecutiveFailures;
    private long failedAt;

    public HostedModel(String id, ServerLauncher launcher, URI baseUrl, VlmClient client, ServerProbe probe,
                       LifecycleEvents events, Timing timing, PriorityQueue queue, Optional<String> configuredProblem) {
        this(id, launcher, baseUrl, client, probe, events, timing, queue, configuredProblem, Optional.empty());
    }

    /** @param downloads fetches the model's missing files before it starts (empty: missing files make it unavailable) */
    public HostedModel(String id, ServerLauncher launcher, URI baseUrl, VlmClient client, ServerProbe probe,
                       LifecycleEvents events, Timing timing, PriorityQueue queue, Optional<String> configuredProblem,
                       Optional<ModelDownloads> downloads) {
        this.downloads = downloads;
        this.id = id;
        this.launcher = launcher;
        this.baseUrl = baseUrl;
        this.client = client;
        this.probe = probe;
        this.events = events;
        this.timing = timing;
        this.queue = queue;
        this.configuredProblem = configuredProblem;
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public String placement() {
        return launcher.kind().equals(ProcessServerLauncher.KIND) ? "local" : launcher.kind();
    }

    public URI baseUrl() {
        return baseUrl;
    }

    public ServerLauncher launcher() {
        return launcher;
    }

    public synchronized LifecycleState lifecycleState() {
        return state;
    }

    @Override
    public synchronized String state() {
        return switch (state) {
            case STOPPED -> "stopped";
            case DOWNLOADING -> "downloading";
            case REQUESTED, STARTING -> "starting";
            case READY -> processDied() ? "failed" : "ready";
            case STOPPING -> "stopping";
            case FAILED -> "failed";
        };
    }

    @Override
    public Optional<Boolean> vision() {
        return vision;
    }

    @Override
    public synchronized Optional<String> lastFailure() {
        return Optional.ofNullable(lastFailure);
    }

    @Override
    public String upstreamModel() {
        return id;
    }

    @Override
    public PriorityQueue queue() {
        return queue;
    }

    @Override
    public Optional<String> unavailableReason() {
        if (configuredProblem.isPresent()) {
            return configuredProblem;
        }
        if (launcher instanceof ProcessServerLauncher process) {
            if (downloads.isPresent() && downloads.get().missing()) {
                return process.executableProblem(); // the files come with the next request
            }
            return process.unavailableReason();
        }
        return Optional.empty();
    }

    public int inFlight() {
        return inFlight.get();
    }

    @Override
    public void acquire() {
        inFlight.incrementAndGet();
        lastActivity = System.nanoTime();
    }

    @Override
    public void release() {
        lastActivity = System.nanoTime();
        inFlight.decrementAndGet();
    }

    @Override
    public Uni<VlmClient> ready(String reason) {
        return Uni.createFrom().completionStage(() -> readyStage(reason));
    }

    /**
     * Starts the model now (downloading its files first if needed) exactly as a first request would, without
     * waiting for it: a start or download in progress is joined, a stop in progress is waited out and then
     * followed by a start. The stage completes once it is ready (or failed); it is already failed when the
     * model cannot be started at all (unavailable, backing off after a failure).
     */
    public CompletionStage<VlmClient> startNow(String reason) {
        return readyStage(reason);
    }

    /** Whether {@link #stop} would do anything: a server is running, starting, downloading or stopping. */
    public synchronized boolean stoppable() {
        return switch (state) {
            case STOPPED -> false;
            case FAILED -> launcher.running();
            default -> true;
        };
    }

    @Override
    public long stops() {
        return stops.get();
    }

    private synchronized CompletionStage<VlmClient> readyStage(String reason) {
        if (state == LifecycleState.READY && processDied()) {
            markCrashed();
        }
        switch (state) {
            case READY:
                return CompletableFuture.completedFuture(client);
            case DOWNLOADING:
            case REQUESTED:
            case STARTING:
                return starting;
            case STOPPING:
                return stopping.handle((v, e) -> null).thenCompose(v -> readyStage(reason));
            case STOPPED:
            case FAILED:
            default:
                Optional<String> problem = unavailableReason();
                if (problem.isPresent()) {
                    return CompletableFuture.failedFuture(new ModelUnavailableException(id, problem.get(), null, null));
                }
                if (state == LifecycleState.FAILED) {
                    long wait = backoffNanos() - (System.nanoTime() - failedAt);
                    if (wait > 0) {
                        return CompletableFuture.failedFuture(new ModelUnavailableException(id, "failed (" + lastFailure
                                + "); restarting in " + Duration.ofNanos(wait).toMillis() + " ms",
                                Duration.ofNanos(wait).plusMillis(999).truncatedTo(java.time.temporal.ChronoUnit.SECONDS), null));
                    }
                }
                starting = new CompletableFuture<>();
                CompletableFuture<VlmClient> current = starting;
                if (downloads.isPresent() && downloads.get().missing()) {
                    state = LifecycleState.DOWNLOADING;
                    downloads.get().start().whenComplete((v, e) -> afterDownload(current, reason, e));
                    return current;
                }
                state = LifecycleState.REQUESTED;
                start(reason).subscribe().with(
                        c -> finishStart(current, c, null),
                        e -> finishStart(current, null, e));
                return current;
        }
    }

    private void afterDownload(CompletableFuture<VlmClient> current, String reason, Throwable failure) {
        if (failure != null) {
            Throwable cause = failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null
                    ? failure.getCause() : failure;
            String why = "download failed: " + cause.getMessage();
            synchronized (this) {
                state = LifecycleState.FAILED;
                lastFailure = why;
                consecutiveFailures++;
                failedAt = System.nanoTime();
            }
            publishQuietly(LifecycleEvent.FAILED, why).subscribe().with(x -> { }, e -> { });
            current.completeExceptionally(new ModelUnavailableException(id, why, Duration.ofSeconds(1), cause));
            return;
        }
        synchronized (this) {
            state = LifecycleState.REQUESTED;
        }
        start(reason).subscribe().with(c -> finishStart(current, c, null), e -> finishStart(current, null, e));
    }

    /** Download progress of the model's files, once a download started. */
    public Optional<ModelDownloads.Progress> download() {
        return downloads.flatMap(ModelDownloads::progress);
    }

    private long backoffNanos() {
        int doublings = Math.min(3, Math.max(0, consecutiveFailures - 1));
        return timing.restartBackoff().toNanos() << doublings;
    }

    /** Must hold the lock. */
    private void markCrashed() {
        String exit = launcher instanceof ProcessServerLauncher p ? p.exitDescription().orElse("no exit code") : "gone";
        Log.warnf("llama-server of model %s died (%s)", id, exit);
        state = LifecycleState.FAILED;
        lastFailure = "server process " + exit;
        consecutiveFailures++;
        failedAt = System.nanoTime();
        publishQuietly(LifecycleEvent.FAILED, "server process " + exit).subscribe().with(v -> { }, e -> { });
    }

    @Override
    public Optional<Duration> upstreamFailed(Throwable failure) {
        synchronized (this) {
            if (state == LifecycleState.READY && processDied()) {
                markCrashed();
            }
            if (state == LifecycleState.FAILED) {
                return Optional.of(Duration.ofNanos(Math.max(backoffNanos(), 1_000_000_000L)).truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
            }
        }
        if (failure instanceof VlmException e && e.kind() == VlmException.Kind.UNAVAILABLE) {
            return Optional.of(Duration.ofSeconds(1));
        }
        return Optional.empty();
    }

    private synchronized void finishStart(CompletableFuture<VlmClient> future, VlmClient ready, Throwable failure) {
        if (failure == null) {
            state = LifecycleState.READY;
            lastFailure = null;
            consecutiveFailures = 0;
            lastActivity = System.nanoTime();
            future.complete(ready);
        } else {
            state = LifecycleState.FAILED;
            lastFailure = failure.getMessage();
            consecutiveFailures++;
            failedAt = System.nanoTime();
            future.completeExceptionally(failure instanceof ModelUnavailableException ? failure
                    : new ModelUnavailableException(id, "start failed: " + failure.getMessage(), Duration.ofSeconds(1), failure));
        }
    }

    private Uni<VlmClient> start(String reason) {
        long deadline = System.nanoTime() + timing.startTimeout().toNanos();
        return publishQuietly(LifecycleEvent.REQUESTED, reason)
                .chain(probe::healthy)
                .chain(up -> {
                    if (up) {
                        return Uni.createFrom().item(true);
                    }
                    if (!launcher.mayAct()) {
                        return awaitReady(deadline);
                    }
                    synchronized (this) {
                        state = LifecycleState.STARTING;
                    }
                    return publishQuietly(LifecycleEvent.STARTING, "launching with the " + launcher.kind() + " launcher")
                            .chain(launcher::start)
                            .chain(() -> awaitReady(deadline));
                })
                .chain(up -> {
                    if (up) {
                        return probe.props().onFailure().recoverWithItem(new ServerProbe.Props(Optional.empty(), Optional.empty(),
                                Optional.empty())).chain(props -> {
                            vision = props.vision();
                            props.totalSlots().ifPresent(queue::resize);
                            return publishQuietly(LifecycleEvent.READY, "health 200 at " + baseUrl + "; vision "
                                    + props.vision().map(String::valueOf).orElse("unknown") + ", "
                                    + queue.snapshot().slots() + " slots").replaceWith(client);
                        });
                    }
                    String why = "not ready within " + timing.startTimeout().toSeconds() + " s"
                            + (launcher instanceof ProcessServerLauncher p ? p.exitDescription().map(d -> "; process " + d).orElse("") : "");
                    return publishQuietly(LifecycleEvent.FAILED, why)
                            .chain(() -> launcher.mayAct() ? launcher.stop() : Uni.createFrom().voidItem())
                            .chain(() -> Uni.createFrom().<VlmClient>failure(new ModelUnavailableException(id, why, Duration.ofSeconds(1), null)));
                })
                .onFailure(e -> !(e instanceof ModelUnavailableException)).recoverWithUni(e -> publishQuietly(LifecycleEvent.FAILED,
                        "start failed: " + e.getMessage())
                        .chain(() -> Uni.createFrom().failure(new ModelUnavailableException(id, "start failed: " + e.getMessage(),
                                Duration.ofSeconds(1), e))));
    }

    private Uni<Boolean> awaitReady(long deadline) {
        return probe.healthy().chain(up -> {
            if (up) {
                return Uni.createFrom().item(true);
            }
            if (System.nanoTime() > deadline || processDied()) {
                return Uni.createFrom().item(false);
            }
            return Uni.createFrom().voidItem().onItem().delayIt().by(POLL).chain(() -> awaitReady(deadline));
        });
    }

    private boolean processDied() {
        return launcher instanceof ProcessServerLauncher p && !p.running() && p.exitDescription().isPresent();
    }

    /** Stops the server once it has been idle for its timeout with nothing in flight or queued (called every second). */
    public void stopWhenIdle() {
        long idleNanos = System.nanoTime() - lastActivity;
        synchronized (this) {
            if (state != LifecycleState.READY || inFlight.get() > 0 || queue.totalQueued() > 0
                    || idleNanos < timing.idleTimeout().toNanos()) {
                return;
            }
        }
        stop("idle for " + Duration.ofNanos(idleNanos).toSeconds() + " s with nothing in flight or queued");
    }

    /**
     * Stops the server: publishes {@code vlm_caption.stop}, stops it, publishes {@code vlm_caption.stopped} once
     * it is gone. A stop while one is in progress joins it; a stop of a stopped model does nothing.
     */
    public Uni<Void> stop(String reason) {
        CompletableFuture<Void> done;
        synchronized (this) {
            if (state == LifecycleState.STOPPING) {
                return Uni.createFrom().completionStage(stopping);
            }
            if (state == LifecycleState.DOWNLOADING || state == LifecycleState.REQUESTED || state == LifecycleState.STARTING) {
                CompletableFuture<VlmClient> pending = starting;
                return Uni.createFrom().completionStage(pending.handle((c, e) -> null)).chain(() -> stop(reason));
            }
            if (state != LifecycleState.READY && !(state == LifecycleState.FAILED && launcher.running())) {
                return Uni.createFrom().voidItem();
            }
            state = LifecycleState.STOPPING;
            stops.incrementAndGet();
            stopping = new CompletableFuture<>();
            done = stopping;
        }
        publishQuietly(LifecycleEvent.STOP, reason)
                .chain(() -> launcher.mayAct() ? launcher.stop() : awaitGone(System.nanoTime() + timing.startTimeout().toNanos()))
                .chain(() -> publishQuietly(LifecycleEvent.STOPPED, launcher.mayAct() ? "process exited" : "no longer answers health"))
                .subscribe().with(v -> finishStop(done, null), e -> finishStop(done, e));
        return Uni.createFrom().completionStage(done);
    }

    private Uni<Void> awaitGone(long deadline) {
        return probe.healthy().chain(up -> {
            if (!up || System.nanoTime() > deadline) {
                return Uni.createFrom().voidItem();
            }
            return Uni.createFrom().voidItem().onItem().delayIt().by(POLL).chain(() -> awaitGone(deadline));
        });
    }

    private void finishStop(CompletableFuture<Void> done, Throwable failure) {
        synchronized (this) {
            if (failure != null) {
                lastFailure = "stop failed: " + failure.getMessage();
                state = launcher.running() ? LifecycleState.FAILED : LifecycleState.STOPPED;
            } else {
                state = LifecycleState.STOPPED;
            }
        }
        if (failure != null) {
            Log.errorf(failure, "Stopping model %s failed", id);
        }
        done.complete(null);
    }

    private Uni<Void> publishQuietly(String event, String reason) {
        return events.publish(event, id, baseUrl.toString(), reason)
                .replaceWithVoid()
                .onFailure().recoverWithItem(e -> {
                    Log.warnf("Could not publish %s for %s on vlm.lifecycle: %s", event, id, e.getMessage());
                    return null;
                });
    }

    /** Stops the process synchronously at shutdown. */
    public void shutdown() {
        if (launcher instanceof ProcessServerLauncher p) {
            p.shutdown();
        }
        probe.close();
    }
}
