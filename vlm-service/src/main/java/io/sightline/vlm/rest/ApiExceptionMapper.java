package io.sightline.vlm.rest;

import io.sightline.vlm.service.ApiException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** An {@link ApiException} from a REST resource as the same OpenAI-shaped error the chat route answers, with Retry-After. */
class ApiExceptionMapper {

    @ServerExceptionMapper
    Response map(ApiException e) {
        Response.ResponseBuilder response = Response.status(e.status()).type(MediaType.APPLICATION_JSON_TYPE).entity(e.toJson());
        e.retryAfter().ifPresent(d -> response.header("Retry-After", Long.toString(Math.max(1, (d.toMillis() + 999) / 1000))));
        return response.build();
    }
}
