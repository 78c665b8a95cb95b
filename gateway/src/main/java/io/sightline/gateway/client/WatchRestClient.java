package io.sightline.gateway.client;

import com.fasterxml.jackson.databind.JsonNode;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.rest.client.annotation.RegisterProvider;
import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;
import org.jboss.resteasy.reactive.client.SseEvent;

/** watch-service's internal API: watch jobs. */
@RegisterRestClient(configKey = "watch")
@RegisterProvider(InternalTokenFilter.class)
interface WatchRestClient {

    @POST
    @Path("/api/v1/watch")
    @Consumes(MediaType.APPLICATION_JSON)
    Uni<Response> createWatch(JsonNode body);

    @GET
    @Path("/api/v1/watch")
    Uni<Response> listWatch(@QueryParam("camera") String camera, @QueryParam("status") String status);

    @GET
    @Path("/api/v1/watch/{id}")
    Uni<Response> getWatch(@PathParam("id") String id);

    @DELETE
    @Path("/api/v1/watch/{id}")
    Uni<Response> cancelWatch(@PathParam("id") String id);

    @GET
    @Path("/api/v1/watch/events")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    Multi<SseEvent<String>> watchEvents(@QueryParam("camera") String camera);

    @GET
    @Path("/api/v1/watch/{id}/events")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    Multi<SseEvent<String>> watchJobEvents(@PathParam("id") String id);

    @GET
    @Path("/q/health/ready")
    Uni<Response> ready();
}
