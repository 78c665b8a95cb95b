package io.sightline.history.rest;

import io.sightline.history.live.LiveCaptionFeed;
import io.smallrye.mutiny.Multi;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.util.Map;
import java.util.OptionalLong;

/** Captions as they are stored, as Server-Sent Events (the gateway's {@code GET /api/v1/captions/stream}). */
@Path("/api/v1/history/captions/stream")
@Tag(name = "history")
public class LiveCaptionResource {

    private final LiveCaptionFeed feed;

    LiveCaptionResource(LiveCaptionFeed feed) {
        this.feed = feed;
    }

    @GET
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @Operation(summary = "Live captions as they are stored",
            description = "Events named 'caption' carry a caption as JSON, with the caption's sequence number as event id; "
                    + "'heartbeat' events keep the connection open. A client that reconnects with Last-Event-ID first gets "
                    + "the captions stored after that id (at most sightline.history.live.replay-limit).")
    public Multi<OutboundSseEvent> stream(@QueryParam("camera") String camera, @HeaderParam("Last-Event-ID") String lastEventId,
                                          @Context Sse sse) {
        return feed.subscribe(Params.camera(camera), lastEventId(lastEventId)).map(item -> {
            if (item instanceof LiveCaptionFeed.Caption c) {
                return sse.newEventBuilder().name("caption").id(Long.toString(c.seq()))
                        .mediaType(MediaType.APPLICATION_JSON_TYPE).data(c.caption()).build();
            }
            LiveCaptionFeed.Heartbeat h = (LiveCaptionFeed.Heartbeat) item;
            return sse.newEventBuilder().name("heartbeat")
                    .mediaType(MediaType.APPLICATION_JSON_TYPE).data(Map.of("at", h.at())).build();
        });
    }

    private static OptionalLong lastEventId(String id) {
        if (id == null || id.isBlank()) {
            return OptionalLong.empty();
        }
        try {
            long seq = Long.parseLong(id.trim());
            if (seq >= 0) {
                return OptionalLong.of(seq);
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new InvalidRequestException("Last-Event-ID must be the id of an event of this stream (a whole number), was '"
                + (id.length() > 40 ? id.substring(0, 40) + "…" : id) + "'");
    }
}
