package io.sightline.caption.lifecycle;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import io.quarkus.scheduler.Scheduled;
import io.sightline.caption.backend.BackendFailure;
import io.sightline.caption.backend.Tier;
import io.sightline.caption.config.CaptionConfig;
import io.sightline.common.event.LifecycleEvent;
import io.sightline.common.vlm.VlmClient;
import io.sightline.common.vlm.VlmClients;
import io.sightline.common.vlm.VlmEndpoint;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;

import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;

/**
 * Lazy start and idle stop of the caption server. Frames arriving during a start share it; a frame
 * arriving during a stop waits for the stop to finish and then starts the server again. Every
 * transition publishes a {@link LifecycleEvent} on {@code vlm.lifecycle}, in order.
 */
@ApplicationScoped
public class CaptionServerLifecycle {

    private static final String BACKEND = Tier.CAPTION_SERVER.id();
    private static final Duration POLL = Duration.ofMillis(250);

    private final CaptionConfig.CaptionServer config;
    private final LifecycleEvents events;
    private final Instance<VlmClients> clients;
    private final Optional<ServerLauncher> launcher;
    private final String launcherProblem;
    private final URI baseUrl;
    private final AtomicInteger inFlight = new AtomicInteger();
    private volatile long lastActivity = System.nanoTime();
    private volatile IntSupplier queued = () -> 0;
    private volatile VlmClient client;

    private LifecycleState state = LifecycleState.STOPPED;
    private CompletableFuture<VlmClient> starting;
    private CompletableFuture<Void> stopping;
    private String lastFailure;

    CaptionServerLifecycle(CaptionConfig config, LifecycleEvents events, Instance<VlmClients> clients,
                           Instance<ServerLauncher> launchers, MeterRegistry registry) {
        this.config = config.captionServer();
        this.events = events;
        this.clients = clients;
        String wanted = this.config.launcher();
        this.launcher = launchers.stream().filter(l -> wanted.equals(l.kind())).findFirst();
        this.launcherProblem = launcher.isPresent() ? null
                : "no server launcher of kind '" + wanted + "' (sightline.caption.caption-server.launcher: process, kubernetes or external)";
        CaptionConfig.Process process = this.config.process();
        this.baseUrl = this.config.baseUrl().orElse(URI.create("http://" + process.host() + ":" + process.port() + "/v1"));
        Gauge.builder("sightline.caption.server.state", this, l -> l.state().ordinal())
                .description("Caption server lifecycle: 0 stopped, 1 requested, 2 starting, 3 ready, 4 stopping, 5 failed")
                .tag("backend", BACKEND).register(registry);
    }

    /** Where the pipeline reports how many frames wait for this tier (they block idle stop). */
    public void queuedFrames(IntSupplier queued) {
        this.queued = queued;
    }

    public URI baseUrl() {
        return baseUrl;
    }

    public String launcherKind() {
        return config.launcher();
    }

    public synchronized LifecycleState state() {
        return state;
    }

    public synchronized Optional<String> lastFailure() {
        return Optional.ofNullable(lastFailure);
    }

    /** Why the caption server cannot be used at all (no launcher, no model files, no client), empty when it can. */
    public Optional<String> unavailableReason() {
        if (!clients.isResolvable()) {
            return Optional.of("no VlmClients implementation in common");
        }
        if (launcher.isEmpty()) {
            return Optional.of(launcherProblem);
        }
        if (launcher.get() instanceof ProcessServerLauncher process) {
            return process.unavailableReason();
        }
        return Optional.empty();
    }

    public int inFlight() {
        return inFlight.get();
    }

    /** Marks a frame as using the server (it blocks idle stop until {@link #release()}). */
    public void acquire() {
        inFlight.incrementAndGet();
        lastActivity = System.nanoTime();
    }

    public void release() {
        lastActivity = System.nanoTime();
        inFlight.decrementAndGet();
    }

    /** True when the server can take a frame right now without waiting for a start. */
    public synchronized boolean isReady() {
        return state == LifecycleState.READY && !processDied();
    }

    /** Completes with the client once the server is ready, starting it (or joining a start) as needed. */
    public Uni<VlmClient> ready(String reason) {
        return Uni.createFrom().completionStage(() -> readyStage(reason))
                .onFailure().transform(e -> e instanceof BackendFailure ? e
                        : new BackendFailure(BACKEND, true, e.getMessage(), e));
    }

