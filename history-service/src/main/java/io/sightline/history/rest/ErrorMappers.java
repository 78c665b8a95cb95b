package io.sightline.history.rest;

import io.sightline.common.http.ErrorBody;

import io.sightline.history.live.LiveCaptionFeed;
import io.sightline.history.store.DatabaseUnavailableException;
import io.sightline.history.store.HistoryQueries;
import io.sightline.history.store.UnknownCameraException;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.core.MediaType;
import org.jboss.resteasy.reactive.RestResponse;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** Refused requests answer common's JSON {@code {error, message, status}} with a status that says why. */
class ErrorMappers {

    @ServerExceptionMapper
    RestResponse<ErrorBody> unknownCamera(UnknownCameraException e) {
        return json(RestResponse.Status.NOT_FOUND, new ErrorBody("unknown_camera", e.getMessage(), 404));
    }

    @ServerExceptionMapper
    RestResponse<ErrorBody> invalid(InvalidRequestException e) {
        return json(RestResponse.Status.BAD_REQUEST, new ErrorBody("invalid_request", e.getMessage(), 400));
    }

    @ServerExceptionMapper
    RestResponse<ErrorBody> cursor(HistoryQueries.InvalidCursorException e) {
        return json(RestResponse.Status.BAD_REQUEST, new ErrorBody("invalid_request", e.getMessage(), 400));
    }

    @ServerExceptionMapper
    RestResponse<ErrorBody> notFound(NotFoundException e) {
        return json(RestResponse.Status.NOT_FOUND, new ErrorBody("not_found", e.getMessage(), 404));
    }

    @ServerExceptionMapper
    RestResponse<ErrorBody> unavailable(DatabaseUnavailableException e) {
        return json(RestResponse.Status.SERVICE_UNAVAILABLE, new ErrorBody("database_unavailable", e.getMessage(), 503));
    }

    @ServerExceptionMapper
    RestResponse<ErrorBody> tooManyStreams(LiveCaptionFeed.TooManySubscribers e) {
        return RestResponse.ResponseBuilder.create(RestResponse.Status.SERVICE_UNAVAILABLE,
                        new ErrorBody("too_many_streams", e.getMessage(), 503))
                .type(MediaType.APPLICATION_JSON_TYPE).header("Retry-After", "10").build();
    }

    static RestResponse<ErrorBody> json(RestResponse.Status status, ErrorBody body) {
        return RestResponse.ResponseBuilder.create(status, body).type(MediaType.APPLICATION_JSON_TYPE).build();
    }
}
