package io.sightline.gateway.client;

import com.fasterxml.jackson.databind.JsonNode;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.rest.client.annotation.RegisterProvider;
import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;

/** notify-service's internal API: notifications with their delivery state, delivery channels. */
@RegisterRestClient(configKey = "notify")
@RegisterProvider(InternalTokenFilter.class)
interface NotifyRestClient {

    @GET
    @Path("/api/v1/notifications")
    Uni<Response> notifications(@QueryParam("job") String job, @QueryParam("limit") String limit);

    @GET
    @Path("/api/v1/notification-channels")
    Uni<Response> channels();

    @PUT
    @Path("/api/v1/notification-channels/{name}")
    @Consumes(MediaType.APPLICATION_JSON)
    Uni<Response> putChannel(@PathParam("name") String name, JsonNode body);

    @DELETE
    @Path("/api/v1/notification-channels/{name}")
    Uni<Response> deleteChannel(@PathParam("name") String name);

    @POST
    @Path("/api/v1/notification-channels/{name}/test")
    Uni<Response> testChannel(@PathParam("name") String name);

    @GET
    @Path("/q/health/ready")
    Uni<Response> ready();
}
