package io.sightline.common.kafka;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/** Ready only once the contract's topics exist (or provisioning is someone else's job). */
@Readiness
@ApplicationScoped
public class TopicsReadinessCheck implements HealthCheck {

    private final TopicProvisioner provisioner;

    TopicsReadinessCheck(TopicProvisioner provisioner) {
        this.provisioner = provisioner;
    }

    @Override
    public HealthCheckResponse call() {
        TopicProvisioner.State state = provisioner.state();
        HealthCheckResponseBuilder builder = HealthCheckResponse.named("kafka-topics")
                .status(state != TopicProvisioner.State.PENDING)
                .withData("provisioning", state.name().toLowerCase());
        if (provisioner.lastError() != null) {
            builder.withData("last_error", provisioner.lastError());
        }
        return builder.build();
    }
}
