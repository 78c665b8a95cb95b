package io.sightline.gateway.rest;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.sightline.common.vlm.Priority;
import io.sightline.gateway.client.FallbackClient;
import io.sightline.gateway.security.ApiKey;
import io.sightline.gateway.security.PriorityClass;
import io.vertx.ext.web.RoutingContext;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import io.smallrye.mutiny.Uni;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

@Path("/api/v1/query")
@Tag(name = "query")
@SecurityRequirement(name = "apiKey")
public class QueryResource {

    private final FallbackClient fallback;
    private final ObjectMapper json;

    QueryResource(FallbackClient fallback, ObjectMapper json) {
        this.fallback = fallback;
        this.json = json;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Ask a question about a camera (role operator)",
            description = "Answered from what the pipeline saw (template) or by the VLM with the latest frame. "
                    + "Response: {answer, query_type, response_mode, confidence, decision_reason, frame:{id,captured_at,age_ms}|null, backend, processing_time_ms}, "
                    + "and for a \"where is ...?\" question the VLM answered, point:{x,y,rule} and box:{x,y,width,height,label,rule} in 0-1 of the frame. "
                    + "With Accept: text/event-stream the answer is streamed as Server-Sent Events: token {text} while the VLM generates, "
                    + "then one answer (the same body) or error event.")
    @APIResponse(responseCode = "200", description = "The answer")
    @APIResponse(responseCode = "404", description = "Unknown camera")
    @APIResponse(responseCode = "502", description = "The VLM failed")
    @APIResponse(responseCode = "503", description = "fallback-service is down")
    @APIResponse(responseCode = "504", description = "The VLM did not answer in time")
    public Uni<Response> query(@Valid @NotNull(message = "a JSON body {camera, query} is required") QueryRequest request,
                               @HeaderParam("X-Priority") String priorityHeader, @QueryParam("priority") String priorityParam,
                               @Context RoutingContext ctx) {
        Passthrough.id(request.camera(), "camera");
        // the caller may lower its priority, never raise it above its key's entitlement
        int level = PriorityClass.effectiveLevel(priorityParam, priorityHeader, ctx.get(ApiKey.ATTRIBUTE));
        return fallback.query(json.valueToTree(request), level).map(r -> {
            // a "where is ...?" answer carries fallback-service's point and box (0-1 of the frame), passed on as they are
            Response answer = Passthrough.json(r, FallbackClient.SERVICE);
            return Response.fromResponse(answer).header("X-Sightline-Priority", Priority.fromLevel(level).name())
                    .header("X-Sightline-Priority-Class", PriorityClass.ofLevel(level).wireName()).build();
        });
    }
}