    private synchronized CompletionStage<VlmClient> readyStage(String reason) {
        if (state == LifecycleState.READY && processDied()) {
            Log.warnf("caption server process died (%s); starting it again",
                    ((ProcessServerLauncher) launcher.get()).exitDescription().orElse("no exit code"));
            state = LifecycleState.STOPPED;
        }
        switch (state) {
            case READY:
                return CompletableFuture.completedFuture(client());
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
                    return CompletableFuture.failedFuture(new BackendFailure(BACKEND, true, problem.get(), null));
                }
                state = LifecycleState.REQUESTED;
                starting = new CompletableFuture<>();
                CompletableFuture<VlmClient> current = starting;
                start(reason).subscribe().with(
                        c -> finishStart(current, c, null),
                        e -> finishStart(current, null, e));
                return current;
        }
    }

    private synchronized void finishStart(CompletableFuture<VlmClient> future, VlmClient ready, Throwable failure) {
        if (failure == null) {
            state = LifecycleState.READY;
            lastFailure = null;
            lastActivity = System.nanoTime();
            future.complete(ready);
        } else {
            state = LifecycleState.FAILED;
            lastFailure = failure.getMessage();
            future.completeExceptionally(failure instanceof BackendFailure ? failure
                    : new BackendFailure(BACKEND, true, "start failed: " + failure.getMessage(), failure));
        }
    }

    private Uni<VlmClient> start(String reason) {
        VlmClient c = client();
        long deadline = System.nanoTime() + config.startTimeout().toNanos();
        ServerLauncher l = launcher.get();
        return publishQuietly(LifecycleEvent.REQUESTED, reason)
                .chain(() -> healthy(c))
                .chain(up -> {
                    if (up) {
                        return Uni.createFrom().item(true);
                    }
                    if (!l.mayAct()) {
                        return awaitReady(c, deadline);
                    }
                    synchronized (this) {
                        state = LifecycleState.STARTING;
                    }
                    return publishQuietly(LifecycleEvent.STARTING, "launching with the " + l.kind() + " launcher")
                            .chain(l::start)
                            .chain(() -> awaitReady(c, deadline));
                })
                .chain(up -> {
                    if (up) {
                        return publishQuietly(LifecycleEvent.READY, "health 200 and an image-capable model at " + baseUrl)
                                .replaceWith(c);
                    }
                    String why = "not ready within " + config.startTimeout().toSeconds() + " s"
                            + (l instanceof ProcessServerLauncher p ? p.exitDescription().map(d -> "; process " + d).orElse("") : "");
                    return publishQuietly(LifecycleEvent.FAILED, why)
                            .chain(() -> l.mayAct() ? l.stop() : Uni.createFrom().voidItem())
                            .chain(() -> Uni.createFrom().<VlmClient>failure(new BackendFailure(BACKEND, true, why, null)));
                })
                .onFailure(e -> !(e instanceof BackendFailure)).recoverWithUni(e -> publishQuietly(LifecycleEvent.FAILED,
                        "start failed: " + e.getMessage())
                        .chain(() -> Uni.createFrom().failure(new BackendFailure(BACKEND, true, "start failed: " + e.getMessage(), e))));
    }

    private Uni<Boolean> awaitReady(VlmClient c, long deadline) {
        return healthy(c).chain(up -> {
            if (up) {
                return Uni.createFrom().item(true);
            }
            if (System.nanoTime() > deadline || processDied()) {
                return Uni.createFrom().item(false);
            }
            return Uni.createFrom().voidItem().onItem().delayIt().by(POLL).chain(() -> awaitReady(c, deadline));
        });
    }

    private static Uni<Boolean> healthy(VlmClient c) {
        return c.visionReady().onFailure().recoverWithItem(false);
    }

    private boolean processDied() {
        return launcher.isPresent() && launcher.get() instanceof ProcessServerLauncher p
                && !p.running() && p.exitDescription().isPresent();
    }

    /** Stops the server once it has been idle for the configured time with nothing in flight or queued. */
    @Scheduled(every = "1s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void stopWhenIdle() {
        long idleNanos = System.nanoTime() - lastActivity;
        synchronized (this) {
            if (state != LifecycleState.READY || inFlight.get() > 0 || queued.getAsInt() > 0
                    || idleNanos < config.idleTimeout().toNanos()) {
                return;
            }
            state = LifecycleState.STOPPING;
            stopping = new CompletableFuture<>();
        }
        CompletableFuture<Void> done = stopping;
        String reason = "idle for " + Duration.ofNanos(idleNanos).toSeconds() + " s with nothing in flight or queued";
        ServerLauncher l = launcher.get();
        publishQuietly(LifecycleEvent.STOP, reason)
                .chain(() -> l.mayAct() ? l.stop() : awaitGone(client(), System.nanoTime() + config.startTimeout().toNanos()))
                .chain(() -> publishQuietly(LifecycleEvent.STOPPED, l.mayAct() ? "process exited" : "no longer answers health"))
                .subscribe().with(v -> finishStop(done, null), e -> finishStop(done, e));
    }

    private Uni<Void> awaitGone(VlmClient c, long deadline) {
        return healthy(c).chain(up -> {
            if (!up || System.nanoTime() > deadline) {
                return Uni.createFrom().voidItem();
            }
            return Uni.createFrom().voidItem().onItem().delayIt().by(POLL).chain(() -> awaitGone(c, deadline));
        });
    }

    private void finishStop(CompletableFuture<Void> done, Throwable failure) {
        synchronized (this) {
            if (failure != null) {
                lastFailure = "stop failed: " + failure.getMessage();
                state = launcher.get().running() ? LifecycleState.FAILED : LifecycleState.STOPPED;
            } else {
                state = LifecycleState.STOPPED;
            }
        }
        if (failure != null) {
            Log.errorf(failure, "Stopping the caption server failed");
        }
        done.complete(null);
    }

    private Uni<Void> publishQuietly(String event, String reason) {
        return events.publish(event, BACKEND, baseUrl.toString(), reason)
                .replaceWithVoid()
                .onFailure().recoverWithItem(e -> {
                    Log.warnf("Could not publish %s on vlm.lifecycle: %s", event, e.getMessage());
                    return null;
                });
    }

    /** The client of the caption server endpoint (shared with other users of the same endpoint name). */
    public VlmClient client() {
        VlmClient current = client;
        if (current == null) {
            current = clients.get().forEndpoint(new VlmEndpoint(BACKEND, baseUrl, Optional.empty(), config.model(),
                    config.concurrency(), 64, config.timeout()));
            client = current;
        }
        return current;
    }
}
