package io.sightline.history.rest;

import io.sightline.history.store.DatabaseUnavailableException;
import io.sightline.history.store.HistoryQueries;
import io.sightline.history.store.UnknownCameraException;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.core.MediaType;
import org.jboss.resteasy.reactive.RestResponse;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** Refused requests answer JSON {@code {error, message}} with a status that says why. */
class ErrorMappers {

    @ServerExceptionMapper
    RestResponse<ErrorBody> unknownCamera(UnknownCameraException e) {
        return json(RestResponse.Status.NOT_FOUND, new ErrorBody("unknown_camera", e.getMessage()));
    }

    @ServerExceptionMapper
    RestResponse<ErrorBody> invalid(InvalidRequestException e) {
        return json(RestResponse.Status.BAD_REQUEST, new ErrorBody("invalid_request", e.getMessage()));
    }

    @ServerExceptionMapper
    RestResponse<ErrorBody> cursor(HistoryQueries.InvalidCursorException e) {
        return json(RestResponse.Status.BAD_REQUEST, new ErrorBody("invalid_request", e.getMessage()));
    }

    @ServerExceptionMapper
    RestResponse<ErrorBody> notFound(NotFoundException e) {
        return json(RestResponse.Status.NOT_FOUND, new ErrorBody("not_found", e.getMessage()));
    }

    @ServerExceptionMapper
    RestResponse<ErrorBody> unavailable(DatabaseUnavailableException e) {
        return json(RestResponse.Status.SERVICE_UNAVAILABLE, new ErrorBody("database_unavailable", e.getMessage()));
    }

    static RestResponse<ErrorBody> json(RestResponse.Status status, ErrorBody body) {
        return RestResponse.ResponseBuilder.create(status, body).type(MediaType.APPLICATION_JSON_TYPE).build();
    }
}
