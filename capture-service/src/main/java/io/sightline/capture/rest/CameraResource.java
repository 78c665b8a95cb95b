package io.sightline.capture.rest;

import io.sightline.capture.camera.CameraSpec;
import io.sightline.capture.service.CameraRegistry;
import io.sightline.capture.service.CameraView;
import io.sightline.capture.service.CaptureRejection;
import io.smallrye.common.annotation.Blocking;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.util.List;

/** Cameras of this instance: list and inspect (open on the internal network), add/replace/remove (token). */
@Path("/api/v1/cameras")
@Produces(MediaType.APPLICATION_JSON)
@Blocking
public class CameraResource {

    private final CameraRegistry cameras;

    CameraResource(CameraRegistry cameras) {
        this.cameras = cameras;
    }

    @GET
    public List<CameraView> list() {
        return cameras.list();
    }

    @GET
    @Path("/{id}")
    public CameraView get(@PathParam("id") String id) {
        return cameras.get(id).orElseThrow(() -> CaptureRejection.notFound("camera '" + id + "' is not registered"));
    }

    @PUT
    @Path("/{id}")
    @Consumes(MediaType.APPLICATION_JSON)
    public Response put(@PathParam("id") String id, CameraSpec body) {
        boolean created = cameras.put(id, body);
        return Response.status(created ? Response.Status.CREATED : Response.Status.OK).entity(get(id)).build();
    }

    @DELETE
    @Path("/{id}")
    public Response delete(@PathParam("id") String id) {
        if (!cameras.delete(id)) {
            throw CaptureRejection.notFound("camera '" + id + "' is not registered");
        }
        return Response.noContent().build();
    }
}
