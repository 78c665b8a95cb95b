package io.sightline.vlm.health;

import io.sightline.vlm.model.ServedModel;
import io.sightline.vlm.service.ModelRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready when vlm-service can take requests: it serves at least one model that is not unusable. Stopped
 * hosted models count (they start on demand); a model that failed does not make the service unready
 * (other models may serve, and the failed one restarts on the next request). The data lists each model's
 * state and, when nothing can serve, why.
 */
@Readiness
@ApplicationScoped
class ModelsReadiness implements HealthCheck {

    private final ModelRegistry models;

    ModelsReadiness(ModelRegistry models) {
        this.models = models;
    }

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder response = HealthCheckResponse.named("vlm-models");
        long usable = 0;
        for (ServedModel model : models.models()) {
            response.withData(model.id(), model.state() + model.unavailableReason().map(r -> " (unavailable: " + r + ")").orElse(""));
            if (model.unavailableReason().isEmpty()) {
                usable++;
            }
        }
        response.withData("default", models.defaultModelId().orElse("none: " + models.defaultProblem().orElse("")));
        // no usable model is a configuration state, reported (GET /api/v1/models, /v1/models), not a reason to restart or drain
        return response.status(true).withData("usable_models", usable).build();
    }
}
