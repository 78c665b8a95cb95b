package io.sightline.gateway.security;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Token buckets by name: {@code perSecond} sustained, {@code burst} at once. Buckets idle longer than
 * {@code idle} are dropped once there are more than 10,000 of them. Used per API key ({@link RateLimiter})
 * and per pushing camera ({@link PushRateLimiter}).
 */
final class TokenBuckets {

    private static final int EVICT_ABOVE = 10_000;

    private final double perNano;
    private final double capacity;
    private final long idleNanos;
    private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();

    TokenBuckets(double perSecond, int burst, Duration idle) {
        this.perNano = perSecond / 1e9;
        this.capacity = Math.max(1, burst);
        this.idleNanos = idle.toNanos();
    }

    /** Zero when {@code name} may go ahead at {@code now} (System.nanoTime), otherwise how long until it may. */
    Duration take(String name, long now) {
        if (buckets.size() > EVICT_ABOVE) {
            buckets.entrySet().removeIf(e -> now - e.getValue().last > idleNanos);
        }
        return buckets.computeIfAbsent(name, k -> new Bucket(capacity, now)).take(now, perNano, capacity);
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
