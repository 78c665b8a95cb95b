package io.sightline.vlm.model;

import io.sightline.common.vlm.VlmClient;
import io.sightline.vlm.queue.PriorityQueue;
import io.smallrye.mutiny.Uni;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** A model addressed by its catalog id: hosted (a llama-server this service starts and stops) or remote. */
public interface ServedModel {

    String id();

    /** {@code local} (a process on this host), {@code kubernetes} (a scaled Deployment), {@code external} or {@code remote}. */
    String placement();

    /** {@code stopped|downloading|starting|ready|stopping|failed}. */
    String state();

    /** Whether it can see: known once the server answered {@code /props} (or its model listing); empty before. */
    Optional<Boolean> vision();

    /** {@code ["text"]} or {@code ["text","image"]}; text only until vision is known. */
    default List<String> modalities() {
        return vision().orElse(false) ? List.of("text", "image") : List.of("text");
    }

    /** Why it cannot be used at all (missing executable or files, offline), empty when it can. */
    Optional<String> unavailableReason();

    /** The last failure (start, crash), for /v1/models and /api/v1/backends. */
    Optional<String> lastFailure();

    /** Completes with the upstream client once the model is ready, starting it (or joining a start) as needed. */
    Uni<VlmClient> ready(String reason);

    /** The model id sent upstream. */
    String upstreamModel();

    PriorityQueue queue();

    /** A request is using the model (blocks idle stop until {@link #release()}). */
    void acquire();

    void release();

    /**
     * How many times the model's server was stopped so far (hosted models; remote ones are never stopped here):
     * a request that sees this change while it is in flight was cut short by a stop, and is told so with a 503.
     */
    default long stops() {
        return 0;
    }

    /** A request's upstream call failed; returns how long callers should wait before retrying when the model is now failed. */
    Optional<Duration> upstreamFailed(Throwable failure);
}
