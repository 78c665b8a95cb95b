package io.sightline.vlm.model;

import io.sightline.common.vlm.VlmClient;
import io.sightline.common.vlm.VlmException;
import io.sightline.vlm.queue.PriorityQueue;
import io.smallrye.mutiny.Uni;

import java.time.Duration;
import java.util.Optional;

/**
 * A remote OpenAI-compatible endpoint (vLLM, Ollama, another llama-server, a cloud API) by base URL and
 * key. Nothing to start: it is {@code ready} while its probe answers, {@code failed} when it does not.
 * Vision from its {@code /props}, else its model listing, else configuration.
 */
public class RemoteModel implements ServedModel {

    private final String id;
    private final VlmClient client;
    private final ServerProbe probe;
    private final PriorityQueue queue;
    private final Optional<String> upstreamModel;
    private final Optional<Boolean> configuredVision;
    private volatile Optional<Boolean> vision = Optional.empty();
    private volatile String discoveredModel;
    private volatile String failure = "not probed yet";
    private volatile boolean probed;

    public RemoteModel(String id, VlmClient client, ServerProbe probe, PriorityQueue queue, Optional<String> upstreamModel,
                       Optional<Boolean> configuredVision) {
        this.id = id;
        this.client = client;
        this.probe = probe;
        this.queue = queue;
        this.upstreamModel = upstreamModel;
        this.configuredVision = configuredVision;
    }

    /** Asks the endpoint what it is; called at startup and periodically. */
    public Uni<Boolean> refresh() {
        return probe.healthy().chain(up -> {
            if (!up) {
                failure = "does not answer at " + client.endpoint().baseUrl();
                probed = true;
                return Uni.createFrom().item(false);
            }
            return probe.props().map(props -> {
                vision = props.vision().or(() -> configuredVision);
                discoveredModel = props.firstModelId().orElse(null);
                props.totalSlots().ifPresent(queue::resize);
                failure = null;
                probed = true;
                return true;
            });
        }).onFailure().recoverWithItem(e -> {
            failure = e.getMessage();
            probed = true;
            return false;
        });
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public String placement() {
        return "remote";
    }

    @Override
    public String state() {
        return !probed ? "starting" : failure == null ? "ready" : "failed";
    }

    @Override
    public Optional<Boolean> vision() {
        return vision.or(() -> configuredVision);
    }

    @Override
    public Optional<String> unavailableReason() {
        return Optional.empty();
    }

    @Override
    public Optional<String> lastFailure() {
        return Optional.ofNullable(failure);
    }

    @Override
    public Uni<VlmClient> ready(String reason) {
        if (probed && failure == null) {
            return Uni.createFrom().item(client);
        }
        return refresh().map(up -> {
            if (!up) {
                throw new ModelUnavailableException(id, failure, Duration.ofSeconds(5), null);
            }
            return client;
        });
    }

    @Override
    public String upstreamModel() {
        return upstreamModel.orElseGet(() -> discoveredModel != null ? discoveredModel : client.endpoint().model());
    }

    @Override
    public PriorityQueue queue() {
        return queue;
    }

    @Override
    public void acquire() {
    }

    @Override
    public void release() {
    }

    @Override
    public Optional<Duration> upstreamFailed(Throwable failure) {
        if (failure instanceof VlmException e && e.kind() == VlmException.Kind.UNAVAILABLE) {
            this.failure = e.getMessage();
            return Optional.of(Duration.ofSeconds(5));
        }
        return Optional.empty();
    }
}
