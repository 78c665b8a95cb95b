package io.sightline.fallback.rest;

import io.sightline.fallback.query.QueryStats;
import io.sightline.fallback.query.UnknownCameraException;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.ConstraintViolationException;
import jakarta.ws.rs.core.MediaType;
import org.jboss.resteasy.reactive.RestResponse;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import java.util.stream.Collectors;

/**
 * Refused requests of this module's resources answer JSON {@code {error, message}} with a status that
 * says why. (Malformed JSON is mapped in {@link QueryResource}, scoped to it.)
 */
class ErrorMappers {

    private final QueryStats stats;

    ErrorMappers(QueryStats stats) {
        this.stats = stats;
    }

    @ServerExceptionMapper
    RestResponse<ErrorBody> unknownCamera(UnknownCameraException e) {
        return json(RestResponse.Status.NOT_FOUND, new ErrorBody("unknown_camera", e.getMessage()));
    }

    @ServerExceptionMapper
    RestResponse<ErrorBody> invalid(ConstraintViolationException e) {
        stats.recordRejected();
        String message = e.getConstraintViolations().stream().map(ConstraintViolation::getMessage).sorted()
                .collect(Collectors.joining("; "));
        return json(RestResponse.Status.BAD_REQUEST, new ErrorBody("invalid_request", message));
    }

    @ServerExceptionMapper
    RestResponse<ErrorBody> invalid(InvalidRequestException e) {
        stats.recordRejected();
        return json(RestResponse.Status.BAD_REQUEST, new ErrorBody("invalid_request", e.getMessage()));
    }

    static RestResponse<ErrorBody> json(RestResponse.Status status, ErrorBody body) {
        return RestResponse.ResponseBuilder.create(status, body).type(MediaType.APPLICATION_JSON_TYPE).build();
    }
}
