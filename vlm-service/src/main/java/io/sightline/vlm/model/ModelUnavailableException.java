package io.sightline.vlm.model;

import java.time.Duration;
import java.util.Optional;

/** The model cannot take the request now (start failed, crashed, backing off, cannot be hosted here): 503 with Retry-After. */
public class ModelUnavailableException extends RuntimeException {

    private final String model;
    private final Duration retryAfter;

    public ModelUnavailableException(String model, String message, Duration retryAfter, Throwable cause) {
        super("model '" + model + "': " + message, cause);
        this.model = model;
        this.retryAfter = retryAfter;
    }

    public String model() {
        return model;
    }

    public Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }
}
