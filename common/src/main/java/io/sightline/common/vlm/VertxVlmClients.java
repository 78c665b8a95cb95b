package io.sightline.common.vlm;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import io.opentelemetry.api.OpenTelemetry;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.tracing.TracingPolicy;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * The application's {@link VlmClients}: one client per endpoint name, so every caller of an endpoint
 * shares its slots, queue and circuit breaker. HTTP runs on the application's Vert.x instance.
 * Outside CDI (plain tests, tools) build it with {@link #VertxVlmClients(Vertx, MeterRegistry, OpenTelemetry)}
 * and {@link #close()} it when done.
 */
@ApplicationScoped
public class VertxVlmClients implements VlmClients, AutoCloseable {

    private static final Logger LOG = Logger.getLogger(VertxVlmClients.class);

    private final Vertx vertx;
    private final MeterRegistry registry;
    private final OpenTelemetry openTelemetry;
    private final ConcurrentMap<String, EndpointVlmClient> clients = new ConcurrentHashMap<>();

    @Inject
    VertxVlmClients(Vertx vertx, Instance<MeterRegistry> registries, Instance<OpenTelemetry> openTelemetries) {
        this(vertx,
                registries.isResolvable() ? registries.get() : Metrics.globalRegistry,
                openTelemetries.isResolvable() ? openTelemetries.get() : OpenTelemetry.noop());
    }

    public VertxVlmClients(Vertx vertx, MeterRegistry registry, OpenTelemetry openTelemetry) {
        this.vertx = Objects.requireNonNull(vertx, "vertx");
        this.registry = registry == null ? Metrics.globalRegistry : registry;
        this.openTelemetry = openTelemetry == null ? OpenTelemetry.noop() : openTelemetry;
    }

    @Override
    public VlmClient forEndpoint(VlmEndpoint endpoint) {
        return forEndpoint(endpoint, VlmClientPolicy.defaults());
    }

    @Override
    public VlmClient forEndpoint(VlmEndpoint endpoint, VlmClientPolicy policy) {
        Objects.requireNonNull(endpoint, "endpoint");
        Objects.requireNonNull(policy, "policy");
        EndpointVlmClient client = clients.computeIfAbsent(endpoint.name(), name -> create(endpoint, policy));
        if (!client.endpoint().equals(endpoint)) {
            LOG.warnf("VLM endpoint '%s' was asked for with different settings (%s, %d slots); keeping the first (%s, %d slots)",
                    endpoint.name(), endpoint.baseUrl(), endpoint.maxConcurrent(), client.endpoint().baseUrl(),
                    client.endpoint().maxConcurrent());
        }
        return client;
    }

    private EndpointVlmClient create(VlmEndpoint endpoint, VlmClientPolicy policy) {
        Duration timeout = endpoint.timeout() == null ? Duration.ofSeconds(60) : endpoint.timeout();
        HttpClientOptions options = new HttpClientOptions()
                .setConnectTimeout((int) Math.min(5_000, Math.max(100, timeout.toMillis())))
                .setKeepAlive(true)
                .setDecompressionSupported(true)
                // this client makes its own CLIENT span per call and injects traceparent itself
                .setTracingPolicy(TracingPolicy.IGNORE)
                .setName("vlm-" + endpoint.name());
        // the slots bound the generations; two more connections keep health and model probes from queueing behind them
        PoolOptions pool = new PoolOptions().setHttp1MaxSize(endpoint.maxConcurrent() + 2).setMaxWaitQueueSize(Math.max(1, endpoint.maxQueued()));
        HttpClient http = vertx.createHttpClient(options, pool);
        LOG.infof("VLM endpoint '%s' at %s: %d slots, %d may wait, timeout %d ms", endpoint.name(), endpoint.baseUrl(),
                endpoint.maxConcurrent(), endpoint.maxQueued(), timeout.toMillis());
        return new EndpointVlmClient(endpoint, policy, vertx, http, registry, openTelemetry);
    }

    @PreDestroy
    @Override
    public void close() {
        clients.values().forEach(EndpointVlmClient::close);
        clients.clear();
    }
}
