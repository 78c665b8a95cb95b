package io.sightline.gateway.error;

import java.time.Duration;
import java.util.Optional;

/** A failure with the status, code and message the caller should see. */
public class GatewayException extends RuntimeException {

    private final int status;
    private final String error;
    private final Duration retryAfter;

    public GatewayException(int status, String error, String message, Duration retryAfter, Throwable cause) {
        super(message, cause);
        this.status = status;
        this.error = error;
        this.retryAfter = retryAfter;
    }

    public GatewayException(int status, String error, String message) {
        this(status, error, message, null, null);
    }

    public static GatewayException badRequest(String message) {
        return new GatewayException(400, "bad_request", message);
    }

    public static GatewayException unavailable(String service, String why, Throwable cause) {
        return new GatewayException(503, "service_unavailable", service + " is unavailable: " + why, Duration.ofSeconds(5), cause);
    }

    public static GatewayException timeout(String service, Duration after) {
        return new GatewayException(504, "timeout", service + " did not answer within " + after.toMillis() + " ms", null, null);
    }

    public int status() {
        return status;
    }

    public String error() {
        return error;
    }

    public Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }

    public ApiError toApiError() {
        return new ApiError(error, getMessage(), status);
    }
}
