package io.sightline.vlm.service;

import io.quarkus.logging.Log;
import io.sightline.vlm.lifecycle.HostedModel;
import io.sightline.vlm.model.ModelUnavailableException;
import io.sightline.vlm.model.ServedModel;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Start and stop of a hosted model on request ({@code POST /api/v1/models/{id}/start|stop}), through the same
 * {@link HostedModel} lifecycle a first request and the idle stop use: a start is shared with any start in
 * progress and never waited for here; a stop publishes {@code vlm_caption.stop} then {@code stopped}.
 */
@ApplicationScoped
public class HostedModelControl {

    /** What a start or stop request did: {@code begun} false when there was nothing to do (already ready / stopped). */
    public record Outcome(HostedModel model, boolean begun) {
    }

    private final ModelRegistry models;

    HostedModelControl(ModelRegistry models) {
        this.models = models;
    }

    /** Starts the model (or joins its start) and returns at once; 503 when it cannot be started now. */
    public Outcome start(String id) {
        HostedModel model = hosted(id);
        if (model.state().equals("ready")) {
            return new Outcome(model, false);
        }
        CompletableFuture<?> start = model.startNow("start requested through POST /api/v1/models/" + id + "/start")
                .toCompletableFuture();
        if (start.isCompletedExceptionally()) {
            Throwable cause = start.handle((v, e) -> e instanceof CompletionException && e.getCause() != null ? e.getCause() : e).join();
            Duration retry = cause instanceof ModelUnavailableException u ? u.retryAfter().orElse(null) : null;
            throw new ApiException(503, "model_unavailable", cause.getMessage(), retry == null ? Duration.ofSeconds(5) : retry, null, cause);
        }
        start.whenComplete((c, e) -> {
            if (e != null) {
                Log.warnf("Start of model %s requested through the API failed: %s", id, e.getMessage());
            }
        });
        return new Outcome(model, true);
    }

    /** Stops the model the way the idle stop does and returns at once; nothing to do for a stopped model. */
    public Outcome stop(String id) {
        HostedModel model = hosted(id);
        if (!model.stoppable()) {
            return new Outcome(model, false);
        }
        model.stop("stop requested through POST /api/v1/models/" + id + "/stop").subscribe().with(v -> { },
                e -> Log.warnf("Stop of model %s requested through the API failed: %s", id, e.getMessage()));
        return new Outcome(model, true);
    }

    /** The hosted model by id: 404 with the list for an unknown id, 409 for a remote model (nothing to start here). */
    public HostedModel hosted(String id) {
        ServedModel model = models.model(id).orElseThrow(() -> {
            List<String> known = models.models().stream().map(ServedModel::id).toList();
            return new ApiException(404, "model_not_found", "model '" + id + "' does not exist; known models: " + known, null, known, null);
        });
        if (model instanceof HostedModel hosted) {
            return hosted;
        }
        throw new ApiException(409, "model_not_hosted", "model '" + model.id() + "' is a remote endpoint ("
                + model.placement() + "): vlm-service does not host it, so it cannot be started or stopped here", null, null, null);
    }
}
