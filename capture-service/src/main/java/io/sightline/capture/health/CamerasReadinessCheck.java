package io.sightline.capture.health;

import io.sightline.capture.service.CameraRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

import java.util.Map;

/**
 * Lists degraded cameras with their last error without failing readiness for them: one broken camera
 * must not take the push endpoint and the other cameras out of service. DOWN only when the stored
 * camera configuration cannot be read (the instance would silently run without its cameras).
 */
@Readiness
@ApplicationScoped
public class CamerasReadinessCheck implements HealthCheck {

    private final CameraRegistry cameras;

    CamerasReadinessCheck(CameraRegistry cameras) {
        this.cameras = cameras;
    }

    @Override
    public HealthCheckResponse call() {
        Map<String, String> degraded = cameras.degraded();
        HealthCheckResponseBuilder builder = HealthCheckResponse.named("cameras")
                .status(cameras.storeError() == null)
                .withData("cameras", cameras.count())
                .withData("degraded", degraded.size());
        degraded.forEach((camera, error) -> builder.withData("camera." + camera, "degraded: " + error));
        if (cameras.storeError() != null) {
            builder.withData("store_error", cameras.storeError());
        }
        return builder.build();
    }
}
