package io.sightline.gateway.rest;

import io.sightline.gateway.client.HistoryClient;
import io.sightline.gateway.config.GatewayConfig;
import io.sightline.gateway.error.GatewayException;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.Optional;

/** Captions from history-service (PostgreSQL): history, and the live stream of what it stores. */
@Path("/api/v1/captions")
@Tag(name = "captions")
@SecurityRequirement(name = "apiKey")
public class CaptionResource {

    private final HistoryClient history;
    private final GatewayConfig.Captions config;

    CaptionResource(HistoryClient history, GatewayConfig config) {
        this.history = history;
        this.config = config.captions();
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Caption history, newest first (role viewer)",
            description = "Read from history-service (each camera's retention, default 30 days, is the history window). "
                    + "since/until: ISO-8601 (2026-05-01T12:00:00Z) or epoch milliseconds, inclusive; the time of a "
                    + "caption is when its frame was captured.")
    public Uni<Response> list(
            @Parameter(description = "only this camera") @QueryParam("camera") String camera,
            @Parameter(description = "oldest caption time (inclusive)") @QueryParam("since") String since,
            @Parameter(description = "newest caption time (inclusive)") @QueryParam("until") String until,
            @Parameter(description = "at most this many (default 50, max 500)") @QueryParam("limit") String limit) {
        Optional<String> cam = Optional.ofNullable(camera).filter(c -> !c.isBlank()).map(c -> Passthrough.id(c, "camera"));
        Optional<Instant> from = parseTime(since, "since");
        Optional<Instant> to = parseTime(until, "until");
        if (from.isPresent() && to.isPresent() && from.get().isAfter(to.get())) {
            throw GatewayException.badRequest("since (" + from.get() + ") is after until (" + to.get() + ")");
        }
        return history.captions(cam.orElse(null), from.map(Instant::toEpochMilli).orElse(null),
                        to.map(Instant::toEpochMilli).orElse(null), parseLimit(limit))
                .map(r -> Passthrough.json(r, HistoryClient.SERVICE));
    }

    @GET
    @Path("/stream")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @Operation(summary = "Live captions as Server-Sent Events (role viewer)",
            description = "Captions as history-service stores them. Events named 'caption' carry a caption as JSON with a "
                    + "sequence number as event id; 'heartbeat' events keep the connection open. Reconnecting with "
                    + "Last-Event-ID (browsers' EventSource do) first delivers what was stored since.")
    public Multi<OutboundSseEvent> stream(@QueryParam("camera") String camera, @HeaderParam("Last-Event-ID") String lastEventId,
                                          @Context Sse sse) {
        String cam = Optional.ofNullable(camera).filter(c -> !c.isBlank()).map(c -> Passthrough.id(c, "camera")).orElse(null);
        String after = Optional.ofNullable(lastEventId).map(String::trim).filter(id -> !id.isEmpty()).orElse(null);
        if (after != null && !after.matches("[0-9]{1,19}")) {
            throw GatewayException.badRequest("Last-Event-ID must be the id of an event of this stream (a whole number)");
        }
        return Passthrough.sse(history.captionStream(cam, after), sse);
    }

    private int parseLimit(String limit) {
        if (limit == null || limit.isBlank()) {
            return config.defaultLimit();
        }
        try {
            int value = Integer.parseInt(limit.trim());
            if (value >= 1 && value <= config.maxLimit()) {
                return value;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw GatewayException.badRequest("limit must be a whole number from 1 to " + config.maxLimit());
    }

    static Optional<Instant> parseTime(String text, String name) {
        if (text == null || text.isBlank()) {
            return Optional.empty();
        }
        String value = text.trim();
        try {
            if (value.chars().allMatch(Character::isDigit)) {
                return Optional.of(Instant.ofEpochMilli(Long.parseLong(value)));
            }
            try {
                return Optional.of(Instant.parse(value));
            } catch (DateTimeParseException e) {
                return Optional.of(OffsetDateTime.parse(value).toInstant());
            }
        } catch (DateTimeParseException | NumberFormatException e) {
            throw GatewayException.badRequest(name + " must be ISO-8601 (e.g. 2026-05-01T12:00:00Z) or epoch milliseconds, was '"
                    + (value.length() > 40 ? value.substring(0, 40) + "..." : value) + "'");
        }
    }
}
