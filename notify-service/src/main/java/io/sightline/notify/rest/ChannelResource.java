package io.sightline.notify.rest;

import com.fasterxml.jackson.databind.JsonNode;
import io.sightline.notify.channel.Channel;
import io.sightline.notify.channel.ChannelRegistry;
import io.sightline.notify.channel.ChannelValidator;
import io.sightline.notify.channel.ChannelView;
import io.sightline.notify.delivery.Dispatcher;
import io.sightline.notify.sender.Outcome;
import io.smallrye.common.annotation.Blocking;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;

import java.util.List;
import java.util.Map;

/** The delivery channels: every read masks secrets; writes are validated (400 naming the field) and stored durably. */
@Path("/api/v1/notification-channels")
@Produces(MediaType.APPLICATION_JSON)
@Blocking
public class ChannelResource {

    private final ChannelRegistry registry;
    private final ChannelValidator validator;
    private final Dispatcher dispatcher;

    ChannelResource(ChannelRegistry registry, ChannelValidator validator, Dispatcher dispatcher) {
        this.registry = registry;
        this.validator = validator;
        this.dispatcher = dispatcher;
    }

    public record Page(List<ChannelView> channels) {
    }

    @GET
    @Operation(summary = "The configured channels, secrets masked")
    public Page list() {
        return new Page(registry.all().stream().map(ChannelView::of).toList());
    }

    @GET
    @Path("/{name}")
    @Operation(summary = "One channel, secrets masked")
    public ChannelView get(@PathParam("name") String name) {
        return registry.get(name).map(ChannelView::of).orElseThrow(() -> notFound(name));
    }

    @PUT
    @Path("/{name}")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Create or replace a channel: {\"type\":\"webhook|mqtt|ntfy\",\"config\":{...},\"default\":bool}")
    public ChannelView put(@PathParam("name") String name, JsonNode body) {
        Channel channel = validator.validate(name, body, name == null ? java.util.Optional.empty() : registry.get(name),
                System.currentTimeMillis());
        return ChannelView.of(registry.put(channel));
    }

    @DELETE
    @Path("/{name}")
    @Operation(summary = "Delete a channel (pending deliveries to it fail)")
    public Response delete(@PathParam("name") String name) {
        if (!registry.delete(name)) {
            throw notFound(name);
        }
        return Response.noContent().build();
    }

    @POST
    @Path("/{name}/test")
    @Operation(summary = "Send a test notification through the channel now (one attempt, no retry): 200 delivered, 502 not")
    public Response test(@PathParam("name") String name) {
        Channel channel = registry.get(name).orElseThrow(() -> notFound(name));
        Outcome outcome = dispatcher.test(channel);
        boolean ok = outcome.kind() == Outcome.Kind.DELIVERED;
        return Response.status(ok ? 200 : 502).entity(ok
                ? Map.of("channel", name, "delivered", true)
                : Map.of("channel", name, "delivered", false, "error", "delivery_failed", "message", outcome.error(), "status", 502)).build();
    }

    private static NotFoundException notFound(String name) {
        return new NotFoundException("no channel named '" + name + "'");
    }
}
