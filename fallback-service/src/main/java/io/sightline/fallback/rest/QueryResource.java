package io.sightline.fallback.rest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sightline.fallback.config.FallbackConfig;
import io.sightline.fallback.query.QueryEvent;
import io.smallrye.mutiny.Multi;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;
import java.util.Map;
import io.sightline.fallback.query.QueryAnswer;
import io.sightline.fallback.query.QueryService;
import io.sightline.fallback.query.QueryStats;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Uni;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.RestResponse;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** {@code POST /api/v1/query}: answers a question about a camera (internal; the gateway calls it). */
@Path("/api/v1/query")
public class QueryResource {

    private final QueryService service;
    private final QueryStats stats;
    private final int maxQueryLength;
    private final ObjectMapper json;

    QueryResource(QueryService service, QueryStats stats, FallbackConfig config, ObjectMapper json) {
        this.service = service;
        this.json = json;
        this.stats = stats;
        this.maxQueryLength = config.maxQueryLength();
    }

    /** Blocking because classification runs ONNX inference; the VLM wait itself holds no thread. */
    @POST
    @Blocking
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public Uni<RestResponse<QueryResponse>> query(@NotNull(message = "a JSON body {camera, query} is required") @Valid QueryRequest request) {
        if (request.query().length() > maxQueryLength) {
            throw new InvalidRequestException("query is longer than " + maxQueryLength + " characters");
        }
        return service.answer(request.camera().strip(), request.query().strip(), request.confidence(), request.includeImageOrDefault())
                .map(QueryResource::toResponse);
    }

    /**
     * The same question answered as Server-Sent Events ({@code Accept: text/event-stream}): {@code token} events
     * ({@code {"text": "..."}}) while the VLM generates, then one {@code answer} event with exactly the body the
     * JSON route returns, or one {@code error} event with its error body. Refusals (400, 401, 404) are JSON
     * answers as on the JSON route, before any event.
     */
    @POST
    @Blocking
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.SERVER_SENT_EVENTS)
    public Multi<OutboundSseEvent> stream(@NotNull(message = "a JSON body {camera, query} is required") @Valid QueryRequest request,
                                          @Context Sse sse) {
        if (request.query().length() > maxQueryLength) {
            throw new InvalidRequestException("query is longer than " + maxQueryLength + " characters");
        }
        return service.stream(request.camera().strip(), request.query().strip(), request.confidence(), request.includeImageOrDefault())
                .map(event -> {
                    if (event instanceof QueryEvent.Token t) {
                        return event(sse, "token", Map.of("text", t.text()));
                    }
                    QueryAnswer answer = ((QueryEvent.Answered) event).answer();
                    return event(sse, answer.failure().isPresent() ? "error" : "answer", QueryResponse.of(answer));
                });
    }

    private OutboundSseEvent event(Sse sse, String name, Object body) {
        try {
            return sse.newEventBuilder().name(name).mediaType(MediaType.TEXT_PLAIN_TYPE).data(json.writeValueAsString(body)).build();
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("an answer could not be written as JSON", e);
        }
    }

    private static RestResponse<QueryResponse> toResponse(QueryAnswer answer) {
        if (answer.failure().isEmpty()) {
            return RestResponse.ok(QueryResponse.of(answer));
        }
        QueryAnswer.Failure failure = answer.failure().get();
        RestResponse.ResponseBuilder<QueryResponse> builder = RestResponse.ResponseBuilder
                .<QueryResponse>create(failure.httpStatus()).entity(QueryResponse.of(answer));
        failure.retryAfter().ifPresent(d -> builder.header("Retry-After", Long.toString(Math.max(1, (d.toMillis() + 999) / 1000))));
        return builder.build();
    }
}
