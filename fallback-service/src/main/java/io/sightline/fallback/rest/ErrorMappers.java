package io.sightline.fallback.rest;

import io.sightline.common.http.ErrorBody;
import io.sightline.fallback.query.QueryStats;
import io.sightline.fallback.query.UnknownCameraException;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.ConstraintViolationException;
import jakarta.ws.rs.core.MediaType;
import org.jboss.resteasy.reactive.RestResponse;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import java.util.stream.Collectors;

/**
 * Refused requests of this module's resources answer common's JSON {@code {error, message, status}} with a status that
 * says why; a body Jackson cannot read names the problem and where it is (common's {@link ErrorBody#describe}).
 */
class ErrorMappers {

    private final QueryStats stats;

    ErrorMappers(QueryStats stats) {
        this.stats = stats;
    }

    @ServerExceptionMapper
    RestResponse<ErrorBody> unknownCamera(UnknownCameraException e) {
        return json(RestResponse.Status.NOT_FOUND, new ErrorBody("unknown_camera", e.getMessage(), 404));
    }

    @ServerExceptionMapper
    RestResponse<ErrorBody> invalid(ConstraintViolationException e) {
        stats.recordRejected();
        String message = e.getConstraintViolations().stream().map(ConstraintViolation::getMessage).sorted()
                .collect(Collectors.joining("; "));
        return json(RestResponse.Status.BAD_REQUEST, new ErrorBody("invalid_request", message, 400));
    }

    @ServerExceptionMapper
    RestResponse<ErrorBody> invalid(InvalidRequestException e) {
        stats.recordRejected();
        return json(RestResponse.Status.BAD_REQUEST, new ErrorBody("invalid_request", e.getMessage(), 400));
    }

    /** Body that is not JSON, or JSON of the wrong shape: 400 with what the parser said and where. */
    @ServerExceptionMapper
    jakarta.ws.rs.core.Response malformedJson(jakarta.ws.rs.WebApplicationException e) {
        for (Throwable cause = e.getCause(); cause != null && cause != cause.getCause(); cause = cause.getCause()) {
            if (cause instanceof com.fasterxml.jackson.core.JsonProcessingException json) {
                return malformed(json).toResponse();
            }
        }
        return e.getResponse();
    }

    @ServerExceptionMapper
    RestResponse<ErrorBody> wrongShape(com.fasterxml.jackson.core.JsonProcessingException e) {
        return malformed(e);
    }

    private RestResponse<ErrorBody> malformed(com.fasterxml.jackson.core.JsonProcessingException e) {
        stats.recordRejected();
        return json(RestResponse.Status.BAD_REQUEST, ErrorBody.malformedJson(e));
    }

    static RestResponse<ErrorBody> json(RestResponse.Status status, ErrorBody body) {
        return RestResponse.ResponseBuilder.create(status, body).type(MediaType.APPLICATION_JSON_TYPE).build();
    }
}
