package io.sightline.caption.health;

import io.sightline.caption.backend.Tier;
import io.sightline.caption.chain.BackendChain;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready when a tier that describes frames is selected and usable, or when none was asked for. A forced
 * tier that is unavailable makes the service not ready (frames would silently degrade); the data lists
 * every tier's availability and breaker.
 */
@Readiness
@ApplicationScoped
public class VisionReadinessCheck implements HealthCheck {

    private final BackendChain chain;

    VisionReadinessCheck(BackendChain chain) {
        this.chain = chain;
    }

    @Override
    public HealthCheckResponse call() {
        var selection = chain.selection();
        Tier tier = selection.tier();
        boolean usable = tier == Tier.NONE || chain.backend(tier).isAvailable();
        HealthCheckResponseBuilder builder = HealthCheckResponse.named("vision-backends")
                .status(usable)
                .withData("selected", tier.id())
                .withData("selection", selection.forced() ? "forced" : "auto");
        chain.status().forEach(s -> builder.withData(s.tier().id(),
                (s.available() ? "available" : "unavailable: " + s.unavailableReason().orElse("?")) + ", breaker " + s.breaker().id()));
        return builder.build();
    }
}
