package io.sightline.gateway.error;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.quarkus.logging.Log;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.ConstraintViolationException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import org.eclipse.microprofile.faulttolerance.exceptions.CircuitBreakerOpenException;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import java.util.stream.Collectors;

/** Every failure of a REST resource becomes {@code {error, message, status}} (OpenAI's shape under /v1). */
class ErrorMappers {

    @ServerExceptionMapper
    Response gateway(GatewayException e, UriInfo uri) {
        if (e.status() >= 500) {
            Log.warnf("%s -> %d: %s", uri.getPath(), e.status(), e.getMessage());
        }
        Response.ResponseBuilder builder = build(e.toApiError(), uri);
        e.retryAfter().ifPresent(d -> builder.header("Retry-After", Math.max(1, (d.toMillis() + 999) / 1000)));
        return builder.build();
    }

    @ServerExceptionMapper
    Response circuitOpen(CircuitBreakerOpenException e, UriInfo uri) {
        String service = serviceOf(e.getMessage());
        return build(new ApiError("service_unavailable", service + " is unavailable: it failed repeatedly, calls are paused "
                + "for a few seconds (circuit breaker open)", 503), uri).header("Retry-After", 5).build();
    }

    @ServerExceptionMapper
    Response invalid(ConstraintViolationException e, UriInfo uri) {
        String message = e.getConstraintViolations().stream().map(ConstraintViolation::getMessage).sorted()
                .collect(Collectors.joining("; "));
        return build(new ApiError("bad_request", message, 400), uri).build();
    }

    @ServerExceptionMapper
    Response malformed(JsonProcessingException e, UriInfo uri) {
        // names the problem and where it is, e.g. "malformed JSON at line 1, column 12: Unexpected character ..."
        return build(new ApiError("malformed_json", io.sightline.common.http.ErrorBody.describe(e), 400), uri).build();
    }

    @ServerExceptionMapper
    Response web(WebApplicationException e, UriInfo uri) {
        int status = e.getResponse().getStatus();
        for (Throwable cause = e.getCause(); cause != null && cause != cause.getCause(); cause = cause.getCause()) {
            if (status == 400 && cause instanceof JsonProcessingException json) {
                return malformed(json, uri);
            }
        }
        String code = switch (status) {
            case 400 -> "bad_request";
            case 404 -> "not_found";
            case 405 -> "method_not_allowed";
            case 406 -> "not_acceptable";
            case 413 -> "payload_too_large";
            case 415 -> "unsupported_media_type";
            default -> status >= 500 ? "internal_error" : "request_error";
        };
        String message = status == 404 ? "No such resource: " + uri.getPath() : e.getMessage();
        return build(new ApiError(code, message, status), uri).build();
    }

    @ServerExceptionMapper
    Response unexpected(RuntimeException e, UriInfo uri) {
        Log.errorf(e, "Unexpected failure on %s", uri.getPath());
        return build(new ApiError("internal_error", "Unexpected error in the gateway (" + e.getClass().getSimpleName() + ")", 500), uri).build();
    }

    private static Response.ResponseBuilder build(ApiError error, UriInfo uri) {
        return Response.status(error.status()).type(MediaType.APPLICATION_JSON_TYPE).entity(error.bodyFor(uri.getPath()));
    }

    static String serviceOf(String message) {
        if (message == null) {
            return "a downstream service";
        }
        if (message.contains("FallbackClient")) {
            return "fallback-service";
        }
        if (message.contains("WatchClient")) {
            return "watch-service";
        }
        if (message.contains("CaptureClient")) {
            return "capture-service";
        }
        if (message.contains("CaptionClient")) {
            return "caption-service";
        }
        return "a downstream service";
    }
}
