package io.sightline.gateway.rest;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.sightline.common.vlm.Priority;
import io.sightline.common.vlm.parse.PointCommand;
import io.sightline.common.vlm.parse.VlmResponseParser;
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

    /**
     * A "where is ...?" question answered by the VLM gets the point the model named, read by common's one VLM response
     * parser, as {@code point: {x, y}} in 0-1 of the frame (the console draws it on the evidence frame).
     */
    static com.fasterxml.jackson.databind.JsonNode withPoint(String question, com.fasterxml.jackson.databind.JsonNode node) {
        if (!(node instanceof com.fasterxml.jackson.databind.node.ObjectNode answer) || question == null
                || !WHERE.matcher(question).find() || !answer.path("response_mode").asText().startsWith("vlm")) {
            return node;
        }
        PointCommand parsed = VlmResponseParser.parsePoint(answer.path("answer").asText(""));
        if (parsed.kind() == PointCommand.Kind.CLICK && parsed.point().isPresent()) {
            com.fasterxml.jackson.databind.node.ObjectNode point = answer.putObject("point");
            point.put("x", parsed.point().get().x() / 1000.0);
            point.put("y", parsed.point().get().y() / 1000.0);
            point.put("rule", parsed.reason());
        }
        return answer;
    }

    private static final java.util.regex.Pattern WHERE = java.util.regex.Pattern.compile("(?i)^\\s*where\\b");

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Ask a question about a camera (role operator)",
            description = "Answered from what the pipeline saw (template) or by the VLM with the latest frame. "
                    + "Response: {answer, query_type, response_mode, confidence, decision_reason, frame:{id,captured_at,age_ms}|null, backend, processing_time_ms}.")
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
            Response answer = Passthrough.json(r, FallbackClient.SERVICE, node -> withPoint(request.query(), node));
            return Response.fromResponse(answer).header("X-Sightline-Priority", Priority.fromLevel(level).name())
                    .header("X-Sightline-Priority-Class", PriorityClass.ofLevel(level).wireName()).build();
        });
    }
}
