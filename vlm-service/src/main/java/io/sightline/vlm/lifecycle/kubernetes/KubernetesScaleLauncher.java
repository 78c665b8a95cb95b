package io.sightline.vlm.lifecycle.kubernetes;

import io.fabric8.kubernetes.api.model.autoscaling.v1.Scale;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.RollableScalableResource;
import io.fabric8.kubernetes.client.http.HttpClient;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import io.fabric8.kubernetes.client.utils.URLUtils;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElectionConfig;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElectionConfigBuilder;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaseLock;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.quarkus.logging.Log;
import io.quarkus.runtime.StartupEvent;
import io.sightline.vlm.config.VlmConfig;
import io.sightline.vlm.lifecycle.ServerLauncher;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.ConfigProvider;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * The {@code kubernetes} launcher of vlm-service's hosted model: starts and stops the llama-server by
 * scaling its Deployment between 1 and 0 through the {@code deployments/scale} subresource (the only
 * thing its Role allows besides the Lease). Several vlm-service replicas share one Deployment, so
 * only the replica holding the coordination.k8s.io Lease ({@link #mayAct()}) scales; the others wait for
 * health. The election starts at boot when {@code sightline.vlm.launcher=kubernetes},
 * otherwise on first use, and a replica that loses the Lease keeps competing for it.
 */
@ApplicationScoped
public class KubernetesScaleLauncher implements ServerLauncher {

    public static final String KIND = "kubernetes";
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);
    static final String LAUNCHER_KEY = "sightline.vlm.launcher";

    private final Supplier<KubernetesClient> clientSource;
    private final Supplier<Settings> settingsSource;
    private final Executor blocking;
    private KubernetesClient client;
    private Settings settings;
    private volatile boolean leader;
    private volatile boolean lastKnownRunning;
    private volatile boolean closed;
    private CompletableFuture<?> election;

    /** Resolved settings: the config mapping plus the pod's namespace and name. */
    record Settings(String namespace, String deployment, String leaseName, String identity,
                    Duration leaseDuration, Duration renewDeadline, Duration retryPeriod,
                    Duration stopTimeout, Duration pollInterval) {

        static Settings from(KubernetesLauncherConfig config, KubernetesClient client) {
            String namespace = config.namespace().orElseGet(() -> Optional.ofNullable(client.getNamespace()).orElse("default"));
            String identity = config.identity()
                    .or(() -> Optional.ofNullable(System.getenv("HOSTNAME")))
                    .orElseGet(() -> "vlm-service-" + UUID.randomUUID());
            return new Settings(namespace, config.deployment(), config.leaseName(), identity,
                    config.leaseDuration(), config.renewDeadline(), config.retryPeriod(),
                    config.stopTimeout(), config.pollInterval());
        }
    }

    /**
     * The client is resolved on first use, not at injection: the bean is instantiated wherever launchers
     * are listed (kind()), also outside Kubernetes, where no client should be built.
     */
    @Inject
    KubernetesScaleLauncher(Instance<KubernetesClient> clients, VlmConfig vlm) {
        KubernetesLauncherConfig config = vlm.kubernetes();
        this.clientSource = clients::get;
        this.settingsSource = () -> Settings.from(config, client());
        this.blocking = Infrastructure.getDefaultWorkerPool();
    }

    KubernetesScaleLauncher(KubernetesClient client, Settings settings, Executor blocking) {
        this.clientSource = () -> client;
        this.settingsSource = () -> settings;
        this.blocking = blocking;
    }

    private synchronized KubernetesClient client() {
        if (client == null) {
            client = clientSource.get();
        }
        return client;
    }

    private synchronized Settings settings() {
        if (settings == null) {
            settings = settingsSource.get();
        }
        return settings;
    }

    void onStart(@Observes StartupEvent event) {
        Optional<String> selected = ConfigProvider.getConfig().getOptionalValue(LAUNCHER_KEY, String.class);
        if (selected.filter(KIND::equalsIgnoreCase).isPresent()) {
            electLeader();
        }
    }

    @Override
    public String kind() {
        return KIND;
    }

    /** True only while this replica holds the Lease; the first call joins the election. */
    @Override
    public boolean mayAct() {
        electLeader();
        return leader;
    }

    @Override
    public Uni<Void> start() {
        return Uni.createFrom().item(() -> {
                    requireLeader("start");
                    scaleTo(1);
                    lastKnownRunning = true;
                    Log.infof("Scaled Deployment %s/%s to 1 for the hosted model", settings().namespace(), settings().deployment());
                    return (Void) null;
                })
                .runSubscriptionOn(blocking);
    }

    @Override
    public Uni<Void> stop() {
        Instant deadline = Instant.now().plus(settings().stopTimeout());
        return Uni.createFrom().item(() -> {
                    requireLeader("stop");
                    scaleTo(0);
                    Log.infof("Scaled Deployment %s/%s to 0; waiting for its pods to go", settings().namespace(), settings().deployment());
                    return (Void) null;
                })
                .runSubscriptionOn(blocking)
                .chain(() -> awaitNoPods(deadline))
                .invoke(() -> lastKnownRunning = false);
    }

    /** Replicas asked for (spec) >= 1; the last known answer when the API server cannot be reached. */
    @Override
    public boolean running() {
        try {
            Scale scale = deployment().scale();
            lastKnownRunning = scale != null && scale.getSpec() != null
                    && scale.getSpec().getReplicas() != null && scale.getSpec().getReplicas() >= 1;
        } catch (KubernetesClientException e) {
            Log.warnf("Cannot read the scale of %s/%s (%s); assuming %s", settings().namespace(), settings().deployment(),
                    e.getMessage(), lastKnownRunning ? "running" : "stopped");
        }
        return lastKnownRunning;
    }

    /** Joins the Lease election once; after losing the Lease the replica competes again. */
    synchronized void electLeader() {
        if (closed || (election != null && !election.isDone())) {
            return;
        }
        LeaderElectionConfig config = new LeaderElectionConfigBuilder()
                .withName(settings().leaseName())
                .withLock(new LeaseLock(settings().namespace(), settings().leaseName(), settings().identity()))
                .withLeaseDuration(settings().leaseDuration())
                .withRenewDeadline(settings().renewDeadline())
                .withRetryPeriod(settings().retryPeriod())
                .withReleaseOnCancel(true)
                .withLeaderCallbacks(new LeaderCallbacks(
                        () -> {
                            leader = true;
                            Log.infof("%s holds Lease %s: this replica scales %s", settings().identity(), settings().leaseName(), settings().deployment());
                        },
                        () -> {
                            leader = false;
                            Log.infof("%s no longer holds Lease %s", settings().identity(), settings().leaseName());
                        },
                        newLeader -> Log.debugf("Lease %s is held by %s", settings().leaseName(), newLeader)))
                .build();
        CompletableFuture<?> started = client().leaderElector().withConfig(config).build().start();
        election = started;
        started.whenComplete((ignored, failure) -> {
            leader = false;
            if (failure != null && !closed) {
                Log.warnf("Lease election for %s ended: %s; rejoining", settings().leaseName(), failure.toString());
            }
            if (!closed) {
                electLeader();
            }
        });
    }

    /** Leaves the election and gives the Lease up so another replica takes over without waiting. */
    @PreDestroy
    void close() {
        CompletableFuture<?> current;
        synchronized (this) {
            closed = true;
            current = election;
        }
        // cancelled outside this monitor: the elector's callbacks (run on cancel) read settings() under it
        if (current != null) {
            current.cancel(true);
        }
        leader = false;
    }

    String identity() {
        return settings().identity();
    }

    private void requireLeader(String action) {
        if (!leader) {
            throw new IllegalStateException("Cannot " + action + " " + settings().deployment() + ": replica " + settings().identity()
                    + " does not hold Lease " + settings().leaseName());
        }
    }

    private RollableScalableResource<Deployment> deployment() {
        return client().apps().deployments().inNamespace(settings().namespace()).withName(settings().deployment());
    }

    /**
     * A JSON merge patch of the scale subresource: one request, no read-modify-write conflict, and
     * exactly the {@code patch} verb on {@code deployments/scale} that the Role grants (fabric8's
     * {@code scale(int)} would GET then PUT, needing {@code update} and {@code get} on the Deployment).
     */
    private void scaleTo(int replicas) {
        String url = URLUtils.join(client().getMasterUrl().toString(), "apis", "apps", "v1", "namespaces",
                settings().namespace(), "deployments", settings().deployment(), "scale");
        HttpClient http = client().getHttpClient();
        HttpRequest request = http.newHttpRequestBuilder()
                .uri(url)
                .method("PATCH", "application/merge-patch+json", "{\"spec\":{\"replicas\":" + replicas + "}}")
                .build();
        HttpResponse<String> response;
        try {
            response = http.sendAsync(request, String.class).get(REQUEST_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KubernetesClientException("Interrupted while scaling " + settings().deployment(), e);
        } catch (ExecutionException | TimeoutException e) {
            throw new KubernetesClientException("Cannot scale " + settings().deployment() + " to " + replicas + ": " + e, e);
        }
        if (!response.isSuccessful()) {
            throw new KubernetesClientException("Scaling " + settings().namespace() + "/" + settings().deployment() + " to "
                    + replicas + " was refused: HTTP " + response.code() + " " + response.body());
        }
    }

    /** Pods still counted by the Deployment (non-terminated), per its scale subresource status. */
    private int podsLeft() {
        Scale scale = deployment().scale();
        if (scale == null || scale.getStatus() == null || scale.getStatus().getReplicas() == null) {
            return 0;
        }
        return scale.getStatus().getReplicas();
    }

    private Uni<Void> awaitNoPods(Instant deadline) {
        return Uni.createFrom().item(this::podsLeft)
                .runSubscriptionOn(blocking)
                .chain(left -> {
                    if (left == 0) {
                        return Uni.createFrom().voidItem();
                    }
                    if (Instant.now().isAfter(deadline)) {
                        return Uni.createFrom().failure(new IllegalStateException("Deployment " + settings().deployment()
                                + " still has " + left + " pod(s) " + settings().stopTimeout() + " after scaling to 0"));
                    }
                    return Uni.createFrom().voidItem()
                            .onItem().delayIt().by(settings().pollInterval())
                            .chain(() -> awaitNoPods(deadline));
                });
    }
}
