package io.sightline.watch;

import io.quarkus.logging.Log;
import io.sightline.latest.LatestFrames;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.operators.multi.processors.BroadcastProcessor;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;

/**
 * Creating, listing, cancelling and following watch jobs. Any replica serves any job: state comes from
 * {@link WatchJobLog}; the loop runs on the job's owner ({@link WatchRunner}).
 */
@ApplicationScoped
class WatchJobs implements WatchJobLog.Listener {

    private final WatchConfig config;
    private final WatchJobLog log;
    private final WatchRunner runner;
    private final LatestFrames frames;
    private final BroadcastProcessor<WatchJob> changes = BroadcastProcessor.create();
    /** Jobs accepted here whose first record is not acknowledged yet: they count against the caps. */
    private final Set<WatchJob> pending = new HashSet<>();

    WatchJobs(WatchConfig config, WatchJobLog log, WatchRunner runner, LatestFrames frames) {
        this.config = config;
        this.log = log;
        this.runner = runner;
        this.frames = frames;
        log.addListener(this);
    }

    Uni<WatchJob> create(CreateWatchRequest request) {
        String camera = request.camera().trim();
        if (!frames.knows(camera)) {
            throw new WatchRejected(404, "unknown camera '" + camera + "': no frame, caption or detections of it have been seen");
        }
        if (!log.caughtUp()) {
            throw new WatchRejected(503, "watch jobs are still being loaded from Kafka; retry shortly");
        }
        int minutes = request.maxDurationMinutes() == null ? config.defaultDurationMinutes() : request.maxDurationMinutes();
        long now = System.currentTimeMillis();
        WatchJob job = new WatchJob(WatchJob.SCHEMA, UUID.randomUUID().toString(), camera, request.condition().trim(),
                request.labels() == null ? List.of() : request.labels().stream().map(l -> l.trim().toLowerCase(Locale.ROOT)).distinct().toList(),
                request.zones(), minutes, WatchStatus.RUNNING, now, now + minutes * config.minute().toMillis(), null, 0,
                null, "Waiting for the first look", null, null, now, null, null, null, now);
        synchronized (pending) {
            List<WatchJob> running = log.all().stream().filter(j -> j.status() == WatchStatus.RUNNING).toList();
            long total = running.size() + pending.size();
            long onCamera = running.stream().filter(j -> j.camera().equals(camera)).count()
                    + pending.stream().filter(j -> j.camera().equals(camera)).count();
            if (total >= config.maxJobs()) {
                throw new WatchRejected(429, "too many watch jobs: " + total + " are running, the limit is " + config.maxJobs()
                        + "; cancel one or wait for one to finish");
            }
            if (onCamera >= config.maxJobsPerCamera()) {
                throw new WatchRejected(409, "camera '" + camera + "' already has " + onCamera + " running watch jobs, the limit per camera is "
                        + config.maxJobsPerCamera());
            }
            pending.add(job);
        }
        return log.write(job)
                .invoke(written -> Log.infof("Watch job %s created on camera %s for %d minutes: %s", written.id(), camera, minutes,
                        written.condition()))
                .eventually(() -> {
                    synchronized (pending) {
                        pending.remove(job);
                    }
                });
    }

    List<WatchJob> list(String camera, WatchStatus status) {
        return log.all().stream()
                .filter(j -> camera == null || camera.isBlank() || j.camera().equals(camera))
                .filter(j -> status == null || j.status() == status)
                .sorted(Comparator.comparingLong(WatchJob::createdAt).reversed().thenComparing(WatchJob::id))
                .toList();
    }

    WatchJob get(String id) {
        return log.get(id).orElseThrow(() -> new WatchRejected(404, "no watch job with id '" + id + "'"));
    }

    Uni<WatchJob> cancel(String id) {
        WatchJob job = get(id);
        if (job.status().terminal()) {
            throw new WatchRejected(409, "watch job " + id + " already ended with status " + job.status().wire());
        }
        return runner.cancel(job);
    }

    /** Every status change of every job (optionally of one camera), from now on. */
    Multi<WatchJob> changes(String camera) {
        return changes
                .filter(j -> camera == null || camera.isBlank() || j.camera().equals(camera))
                .onOverflow().buffer(1024);
    }

    /** The job's current state, then each change, completing after its final status. */
    Multi<WatchJob> follow(String id) {
        WatchJob first = get(id);
        if (first.status().terminal()) {
            return Multi.createFrom().item(first);
        }
        return Multi.createFrom().emitter(emitter -> {
            long[] seen = {Long.MIN_VALUE};
            Object lock = new Object();
            java.util.function.Consumer<WatchJob> forward = job -> {
                synchronized (lock) {
                    if (job.updatedAt() < seen[0]) {
                        return;
                    }
                    seen[0] = job.updatedAt();
                    emitter.emit(job);
                    if (job.status().terminal()) {
                        emitter.complete();
                    }
                }
            };
            // subscribe before reading the current state, so no change falls in between
            var subscription = changes.filter(j -> j.id().equals(id)).subscribe().with(forward, emitter::fail);
            emitter.onTermination(subscription::cancel);
            forward.accept(log.get(id).orElse(first));
        });
    }

    @Override
    public void jobChanged(WatchJob job, boolean removed) {
        if (!removed) {
            synchronized (changes) {
                changes.onNext(job);
            }
        }
    }

    @Override
    public void ownershipChanged() {
    }

    @Override
    public void caughtUp() {
    }
}
