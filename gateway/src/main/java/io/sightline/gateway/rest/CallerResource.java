package io.sightline.gateway.rest;

import io.sightline.gateway.security.ApiKey;
import io.vertx.ext.web.RoutingContext;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** Lets a caller check which key it is using and what it may do. */
@Path("/api/v1/me")
@Tag(name = "security")
@SecurityRequirement(name = "apiKey")
public class CallerResource {

    /** The caller: key fingerprint (never the key), role, whether it is held to batch priority, its priority entitlement. */
    public record Caller(String key_id, String role, boolean batch, String max_priority) {
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "The calling key's fingerprint, role and batch flag (role viewer)")
    public Caller me(@Context RoutingContext ctx) {
        ApiKey key = ctx.get(ApiKey.ATTRIBUTE);
        return new Caller(key.id(), key.role().wireName(), key.batch(), key.maxPriority().wireName());
    }
}
