package io.sightline.gateway.security;

import io.micrometer.core.instrument.MeterRegistry;
import io.sightline.gateway.config.GatewayConfig;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** A token bucket per API key: {@code per-second} sustained, {@code burst} at once. */
@ApplicationScoped
public class RateLimiter {

    private final double perNano;
    private final double capacity;
    private final long idleNanos;
    private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();
    private final MeterRegistry registry;

    RateLimiter(GatewayConfig config, MeterRegistry registry) {
        this.perNano = config.rateLimit().perSecond() / 1e9;
        this.capacity = Math.max(1, config.rateLimit().burst());
        this.idleNanos = config.rateLimit().idleEviction().toNanos();
        this.registry = registry;
    }

    /** Zero when the request may go ahead, otherwise how long until a token is available. */
    public Duration acquire(String keyId) {
        long now = System.nanoTime();
        if (buckets.size() > 10_000) {
            buckets.entrySet().removeIf(e -> now - e.getValue().last > idleNanos);
        }
        Duration wait = buckets.computeIfAbsent(keyId, k -> new Bucket(capacity, now)).take(now, perNano, capacity);
        if (!wait.isZero()) {
            registry.counter("sightline.gateway.rate.limited", "key", keyId).increment();
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
