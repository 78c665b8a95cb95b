package io.sightline.gateway.security;

import io.micrometer.core.instrument.MeterRegistry;
import io.sightline.gateway.config.GatewayConfig;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Duration;

/** A token bucket per API key: {@code per-second} sustained, {@code burst} at once. */
@ApplicationScoped
public class RateLimiter {

    private final TokenBuckets buckets;
    private final MeterRegistry registry;

    RateLimiter(GatewayConfig config, MeterRegistry registry) {
        this.buckets = new TokenBuckets(config.rateLimit().perSecond(), config.rateLimit().burst(), config.rateLimit().idleEviction());
        this.registry = registry;
    }

    /** Zero when the request may go ahead, otherwise how long until a token is available. */
    public Duration acquire(String keyId) {
        Duration wait = buckets.take(keyId, System.nanoTime());
        if (!wait.isZero()) {
            registry.counter("sightline.gateway.rate.limited", "key", keyId).increment();
        }
        return wait;
    }
}
