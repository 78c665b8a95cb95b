package io.sightline.gateway.security;

import io.micrometer.core.instrument.MeterRegistry;
import io.sightline.gateway.config.GatewayConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.time.Duration;

/**
 * A token bucket per camera for pushed frames: {@code per-camera-fps} sustained, {@code burst} at once.
 * A pushing agent is limited by what a camera sensibly produces, not by the per-key request limit,
 * so one key can push for many cameras and a runaway agent cannot flood one camera's pipeline.
 */
@ApplicationScoped
public class PushRateLimiter {

    private static final Duration IDLE = Duration.ofMinutes(10);

    private final TokenBuckets buckets;
    private final MeterRegistry registry;

    @Inject
    PushRateLimiter(GatewayConfig config, MeterRegistry registry) {
        this(config.push().perCameraFps(), config.push().burst(), registry);
    }

    PushRateLimiter(double perSecond, int burst, MeterRegistry registry) {
        if (!(perSecond > 0)) {
            throw new IllegalArgumentException("sightline.gateway.push.per-camera-fps must be > 0, was " + perSecond);
        }
        this.buckets = new TokenBuckets(perSecond, burst, IDLE);
        this.registry = registry;
    }

    /** Zero when the camera may push now, otherwise how long until it may. */
    public Duration acquire(String camera) {
        return acquire(camera, System.nanoTime());
    }

    Duration acquire(String camera, long now) {
        Duration wait = buckets.take(camera, now);
        if (!wait.isZero()) {
            registry.counter("sightline.gateway.push.rate.limited", "camera", camera).increment();
        }
        return wait;
    }
}
