package io.sightline.gateway.client;

import com.fasterxml.jackson.databind.JsonNode;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.rest.client.annotation.RegisterProvider;
import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;

/** capture-service's camera API. */
@RegisterRestClient(configKey = "capture")
@RegisterProvider(InternalTokenFilter.class)
interface CaptureRestClient {

    @GET
    @Path("/api/v1/cameras")
    Uni<Response> cameras();

    @GET
    @Path("/api/v1/cameras/{id}")
    Uni<Response> camera(@PathParam("id") String id);

    @PUT
    @Path("/api/v1/cameras/{id}")
    @Consumes(MediaType.APPLICATION_JSON)
    Uni<Response> putCamera(@PathParam("id") String id, JsonNode body);

    @DELETE
    @Path("/api/v1/cameras/{id}")
    Uni<Response> deleteCamera(@PathParam("id") String id);

    @GET
    @Path("/q/health/ready")
    Uni<Response> ready();
}
