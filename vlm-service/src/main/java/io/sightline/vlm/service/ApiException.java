package io.sightline.vlm.service;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** A request vlm-service answers with an error: HTTP status, OpenAI error type and a message saying why. */
public class ApiException extends RuntimeException {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final int status;
    private final String type;
    private final Duration retryAfter;
    private final List<String> models;

    public ApiException(int status, String type, String message, Duration retryAfter, List<String> models, Throwable cause) {
        super(message, cause);
        this.status = status;
        this.type = type;
        this.retryAfter = retryAfter;
        this.models = models == null ? List.of() : List.copyOf(models);
    }

    public static ApiException badRequest(String message) {
        return new ApiException(400, "invalid_request_error", message, null, null, null);
    }

    public int status() {
        return status;
    }

    public Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }

    /** The OpenAI error body: {@code {"error":{"message","type","code"[,"models"]}}}. */
    public String toJson() {
        ObjectNode root = JSON.createObjectNode();
        ObjectNode error = root.putObject("error");
        error.put("message", getMessage());
        error.put("type", type);
        error.put("code", status);
        if (!models.isEmpty()) {
            models.forEach(error.putArray("models")::add);
        }
        return root.toString();
    }
}
