package io.sightline.vlm.rest;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.ValueAtPercentile;
import io.sightline.common.vlm.Priority;
import io.sightline.vlm.model.ServedModel;
import io.sightline.vlm.queue.PriorityQueue;
import io.sightline.vlm.service.ModelRegistry;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** {@code GET /api/v1/queue}: per model, slots and in-flight, and per class depth, wait p50/p99, service time, rejections. */
@Path("/api/v1/queue")
@Produces(MediaType.APPLICATION_JSON)
public class QueueResource {

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record ClassView(int depth, long served, double waitP50Ms, double waitP99Ms, double serviceMeanMs, long rejected) {
    }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record ModelQueue(String model, String state, int slots, int inFlight, long completed, long rejected,
                             Map<String, ClassView> classes) {
    }

    private final ModelRegistry models;
    private final io.micrometer.core.instrument.MeterRegistry registry;

    QueueResource(ModelRegistry models, io.micrometer.core.instrument.MeterRegistry registry) {
        this.models = models;
        this.registry = registry;
    }

    @GET
    @Operation(summary = "The priority queue of every model: depth, wait p50/p99, service time and rejections per class")
    public List<ModelQueue> queues() {
        return models.models().stream().map(this::view).toList();
    }

    private ModelQueue view(ServedModel model) {
        PriorityQueue.Snapshot snapshot = model.queue().snapshot();
        Map<String, ClassView> classes = new LinkedHashMap<>();
        for (Priority c : Priority.values()) {
            Timer wait = models.waitTimer(model.id(), c);
            Timer service = models.serviceTimer(model.id(), c);
            var waitSnapshot = wait.takeSnapshot();
            double p50 = 0;
            double p99 = 0;
            for (ValueAtPercentile v : waitSnapshot.percentileValues()) {
                if (v.percentile() == 0.5) {
                    p50 = v.value(TimeUnit.MILLISECONDS);
                } else if (v.percentile() == 0.99) {
                    p99 = v.value(TimeUnit.MILLISECONDS);
                }
            }
            double rejected = registry.get("sightline.vlm.queue.rejected").tags("model", model.id(), "class", c.id()).counter().count();
            classes.put(c.id(), new ClassView(snapshot.waiting().get(c), wait.count(), p50, p99, service.mean(TimeUnit.MILLISECONDS),
                    (long) rejected));
        }
        return new ModelQueue(model.id(), model.state(), snapshot.slots(), snapshot.inFlight(), snapshot.completed(),
                snapshot.rejected(), classes);
    }
}
