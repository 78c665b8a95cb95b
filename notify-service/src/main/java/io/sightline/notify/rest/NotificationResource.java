package io.sightline.notify.rest;

import io.sightline.notify.delivery.Dispatcher;
import io.sightline.notify.delivery.StateStore;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;

/** Delivery state of notifications, newest first: {@code ?job=<id>&limit=<1..500, default 50>}. */
@Path("/api/v1/notifications")
@Produces(MediaType.APPLICATION_JSON)
public class NotificationResource {

    private final StateStore store;
    private final Dispatcher dispatcher;

    NotificationResource(StateStore store, Dispatcher dispatcher) {
        this.store = store;
        this.dispatcher = dispatcher;
    }

    @GET
    @Operation(summary = "Notifications and their delivery per channel (pending, delivered, failed), newest first")
    public NotificationView.Page list(@QueryParam("job") String job, @QueryParam("limit") String limit) {
        int n = 50;
        if (limit != null) {
            try {
                n = Integer.parseInt(limit.strip());
            } catch (NumberFormatException e) {
                throw new BadRequestException("limit", "must be an integer from 1 to 500");
            }
            if (n < 1 || n > 500) {
                throw new BadRequestException("limit", "must be an integer from 1 to 500");
            }
        }
        if (job != null && (job.isBlank() || job.length() > 200)) {
            throw new BadRequestException("job", "must be a job id");
        }
        return new NotificationView.Page(store.list(job, n).stream()
                .map(s -> NotificationView.of(s, dispatcher.thumbnailOf(s.notification()))).toList());
    }
}
