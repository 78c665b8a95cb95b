package io.sightline.watch;

import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.sightline.common.event.DetectionsProduced;
import io.sightline.common.event.NotificationRaised;
import io.sightline.latest.LatestFrames;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.Record;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.reactive.messaging.Channel;

import java.time.Clock;
import java.time.ZoneId;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * Runs the loops of the watch jobs this replica owns. Which jobs those are follows from
 * {@link WatchJobLog}: status {@code running}, the job's partition assigned to this replica, and the
 * log read up to its end (so a job is never resumed from a state older than the topic's).
 */
@ApplicationScoped
class WatchRunner implements WatchJobLog.Listener {

    /** What a job loop needs; one instance shared by all loops of this replica. */
    record Context(WatchConfig config, Clock clock, ZoneId zone, LatestFrames frames, WatchVlm vlm, WatchJobLog log,
                   MutinyEmitter<Record<String, NotificationRaised>> notifications, WatchMetrics metrics, WatchBudget budget,
                   WatchLinks links, ScheduledExecutorService timer, ExecutorService workers, String instance,
                   Consumer<WatchJobLoop> onEnded) {
        void ended(WatchJobLoop loop) {
            onEnded.accept(loop);
        }
    }

    private final WatchConfig config;
    private final WatchJobLog log;
    private final Map<String, WatchJobLoop> loops = new ConcurrentHashMap<>();
    /** Jobs that ended here: a late progress write of theirs must not start them again. */
    private final Set<String> endedHere = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService timer;
    private final ExecutorService workers;
    private final Context ctx;
    private volatile boolean listening;
    private ScheduledFuture<?> purger;

    WatchRunner(WatchConfig config, WatchJobLog log, LatestFrames frames, WatchVlm vlm,
                @Channel("notifications") MutinyEmitter<Record<String, NotificationRaised>> notifications, WatchMetrics metrics,
                WatchBudget budget) {
        this.config = config;
        this.log = log;
        AtomicInteger n = new AtomicInteger();
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "watch-timer"));
        this.workers = Executors.newFixedThreadPool(Math.max(1, config.workerThreads()), r -> daemon(r, "watch-worker-" + n.incrementAndGet()));
        ZoneId zone = config.timeZone().map(ZoneId::of).orElse(ZoneId.systemDefault());
        String instance = System.getenv().getOrDefault("HOSTNAME", "watch") + "-" + UUID.randomUUID().toString().substring(0, 8);
        this.ctx = new Context(config, Clock.systemUTC(), zone, frames, vlm, log, notifications, metrics, budget,
                WatchLinks.from(config.links()), timer, workers, instance,
                loop -> {
                    endedHere.add(loop.id());
                    loops.remove(loop.id(), loop);
                });
        metrics.runningJobs(loops::size);
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    void onStart(@Observes StartupEvent event) {
        start();
    }

    void onStop(@Observes ShutdownEvent event) {
        stop();
        timer.shutdownNow();
        workers.shutdownNow();
    }

    /** Loads the jobs from {@code watch.jobs}, joins the owner group and resumes the running jobs it is given. */
    synchronized void start() {
        if (!listening) {
            log.addListener(this);
            listening = true;
        }
        log.start();
        long every = config.purgeInterval().toMillis();
        purger = timer.scheduleWithFixedDelay(this::purgeFinished, every, every, TimeUnit.MILLISECONDS);
    }

    /**
     * Stops every loop here without changing any job, leaves the owner group and forgets the jobs: what
     * a replica going away does. Another replica (or this one after {@link #start()}) resumes them.
     */
    void stop() {
        synchronized (this) {
            if (purger != null) {
                purger.cancel(false);
            }
        }
        // not under this lock: leaving the group calls back into reconcileAll() on the owner thread
        log.stop();
        synchronized (this) {
            loops.values().forEach(WatchJobLoop::stop);
            loops.clear();
            endedHere.clear();
        }
    }

    String instance() {
        return ctx.instance();
    }

    boolean runsHere(String id) {
        return loops.containsKey(id);
    }

    /** Cancels a job: through its loop when it runs here, else by writing {@code cancelled} (its owner then stops it). */
    Uni<WatchJob> cancel(WatchJob job) {
        WatchJobLoop loop = loops.remove(job.id());
        if (loop != null) {
            endedHere.add(job.id());
            Uni<WatchJob> cancelled = loop.cancel();
            if (cancelled != null) {
                return cancelled;
            }
        }
        ctx.metrics().finished(WatchStatus.CANCELLED);
        return log.write(job.finished(WatchStatus.CANCELLED, null, null, ctx.clock().millis()));
    }

    /** Wakes this replica's jobs on the event's camera whose labels and zones match. */
    void detected(DetectionsProduced event) {
        for (WatchJobLoop loop : loops.values()) {
            if (loop.camera().equals(event.camera())) {
                loop.detected(event);
            }
        }
    }

    @Override
    public void jobChanged(WatchJob job, boolean removed) {
        if (removed) {
            endedHere.remove(job.id());
        }
        reconcile(job.id());
    }

    @Override
    public void ownershipChanged() {
        reconcileAll();
    }

    @Override
    public void caughtUp() {
        reconcileAll();
    }

    private synchronized void reconcileAll() {
        for (WatchJob job : log.all()) {
            reconcile(job.id());
        }
        for (String id : loops.keySet()) {
            reconcile(id);
        }
    }

    private synchronized void reconcile(String id) {
        WatchJob job = log.get(id).orElse(null);
        WatchJobLoop loop = loops.get(id);
        boolean shouldRun = job != null && job.status() == WatchStatus.RUNNING && log.caughtUp() && log.owns(id)
                && !endedHere.contains(id);
        if (shouldRun && loop == null) {
            WatchJobLoop started = new WatchJobLoop(ctx, job);
            loops.put(id, started);
            Log.infof("Watch job %s on camera %s %s here (%s)", id, job.camera(),
                    job.lastRunAt() == null ? "starts" : "resumes after " + job.iterations() + " iterations", ctx.instance());
            started.start();
        } else if (!shouldRun && loop != null) {
            loops.remove(id, loop);
            if (job != null && job.status().terminal()) {
                loop.finishedElsewhere(job);
            } else {
                Log.infof("Watch job %s on camera %s stops here (no longer owned by %s)", id, loop.camera(), ctx.instance());
                loop.stop();
            }
        }
    }

    /** Tombstones finished jobs of owned partitions once they are past their retention. */
    private void purgeFinished() {
        long cutoff = ctx.clock().millis() - config.finishedRetention().toMillis();
        for (WatchJob job : log.all()) {
            if (job.status().terminal() && job.endedAt() != null && job.endedAt() < cutoff && log.owns(job.id())) {
                log.purge(job.id()).subscribe().with(ok -> Log.debugf("Purged finished watch job %s", job.id()),
                        e -> Log.warnf("Could not purge watch job %s: %s", job.id(), e.getMessage()));
            }
        }
    }
}
