package io.sightline.gateway.rest;

import com.fasterxml.jackson.databind.JsonNode;
import io.sightline.gateway.client.CaptureClient;
import io.sightline.gateway.client.FallbackClient;
import io.sightline.gateway.error.ApiError;
import io.sightline.gateway.error.GatewayException;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** Cameras as capture-service knows them; credentials in source URLs are masked on the way out. */
@Path("/api/v1/cameras")
@Tag(name = "cameras")
@SecurityRequirement(name = "apiKey")
public class CameraResource {

    private final CaptureClient capture;
    private final FallbackClient fallback;

    CameraResource(CaptureClient capture, FallbackClient fallback) {
        this.capture = capture;
        this.fallback = fallback;
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "All cameras with their state (role viewer)")
    public Uni<Response> list() {
        return capture.cameras().map(r -> Passthrough.masked(r, CaptureClient.SERVICE));
    }

    @GET
    @Path("/{id}")
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "One camera with its state (role viewer)")
    public Uni<Response> get(@PathParam("id") String id) {
        return capture.camera(Passthrough.id(id, "camera id")).map(r -> Passthrough.masked(r, CaptureClient.SERVICE));
    }

    @PUT
    @Path("/{id}")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Create or replace a camera (role admin)", description = "Body as capture-service defines it; passed through.")
    public Uni<Response> put(@PathParam("id") String id, JsonNode body) {
        Passthrough.id(id, "camera id");
        if (body == null || !body.isObject()) {
            throw GatewayException.badRequest("the body must be a JSON object describing the camera");
        }
        return capture.putCamera(id, body).map(r -> Passthrough.masked(r, CaptureClient.SERVICE));
    }

    @DELETE
    @Path("/{id}")
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Remove a camera (role admin)")
    public Uni<Response> delete(@PathParam("id") String id) {
        return capture.deleteCamera(Passthrough.id(id, "camera id")).map(r -> Passthrough.masked(r, CaptureClient.SERVICE));
    }

    @GET
    @Path("/{id}/frame.jpg")
    @Produces({"image/jpeg", MediaType.APPLICATION_JSON})
    @Operation(summary = "The latest frame of a camera as JPEG (role viewer)")
    public Uni<Response> frame(@PathParam("id") String id) {
        return fallback.frame(Passthrough.id(id, "camera id")).map(r -> {
            if (r.status() == 200 && r.contentType() != null && r.contentType().startsWith("image/")) {
                return Response.ok(r.body(), r.contentType()).build();
            }
            if (r.status() == 200) {
                return Passthrough.error(new ApiError("bad_gateway", FallbackClient.SERVICE + " answered " + r.contentType()
                        + " where an image was expected", 502));
            }
            if (r.status() == 404 && !r.isJson()) {
                return Passthrough.error(new ApiError("not_found", "no frame for camera '" + id + "'", 404));
            }
            return Passthrough.json(r, FallbackClient.SERVICE);
        });
    }
}
