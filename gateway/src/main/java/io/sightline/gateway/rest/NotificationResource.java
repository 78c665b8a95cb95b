package io.sightline.gateway.rest;

import com.fasterxml.jackson.databind.JsonNode;
import io.sightline.gateway.client.NotifyClient;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * Notifications and their delivery channels, from notify-service: reads need role viewer, channel changes and
 * channel tests admin (AccessPolicy's defaults for unlisted reads and writes). notify-service validates (400
 * naming the field) and its answers pass through; channel reads are masked once more on the way out.
 */
@Path("/api/v1")
@Tag(name = "notifications")
@SecurityRequirement(name = "apiKey")
@Produces(MediaType.APPLICATION_JSON)
public class NotificationResource {

    private final NotifyClient notify;

    NotificationResource(NotifyClient notify) {
        this.notify = notify;
    }

    @GET
    @Path("/notifications")
    @Operation(summary = "Notifications, newest first, with their delivery per channel (role viewer)",
            description = "job filters to one watch job; limit 1-500 (default 50). state: pending, delivered or failed.")
    public Uni<Response> notifications(@QueryParam("job") String job, @QueryParam("limit") String limit) {
        return notify.notifications(job, limit).map(r -> Passthrough.json(r, NotifyClient.SERVICE));
    }

    @GET
    @Path("/notification-channels")
    @Operation(summary = "Delivery channels (webhook, mqtt, ntfy), secrets masked (role viewer)")
    public Uni<Response> channels() {
        return notify.channels().map(r -> Passthrough.masked(r, NotifyClient.SERVICE));
    }

    @PUT
    @Path("/notification-channels/{name}")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Create or replace a delivery channel (role admin)",
            description = "Body {\"type\":\"webhook|mqtt|ntfy\",\"config\":{...},\"default\":bool}; 400 names the field at fault. "
                    + "A secret given as *** keeps the stored one.")
    public Uni<Response> put(@PathParam("name") String name, JsonNode body) {
        return notify.putChannel(Passthrough.id(name, "channel name"), body).map(r -> Passthrough.masked(r, NotifyClient.SERVICE));
    }

    @DELETE
    @Path("/notification-channels/{name}")
    @Operation(summary = "Delete a delivery channel (role admin)")
    public Uni<Response> delete(@PathParam("name") String name) {
        return notify.deleteChannel(Passthrough.id(name, "channel name")).map(r -> Passthrough.json(r, NotifyClient.SERVICE));
    }

    @POST
    @Path("/notification-channels/{name}/test")
    @Operation(summary = "Send a test notification through a channel now (role admin): 200 delivered, 502 with the error")
    public Uni<Response> test(@PathParam("name") String name) {
        return notify.testChannel(Passthrough.id(name, "channel name")).map(r -> Passthrough.json(r, NotifyClient.SERVICE));
    }
}
