package io.sightline.gateway.client;

import com.fasterxml.jackson.databind.JsonNode;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.rest.client.annotation.RegisterProvider;
import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;

/** fallback-service's internal API: questions, latest frames. */
@RegisterRestClient(configKey = "fallback")
@RegisterProvider(InternalTokenFilter.class)
interface FallbackRestClient {

    @POST
    @Path("/api/v1/query")
    @Consumes(MediaType.APPLICATION_JSON)
    Uni<Response> query(@jakarta.ws.rs.HeaderParam("X-Priority") int priority, JsonNode body);

    @GET
    @Path("/api/v1/cameras/{camera}/frame.jpg")
    @Produces({"image/jpeg", MediaType.APPLICATION_JSON})
    Uni<Response> frame(@PathParam("camera") String camera);

    @GET
    @Path("/q/health/ready")
    Uni<Response> ready();
}
