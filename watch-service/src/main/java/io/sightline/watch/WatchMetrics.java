package io.sightline.watch;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Duration;
import java.util.function.Supplier;

/**
 * Watch-job meters: jobs running here and in total, iterations by outcome, VLM latency, wake reasons,
 * finished jobs by status, detections drained during a cooldown, unreadable state records.
 */
@ApplicationScoped
class WatchMetrics {

    private final MeterRegistry registry;

    WatchMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    /** Jobs whose loop runs on this replica. */
    void runningJobs(Supplier<Number> count) {
        Gauge.builder("sightline.watch.jobs.running", count).description("Watch jobs running on this replica").register(registry);
    }

    /** Jobs in status running across all replicas (as this replica's view of watch.jobs says). */
    void activeJobs(Supplier<Number> count) {
        Gauge.builder("sightline.watch.jobs.active", count).description("Watch jobs in status running, all replicas").register(registry);
    }

    void iteration(String outcome) {
        Counter.builder("sightline.watch.iterations").tag("outcome", outcome).description("Watch job iterations by outcome")
                .register(registry).increment();
    }

    void vlmLatency(Duration latency, String outcome) {
        Timer.builder("sightline.watch.vlm.latency").tag("outcome", outcome).description("VLM call time of watch jobs, queue wait included")
                .publishPercentiles(0.5, 0.95, 0.99).register(registry).record(latency);
    }

    void wake(String reason) {
        Counter.builder("sightline.watch.wakes").tag("reason", reason).description("Why watch job iterations ran")
                .register(registry).increment();
    }

    void finished(WatchStatus status) {
        Counter.builder("sightline.watch.finished").tag("status", status.wire()).description("Watch jobs finished, by status")
                .register(registry).increment();
    }

    void drained() {
        Counter.builder("sightline.watch.detections.drained").description("Matching detections absorbed by a wake cooldown")
                .register(registry).increment();
    }

    void rejectedState() {
        Counter.builder("sightline.watch.state.rejected").description("Unreadable records on watch.jobs (ignored, logged)")
                .register(registry).increment();
    }

    void rejectedDetections() {
        Counter.builder("sightline.watch.detections.rejected").description("Unreadable detections records (dead-lettered)")
                .register(registry).increment();
    }

    void vlmCall() {
        Counter.builder("sightline.watch.vlm.calls").description("VLM calls made by watch jobs (each counts against its budget)")
                .register(registry).increment();
    }

    void downtime(Duration down) {
        Timer.builder("sightline.watch.downtime").description("Time resumed jobs spent without a running replica")
                .register(registry).record(down);
    }
}
