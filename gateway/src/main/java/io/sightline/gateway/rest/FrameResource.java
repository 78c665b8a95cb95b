package io.sightline.gateway.rest;

import io.sightline.gateway.client.CaptureClient;
import io.sightline.gateway.error.GatewayException;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** Frames pushed by screen-capture agents and other producers, handed to capture-service. */
@Path("/api/v1/frames")
@Tag(name = "frames")
@SecurityRequirement(name = "apiKey")
public class FrameResource {

    private final CaptureClient capture;

    FrameResource(CaptureClient capture) {
        this.capture = capture;
    }

    @POST
    @Path("/{camera}")
    @Consumes({"image/jpeg", "image/jpg", "image/png"})
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Push one frame for a camera (role operator)",
            description = "JPEG or PNG body; optional X-Captured-At (ISO-8601 or epoch ms) and X-Source: screen; Idempotency-Key makes a retry after a 503 carry the same frame id. 202 once Kafka has it.")
    public Uni<Response> push(@PathParam("camera") String camera, byte[] image,
            @HeaderParam("Content-Type") String contentType,
            @HeaderParam("X-Captured-At") String capturedAt,
            @HeaderParam("X-Source") String source,
            @HeaderParam("Idempotency-Key") String idempotencyKey) {
        Passthrough.id(camera, "camera");
        if (image == null || image.length == 0) {
            throw GatewayException.badRequest("the body is empty; send the image bytes");
        }
        return capture.pushFrame(camera, image, contentType, capturedAt, source, idempotencyKey)
                .map(r -> Passthrough.json(r, CaptureClient.SERVICE));
    }
}
