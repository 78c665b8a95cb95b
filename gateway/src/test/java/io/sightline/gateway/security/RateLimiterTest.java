package io.sightline.gateway.security;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sightline.gateway.config.GatewayConfig;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Proxy;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

class RateLimiterTest {

    private static RateLimiter limiter(double perSecond, int burst) {
        GatewayConfig.RateLimit rate = new GatewayConfig.RateLimit() {
            public double perSecond() {
                return perSecond;
            }

            public int burst() {
                return burst;
            }

            public Duration idleEviction() {
                return Duration.ofMinutes(10);
            }
        };
        GatewayConfig config = (GatewayConfig) Proxy.newProxyInstance(GatewayConfig.class.getClassLoader(),
                new Class<?>[] {GatewayConfig.class}, (p, m, a) -> rate);
        return new RateLimiter(config, new SimpleMeterRegistry());
    }

    @Test
    void burstIsAllowedThenTheCallerIsToldHowLongToWait() {
        RateLimiter limiter = limiter(2, 3);
        for (int i = 0; i < 3; i++) {
            assertThat(limiter.acquire("k")).isZero();
        }
        Duration wait = limiter.acquire("k");
        assertThat(wait).isPositive().isLessThanOrEqualTo(Duration.ofMillis(500));
        assertThat(limiter.acquire("other")).as("buckets are per key").isZero();
    }
}
