package io.sightline.common.vlm;

import java.time.Duration;

/**
 * How a {@link VlmClient} protects itself and its server; {@link #defaults()} suits a local llama-server
 * and a shared GPU server alike. Services may pass their own via {@link VlmClients#forEndpoint(VlmEndpoint, VlmClientPolicy)}.
 *
 * @param connectRetries     retries when the connection is refused or cannot be made (nothing was sent, so it is safe)
 * @param connectRetryDelay  wait before each such retry
 * @param maxRetryAfterWait  longest {@code Retry-After} (429/503) the client waits out itself, once, before retrying;
 *                           longer ones fail at once with {@link VlmException.Kind#OVERLOADED} and the server's value
 * @param breakerWindow      number of recent calls the circuit breaker looks at
 * @param breakerMinRequests calls needed in the window before the breaker may open
 * @param breakerFailureRatio share of failed calls in the window that opens the breaker
 * @param breakerDelay       how long an open breaker fails calls fast before letting one trial call through
 * @param maxResponseBytes   largest response body accepted (a runaway server must not exhaust memory)
 */
public record VlmClientPolicy(
        int connectRetries,
        Duration connectRetryDelay,
        Duration maxRetryAfterWait,
        int breakerWindow,
        int breakerMinRequests,
        double breakerFailureRatio,
        Duration breakerDelay,
        int maxResponseBytes) {

    public VlmClientPolicy {
        if (connectRetries < 0 || breakerWindow < 1 || breakerMinRequests < 1 || maxResponseBytes < 1024) {
            throw new IllegalArgumentException("invalid VLM client policy");
        }
        if (breakerFailureRatio <= 0 || breakerFailureRatio > 1) {
            throw new IllegalArgumentException("breakerFailureRatio must be in (0, 1]");
        }
        breakerMinRequests = Math.min(breakerMinRequests, breakerWindow);
    }

    public static VlmClientPolicy defaults() {
        return new VlmClientPolicy(2, Duration.ofMillis(250), Duration.ofSeconds(5),
                20, 10, 0.5, Duration.ofSeconds(15), 16 * 1024 * 1024);
    }

    public VlmClientPolicy withBreaker(int window, int minRequests, double failureRatio, Duration delay) {
        return new VlmClientPolicy(connectRetries, connectRetryDelay, maxRetryAfterWait, window, minRequests, failureRatio,
                delay, maxResponseBytes);
    }

    public VlmClientPolicy withRetries(int connectRetries, Duration connectRetryDelay, Duration maxRetryAfterWait) {
        return new VlmClientPolicy(connectRetries, connectRetryDelay, maxRetryAfterWait, breakerWindow, breakerMinRequests,
                breakerFailureRatio, breakerDelay, maxResponseBytes);
    }
}
