package io.sightline.gateway.client;

import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.rest.client.annotation.RegisterProvider;
import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;

/** fallback-service's internal API: latest frames and readiness. */
@RegisterRestClient(configKey = "fallback")
@RegisterProvider(InternalTokenFilter.class)
interface FallbackRestClient {

    @GET
    @Path("/api/v1/cameras/{camera}/frame.jpg")
    @Produces({"image/jpeg", MediaType.APPLICATION_JSON})
    Uni<Response> frame(@PathParam("camera") String camera);

    @GET
    @Path("/q/health/ready")
    Uni<Response> ready();
}
