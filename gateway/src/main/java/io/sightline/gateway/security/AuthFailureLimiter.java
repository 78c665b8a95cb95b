package io.sightline.gateway.security;

import io.micrometer.core.instrument.MeterRegistry;
import io.sightline.gateway.config.GatewayConfig;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Counts failed authentications (an API key was presented and is not valid) per client address in a
 * one-minute window; an address past the limit gets 429 with Retry-After until its window ends, whatever
 * key it sends, so keys cannot be guessed at speed.
 */
@ApplicationScoped
public class AuthFailureLimiter {

    private static final long WINDOW_NANOS = Duration.ofMinutes(1).toNanos();

    private final int maxPerMinute;
    private final Map<String, Window> windows = new ConcurrentHashMap<>();
    private final MeterRegistry registry;

    AuthFailureLimiter(GatewayConfig config, MeterRegistry registry) {
        this.maxPerMinute = config.authFailures().perMinute();
        this.registry = registry;
    }

    /** Zero when {@code address} may try to authenticate, otherwise how long until it may again. */
    public Duration blockedFor(String address) {
        Window w = windows.get(address);
        return w == null ? Duration.ZERO : w.blockedFor(System.nanoTime(), maxPerMinute);
    }

    public void failed(String address) {
        long now = System.nanoTime();
        if (windows.size() > 10_000) {
            windows.entrySet().removeIf(e -> now - e.getValue().start > WINDOW_NANOS);
        }
        windows.computeIfAbsent(address, a -> new Window(now)).add(now);
        registry.counter("sightline.gateway.auth.failures").increment();
    }

    private static final class Window {
        private long start;
        private int failures;

        Window(long start) {
            this.start = start;
        }

        synchronized void add(long now) {
            if (now - start > WINDOW_NANOS) {
                start = now;
                failures = 0;
            }
            failures++;
        }

        synchronized Duration blockedFor(long now, int max) {
            long left = WINDOW_NANOS - (now - start);
            if (left <= 0 || failures < max) {
                return Duration.ZERO;
            }
            return Duration.ofNanos(left);
        }
    }
}
