package io.sightline.gateway.client;

import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.rest.client.annotation.RegisterProvider;
import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;

/** caption-service's backend status API. */
@RegisterRestClient(configKey = "caption")
@RegisterProvider(InternalTokenFilter.class)
interface CaptionRestClient {

    @GET
    @Path("/api/v1/backends")
    Uni<Response> backends();

    @GET
    @Path("/q/health/ready")
    Uni<Response> ready();
}
