package io.sightline.notify.rest;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.sightline.common.http.ErrorBody;
import io.sightline.notify.channel.ChannelRegistry;
import io.sightline.notify.channel.InvalidChannelException;
import io.sightline.notify.delivery.StateStore;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import java.util.LinkedHashMap;
import java.util.Map;

/** Every error as common's error body; a refused field also as {@code field}. */
public class ErrorMappers {

    @ServerExceptionMapper
    public Response invalidChannel(InvalidChannelException e) {
        return fieldError(e.field(), e.getMessage());
    }

    @ServerExceptionMapper
    public Response badRequest(BadRequestException e) {
        return fieldError(e.field(), e.getMessage());
    }

    @ServerExceptionMapper
    public Response malformed(JsonProcessingException e) {
        return json(ErrorBody.malformedJson(e));
    }

    @ServerExceptionMapper
    public Response notFound(NotFoundException e) {
        return json(new ErrorBody("not_found", e.getMessage(), 404));
    }

    @ServerExceptionMapper
    public Response unavailable(ChannelRegistry.ChannelStoreUnavailableException e) {
        return json(new ErrorBody("unavailable", e.getMessage(), 503));
    }

    @ServerExceptionMapper
    public Response stateUnavailable(StateStore.StateUnavailableException e) {
        return json(new ErrorBody("unavailable", e.getMessage(), 503));
    }

    private static Response fieldError(String field, String message) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", "invalid_request");
        body.put("message", message);
        body.put("status", 400);
        body.put("field", field);
        return Response.status(400).type(MediaType.APPLICATION_JSON).entity(body).build();
    }

    private static Response json(ErrorBody body) {
        return Response.status(body.status()).type(MediaType.APPLICATION_JSON).entity(body).build();
    }
}
