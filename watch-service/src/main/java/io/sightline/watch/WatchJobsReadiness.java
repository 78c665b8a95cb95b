package io.sightline.watch;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready once the job states on {@code watch.jobs} are loaded (before that, creating a job answers 503). */
@Readiness
@ApplicationScoped
class WatchJobsReadiness implements HealthCheck {

    private final WatchJobLog log;

    WatchJobsReadiness(WatchJobLog log) {
        this.log = log;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("watch-jobs").status(log.caughtUp()).withData("jobs", log.all().size()).build();
    }
}
