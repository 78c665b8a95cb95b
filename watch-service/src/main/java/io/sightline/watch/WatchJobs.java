package io.sightline.watch;

import io.quarkus.logging.Log;
import io.sightline.common.event.CaptionRefreshRequested;
import io.sightline.common.vocabulary.ObjectVocabulary;
import io.sightline.latest.LatestFrames;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.operators.multi.processors.BroadcastProcessor;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.Record;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Channel;

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
    private final MutinyEmitter<Record<String, CaptionRefreshRequested>> refresh;
    private final BroadcastProcessor<WatchJob> changes = BroadcastProcessor.create();
    /** Jobs accepted here whose first record is not acknowledged yet: they count against the caps. */
    private final Set<WatchJob> pending = new HashSet<>();

    WatchJobs(WatchConfig config, WatchJobLog log, WatchRunner runner, LatestFrames frames,
              @Channel("caption-refresh") MutinyEmitter<Record<String, CaptionRefreshRequested>> refresh) {
        this.config = config;
        this.log = log;
        this.runner = runner;
        this.frames = frames;
        this.refresh = refresh;
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
        List<String> labels = detectorLabels(request.labels());
        int minutes = request.maxDurationMinutes() == null ? config.defaultDurationMinutes() : request.maxDurationMinutes();
        if (request.maxVlmCalls() != null && request.maxVlmCalls() > config.budget().maxCallsPerJob()) {
            throw new WatchRejected(400, "max_vlm_calls must be at most " + config.budget().maxCallsPerJob());
        }
        long now = System.currentTimeMillis();
        WatchJob draft = new WatchJob(WatchJob.SCHEMA, UUID.randomUUID().toString(), camera, request.condition().trim(), labels,
                request.zones(), minutes, WatchStatus.RUNNING, now, now + minutes * config.minute().toMillis(), null, 0,
                null, "Waiting for the first look", null, null, now, null, null, null,
                request.channels() == null ? List.of() : request.channels().stream().distinct().toList(),
                request.maxVlmCalls() == null ? 0 : request.maxVlmCalls(), 0, 0, List.of(), now);
        int budget = WatchJobLoop.budgetOf(draft, config);
        WatchJob job = new WatchJob(draft.schema(), draft.id(), draft.camera(), draft.condition(), draft.labels(), draft.zones(),
                draft.maxDurationMinutes(), draft.status(), draft.createdAt(), draft.expiresAt(), null, 0, null, draft.lastOutcome(),
                null, null, null, null, null, null, draft.channels(), budget, 0, 0, List.of(), now);
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
                .invoke(written -> Log.infof("Watch job %s created on camera %s for %d minutes (budget %d VLM calls): %s", written.id(),
                        camera, minutes, written.maxVlmCalls(), written.condition()))
                .invoke(this::requestFreshDescription)
                .eventually(() -> {
                    synchronized (pending) {
                        pending.remove(job);
                    }
                });
    }

    /**
     * A new job wants to know what the camera shows now: caption-service escalates the camera's next frame to
     * its describing tier (issue 15's refresh), so the caption history and template answers are current while the
     * job watches. Best effort: a refresh that cannot be sent is logged, the job runs anyway.
     */
    private void requestFreshDescription(WatchJob job) {
        CaptionRefreshRequested request = new CaptionRefreshRequested(CaptionRefreshRequested.SCHEMA, job.camera(),
                "watch:" + job.id(), System.currentTimeMillis());
        refresh.send(Record.of(job.camera(), request)).subscribe().with(
                ok -> { },
                failure -> Log.warnf("caption refresh for watch job %s not sent: %s", job.id(), failure.getMessage()));
    }

    /**
     * The request's labels as the detector names them ("people" becomes "person"), or 400 naming the unknown ones
     * and listing the known: a label the detector never reports would never wake the job. The detector reports
     * COCO's 80 classes, so "package" (or "parcel") is not one; those belong in the condition text.
     */
    static List<String> detectorLabels(List<String> requested) {
        if (requested == null || requested.isEmpty()) {
            return List.of();
        }
        List<String> unknown = new java.util.ArrayList<>();
        java.util.LinkedHashSet<String> labels = new java.util.LinkedHashSet<>();
        for (String label : requested) {
            String word = label.trim().toLowerCase(Locale.ROOT);
            ObjectVocabulary.canonical(word).filter(ObjectVocabulary.LABELS::contains)
                    .ifPresentOrElse(labels::add, () -> unknown.add(word));
        }
        if (!unknown.isEmpty()) {
            String quoted = unknown.stream().map(w -> "'" + w + "'").collect(java.util.stream.Collectors.joining(", "));
            throw new WatchRejected(400, "labels " + quoted + (unknown.size() == 1 ? " is not a class" : " are not classes")
                    + " the object detector reports (it detects the 80 COCO classes, listed in known_labels): labels only wake "
                    + "the job early when the detector sees them. Describe " + (unknown.size() == 1 ? "it" : "them")
                    + " in the condition text instead, e.g. \"a " + unknown.get(0) + " is on the doormat\", and leave "
                    + (unknown.size() == 1 ? "it" : "them") + " out of labels.",
                    java.util.Map.of("unknown_labels", unknown, "known_labels", ObjectVocabulary.LABELS));
        }
        return List.copyOf(labels);
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
