package io.sightline.gateway.security;

import io.micrometer.core.instrument.MeterRegistry;
import io.sightline.gateway.config.GatewayConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A token bucket per camera for pushed frames: {@code per-camera-fps} sustained, {@code burst} at once.
 * A pushing agent is limited by what a camera sensibly produces, not by the per-key request limit,
 * so one key can push for many cameras and a runaway agent cannot flood one camera's pipeline.
 */
@ApplicationScoped
public class PushRateLimiter {

    private static final long IDLE_NANOS = Duration.ofMinutes(10).toNanos();

    private final double perNano;
    private final double capacity;
    private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();
    private final MeterRegistry registry;

    @Inject
    PushRateLimiter(GatewayConfig config, MeterRegistry registry) {
        this(config.push().perCameraFps(), config.push().burst(), registry);
    }

    PushRateLimiter(double perSecond, int burst, MeterRegistry registry) {
        if (!(perSecond > 0)) {
            throw new IllegalArgumentException("sightline.gateway.push.per-camera-fps must be > 0, was " + perSecond);
        }
        this.perNano = perSecond / 1e9;
        this.capacity = Math.max(1, burst);
        this.registry = registry;
    }

    /** Zero when the camera may push now, otherwise how long until it may. */
    public Duration acquire(String camera) {
        return acquire(camera, System.nanoTime());
    }

    Duration acquire(String camera, long now) {
        if (buckets.size() > 10_000) {
            buckets.entrySet().removeIf(e -> now - e.getValue().last > IDLE_NANOS);
        }
        Duration wait = buckets.computeIfAbsent(camera, k -> new Bucket(capacity, now)).take(now, perNano, capacity);
        if (!wait.isZero()) {
            registry.counter("sightline.gateway.push.rate.limited", "camera", camera).increment();
        }
        return wait;
    }

    private static final class Bucket {
        private double tokens;
        private long last;

        Bucket(double tokens, long now) {
            this.tokens = tokens;
            this.last = now;
        }

        synchronized Duration take(long now, double perNano, double capacity) {
            tokens = Math.min(capacity, tokens + (now - last) * perNano);
            last = now;
            if (tokens >= 1) {
                tokens -= 1;
                return Duration.ZERO;
            }
            return Duration.ofNanos((long) Math.ceil((1 - tokens) / perNano));
        }
    }
}
