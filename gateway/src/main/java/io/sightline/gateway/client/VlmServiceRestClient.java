package io.sightline.gateway.client;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.client.SseEvent;

/** vlm-service's model and queue API (built with its root URL from {@code sightline.gateway.vlm.base-url}, see {@link VlmServiceClient}). */
interface VlmServiceRestClient {

    @GET
    @Path("/v1/models")
    Uni<Response> models();

    @GET
    @Path("/api/v1/models/{id}")
    Uni<Response> model(@PathParam("id") String id);

    @GET
    @Path("/api/v1/models/{id}/events")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    Multi<SseEvent<String>> events(@PathParam("id") String id);

    @POST
    @Path("/api/v1/models/{id}/start")
    Uni<Response> start(@PathParam("id") String id);

    @POST
    @Path("/api/v1/models/{id}/stop")
    Uni<Response> stop(@PathParam("id") String id);

    @GET
    @Path("/api/v1/queue")
    Uni<Response> queue();
}
