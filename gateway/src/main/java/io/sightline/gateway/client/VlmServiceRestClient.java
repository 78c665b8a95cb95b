package io.sightline.gateway.client;

import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.rest.client.annotation.RegisterProvider;
import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;

/** vlm-service's read-only status API: model states (with download progress) and the priority queue. */
@RegisterRestClient(configKey = "vlm-service")
@RegisterProvider(InternalTokenFilter.class)
interface VlmServiceRestClient {

    @GET
    @Path("/v1/models")
    Uni<Response> models();

    @GET
    @Path("/api/v1/queue")
    Uni<Response> queue();
}
