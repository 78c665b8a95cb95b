package io.sightline.fallback.rest;

import io.sightline.common.http.ErrorBody;
import io.sightline.common.frame.CapturedFrame;
import io.sightline.latest.LatestFrameCache;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.MediaType;
import org.jboss.resteasy.reactive.RestResponse;

import java.util.Optional;

/** {@code GET /api/v1/cameras/{camera}/frame.jpg}: the latest cached frame (re-encoded JPEG), for the gateway to proxy. */
@Path("/api/v1/cameras/{camera}/frame.jpg")
public class CameraFrameResource {

    private final LatestFrameCache cache;

    CameraFrameResource(LatestFrameCache cache) {
        this.cache = cache;
    }

    @GET
    public RestResponse<Object> latestFrame(@PathParam("camera") String camera) {
        Optional<CapturedFrame> frame = cache.frame(camera);
        if (frame.isEmpty()) {
            String message = cache.knows(camera)
                    ? "no frame of camera '" + camera + "' within the last " + cache.frameTtlMs() / 1000 + " s"
                    : "camera '" + camera + "' is unknown";
            return RestResponse.ResponseBuilder.create(RestResponse.Status.NOT_FOUND, (Object) new ErrorBody(
                    cache.knows(camera) ? "no_frame" : "unknown_camera", message, 404)).type(MediaType.APPLICATION_JSON_TYPE).build();
        }
        CapturedFrame f = frame.get();
        return RestResponse.ResponseBuilder.ok((Object) f.image(), f.contentType())
                .header("Cache-Control", "no-store")
                .header("X-Frame-Id", f.frameId().toString())
                .header("X-Captured-At", Long.toString(f.capturedAt()))
                .header("X-Frame-Width", Integer.toString(f.width()))
                .header("X-Frame-Height", Integer.toString(f.height()))
                .build();
    }
}
