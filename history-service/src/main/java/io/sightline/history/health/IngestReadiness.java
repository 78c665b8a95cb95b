package io.sightline.history.health;

import io.sightline.history.ingest.IngestLoop;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/** Ready while the ingest consumer runs; DOWN while it waits for the database or for disk space (paused) or has stopped. */
@Readiness
@ApplicationScoped
public class IngestReadiness implements HealthCheck {

    private final IngestLoop ingest;

    IngestReadiness(IngestLoop ingest) {
        this.ingest = ingest;
    }

    @Override
    public HealthCheckResponse call() {
        IngestLoop.State state = ingest.state();
        HealthCheckResponseBuilder builder = HealthCheckResponse.named("history-ingest")
                .status(state == IngestLoop.State.RUNNING || state == IngestLoop.State.STARTING)
                .withData("state", state.name().toLowerCase());
        if (ingest.lastError() != null) {
            builder.withData("last_error", ingest.lastError());
            if (state == IngestLoop.State.DISK_FULL) {
                builder.withData("reason", ingest.lastError());
            }
        }
        return builder.build();
    }
}
