package io.sightline.capture.rest;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.quarkus.logging.Log;
import io.sightline.capture.service.CaptureRejection;
import io.sightline.common.http.ErrorBody;
import io.sightline.common.security.SecretMasker;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** Every failure answers with common's {@link ErrorBody} JSON, never an HTML page or an empty body. */
class ErrorMappers {

    @ServerExceptionMapper
    Response rejection(CaptureRejection e) {
        Response.ResponseBuilder builder = Response.status(e.status())
                .type(MediaType.APPLICATION_JSON_TYPE)
                .entity(new ErrorBody(e.error(), e.getMessage(), e.status()));
        if (e.retryAfterSeconds() != null) {
            builder.header("Retry-After", e.retryAfterSeconds());
        }
        if (e.status() == 401) {
            builder.header("WWW-Authenticate", "Bearer");
        }
        return builder.build();
    }

    @ServerExceptionMapper
    Response malformedJson(JsonProcessingException e) {
        return json(400, "malformed_json", SecretMasker.mask(io.sightline.common.http.ErrorBody.describe(e)));
    }

    @ServerExceptionMapper
    Response web(WebApplicationException e) {
        int status = e.getResponse().getStatus();
        for (Throwable cause = e.getCause(); cause != null && cause != cause.getCause(); cause = cause.getCause()) {
            if (status == 400 && cause instanceof JsonProcessingException json) {
                return malformedJson(json);
            }
        }
        String code = switch (status) {
            case 404 -> "not_found";
            case 405 -> "method_not_allowed";
            case 406 -> "not_acceptable";
            case 413 -> "body_too_large";
            case 415 -> "unsupported_media_type";
            default -> status >= 500 ? "internal_error" : "bad_request";
        };
        return json(status, code, SecretMasker.mask(e.getMessage()));
    }

    @ServerExceptionMapper
    Response unexpected(RuntimeException e) {
        Log.errorf(e, "Unexpected failure");
        return json(500, "internal_error", "unexpected failure: " + e.getClass().getSimpleName());
    }

    private static Response json(int status, String error, String message) {
        return Response.status(status).type(MediaType.APPLICATION_JSON_TYPE).entity(new ErrorBody(error, message, status)).build();
    }
}
