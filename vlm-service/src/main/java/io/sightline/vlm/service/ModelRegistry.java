package io.sightline.vlm.service;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import io.sightline.common.hardware.HardwareProbe;
import io.sightline.common.vlm.Priority;
import io.sightline.common.vlm.VlmClient;
import io.sightline.common.vlm.VlmClients;
import io.sightline.common.vlm.VlmEndpoint;
import io.sightline.vlm.catalog.CatalogModel;
import io.sightline.vlm.catalog.VlmCatalog;
import io.sightline.vlm.config.VlmConfig;
import io.sightline.vlm.lifecycle.ExternalServerLauncher;
import io.sightline.vlm.lifecycle.HostedModel;
import io.sightline.vlm.lifecycle.LifecycleEvents;
import io.sightline.vlm.lifecycle.ModelDownloads;
import io.sightline.vlm.lifecycle.ProcessServerLauncher;
import io.sightline.vlm.lifecycle.ServerLauncher;
import io.sightline.vlm.lifecycle.kubernetes.KubernetesScaleLauncher;
import io.sightline.vlm.model.RemoteModel;
import io.sightline.vlm.model.ServedModel;
import io.sightline.vlm.model.ServerProbe;
import io.sightline.vlm.queue.PriorityQueue;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Every model vlm-service serves, by catalog id: one {@link HostedModel} per catalog model (its own
 * llama-server, port and queue) and one {@link RemoteModel} per configured endpoint. {@code default} names
 * the model picked by {@code sightline.vlm.model} (auto = smallest catalog model that fits the hardware).
 * Nothing starts at boot.
 */
@ApplicationScoped
public class ModelRegistry {

    public static final String DEFAULT = "default";

    private final Map<String, ServedModel> models = new LinkedHashMap<>();
    private final Optional<String> defaultModel;
    private final String defaultProblem;
    private final MeterRegistry registry;
    private final Map<String, Map<Priority, Timer>> waits = new LinkedHashMap<>();
    private final Map<String, Map<Priority, Timer>> services = new LinkedHashMap<>();

    ModelRegistry(VlmConfig config, VlmCatalog catalog, HardwareProbe hardware, LifecycleEvents events, VlmClients clients,
                  Instance<KubernetesScaleLauncher> kubernetes, MeterRegistry registry) {
        this.registry = registry;
        String wanted = config.model().trim();
        Optional<CatalogModel> chosen;
        String problem = null;
        if (wanted.equalsIgnoreCase("none")) {
            chosen = Optional.empty();
            problem = "no default model (sightline.vlm.model / SIGHTLINE_VLM_MODEL=none)";
        } else if (wanted.equalsIgnoreCase("auto")) {
            chosen = catalog.smallestFitting(hardware.profile());
            if (chosen.isEmpty()) {
                problem = "no catalog model fits this host (" + hardware.profile().cores() + " cores, "
                        + hardware.profile().ramMb() + " MiB RAM)";
            }
        } else {
            chosen = catalog.model(wanted);
            if (chosen.isEmpty() && !config.remote().containsKey(wanted)) {
                problem = "sightline.vlm.model '" + wanted + "' is not a catalog id (" + catalog.models().stream()
                        .map(CatalogModel::id).toList() + ")";
            }
        }
        this.defaultModel = chosen.map(CatalogModel::id).or(() -> config.remote().containsKey(wanted) ? Optional.of(wanted) : Optional.empty());
        this.defaultProblem = problem;

        int port = config.llamaServer().firstPort();
        for (CatalogModel model : catalog.models()) {
            VlmConfig.Hosted hosted = config.hosted().get(model.id());
            int modelPort = hosted != null && hosted.port().isPresent() ? hosted.port().get() : port++;
            int parallel = hosted != null && hosted.parallel().isPresent() ? hosted.parallel().get() : config.llamaServer().parallel();
            boolean isDefault = defaultModel.filter(model.id()::equals).isPresent();
            URI base = isDefault && config.launcher().equals(KubernetesScaleLauncher.KIND) ? config.kubernetes().baseUrl()
                    : URI.create("http://" + config.llamaServer().host() + ":" + modelPort + "/v1");
            ServerLauncher launcher = launcherFor(config, model, hosted, modelPort, parallel, catalog, isDefault, kubernetes);
            Optional<ModelDownloads> downloads = launcher instanceof ProcessServerLauncher ? downloads(config, catalog, model, events)
                    : Optional.empty();
            Optional<String> missing = Optional.empty();
            if (launcher instanceof ProcessServerLauncher p && p.unavailableReason().isPresent() && hosted == null
                    && downloads.isEmpty()) {
                missing = Optional.of(p.unavailableReason().get() + "; put the catalog files (" + model.files().stream()
                        .map(CatalogModel.ModelFile::fileName).toList() + ") into " + config.modelsDir()
                        + (config.download().enabled() ? " (no download URL for them)"
                        : " (downloads are off: sightline.vlm.download.enabled=false)"));
            }
            VlmClient client = clients.forEndpoint(VlmEndpoint.of("vlm-" + model.id(), base.toString(), model.id())
                    .withSlots(32, 64).withTimeout(config.requestTimeout()));
            Duration idle = hosted != null && hosted.idleTimeout().isPresent() ? hosted.idleTimeout().get() : config.idleTimeout();
            HostedModel served = new HostedModel(model.id(), launcher, base, client, new ServerProbe(base, Optional.empty()),
                    events, new HostedModel.Timing(config.startTimeout(), idle, config.restartBackoff()),
                    queue(model.id(), parallel, config), missing, downloads);
            models.put(model.id(), served);
        }
        config.remote().forEach((id, remote) -> {
            VlmClient client = clients.forEndpoint(VlmEndpoint.of("vlm-" + id, remote.baseUrl().toString(),
                            remote.upstreamModel().orElse(id)).withApiKey(remote.apiKey())
                    .withSlots(Math.max(remote.slots(), 1) + 8, 64).withTimeout(config.requestTimeout()));
            models.put(id, new RemoteModel(id, client, new ServerProbe(remote.baseUrl(), remote.apiKey()),
                    queue(id, remote.slots(), config), remote.upstreamModel(), remote.vision()));
        });
    }

    /**
     * The model's files as downloads, when downloads are on and every file has an http(s) URL. A file
     * without a pinned sha256 is trusted on first use (its digest recorded in {@link io.sightline.vlm.lifecycle.Sha256Pins}).
     */
    private static Optional<ModelDownloads> downloads(VlmConfig config, VlmCatalog catalog, CatalogModel model,
                                                      LifecycleEvents events) {
        if (!config.download().enabled()) {
            return Optional.empty();
        }
        List<ModelDownloads.Target> targets = new ArrayList<>();
        for (CatalogModel.ModelFile f : model.files()) {
            URI url = f.urls().isEmpty() ? null : URI.create(f.urls().get(0));
            java.nio.file.Path path = catalog.path(model, f).toAbsolutePath();
            if (url == null || url.getScheme() == null || !url.getScheme().startsWith("http")) {
                if (java.nio.file.Files.isRegularFile(path)) {
                    continue; // a local file in place: nothing to fetch
                }
                return Optional.empty();
            }
            targets.add(new ModelDownloads.Target(path.getParent(), new io.sightline.common.download.ModelFile(
                    path.getFileName().toString(), url, f.sha256().orElse(null), f.sizeBytes())));
        }
        // the llama-server itself, when it is not installed and a download is configured (one for all models: same file)
        VlmConfig.LlamaServer server = config.llamaServer();
        if (server.downloadUrl().isPresent() && io.sightline.common.hardware.HardwareProbe.onPath(server.executable()).isEmpty()) {
            URI url = server.downloadUrl().get();
            targets.add(new ModelDownloads.Target(llamaServerDir(config), new io.sightline.common.download.ModelFile(
                    java.nio.file.Path.of(url.getPath()).getFileName().toString(), url, server.downloadSha256().orElse(null), 0), true));
        }
        if (targets.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new ModelDownloads(model.id(), targets, config.download().mirrors().orElse(List.of()),
                config.download().stallTimeout(), config.download().progressInterval(), events,
                io.smallrye.mutiny.infrastructure.Infrastructure.getDefaultWorkerPool()));
    }

    private static ServerLauncher launcherFor(VlmConfig config, CatalogModel model, VlmConfig.Hosted hosted, int port,
                                              int parallel, VlmCatalog catalog, boolean isDefault,
                                              Instance<KubernetesScaleLauncher> kubernetes) {
        if (config.launcher().equals(ExternalServerLauncher.KIND)) {
            return new ExternalServerLauncher();
        }
        if (config.launcher().equals(KubernetesScaleLauncher.KIND) && isDefault) {
            return kubernetes.get();
        }
        VlmConfig.LlamaServer server = config.llamaServer();
        List<String> flags = new ArrayList<>(List.of(
                "--alias", model.id(),
                "--ctx-size", Integer.toString(hosted != null && hosted.ctxSize().isPresent() ? hosted.ctxSize().get() : server.ctxSize()),
                "--parallel", Integer.toString(parallel),
                "--n-gpu-layers", Integer.toString(server.gpuLayers()),
                "--threads", Integer.toString(server.threads().orElse(Runtime.getRuntime().availableProcessors()))));
        flags.addAll(model.serverFlags());
        server.extraArgs().ifPresent(flags::addAll);
        if (hosted != null) {
            hosted.extraArgs().ifPresent(flags::addAll);
        }
        CatalogModel.ModelFile gguf = model.file(CatalogModel.ModelFile.GGUF).orElseThrow();
        Optional<java.nio.file.Path> mmproj = model.file(CatalogModel.ModelFile.MMPROJ).map(f -> catalog.path(model, f));
        return new ProcessServerLauncher(new ProcessServerLauncher.Spec(server.executable(), catalog.path(model, gguf), mmproj,
                server.host(), port, flags, server.logDir().resolve("llama-server-" + model.id() + ".log"), server.stopTimeout(),
                Optional.of(llamaServerDir(config)), config.download().enabled() && server.downloadUrl().isPresent()));
    }

    /** Where a downloaded llama-server is installed. */
    private static java.nio.file.Path llamaServerDir(VlmConfig config) {
        return config.modelsDir().resolve("llama-server").toAbsolutePath();
    }

    private PriorityQueue queue(String model, int slots, VlmConfig config) {
        Map<Priority, Integer> caps = new EnumMap<>(Priority.class);
        caps.put(Priority.INTERACTIVE, config.queue().interactiveCap());
        caps.put(Priority.WATCH, config.queue().watchCap());
        caps.put(Priority.BATCH, config.queue().batchCap());
        Map<Priority, Timer> wait = new EnumMap<>(Priority.class);
        Map<Priority, Timer> service = new EnumMap<>(Priority.class);
        Map<Priority, Counter> rejected = new EnumMap<>(Priority.class);
        for (Priority c : Priority.values()) {
            wait.put(c, Timer.builder("sightline.vlm.queue.wait").description("Time a request waited for a model slot")
                    .tags("model", model, "class", c.id()).publishPercentiles(0.5, 0.99).register(registry));
            service.put(c, Timer.builder("sightline.vlm.service.time").description("Time a request held a model slot")
                    .tags("model", model, "class", c.id()).publishPercentiles(0.5, 0.99).register(registry));
            rejected.put(c, Counter.builder("sightline.vlm.queue.rejected").description("Requests refused because their class's queue was full")
                    .tags("model", model, "class", c.id()).register(registry));
        }
        waits.put(model, wait);
        services.put(model, service);
        PriorityQueue queue = new PriorityQueue(model, Math.max(1, slots), caps, config.queue().aging(), System::nanoTime,
                new PriorityQueue.Listener() {
                    @Override
                    public void granted(Priority priority, long queueWaitNanos) {
                        wait.get(priority).record(Duration.ofNanos(queueWaitNanos));
                    }

                    @Override
                    public void served(Priority priority, long serviceNanos) {
                        service.get(priority).record(Duration.ofNanos(serviceNanos));
                    }

                    @Override
                    public void rejected(Priority priority) {
                        rejected.get(priority).increment();
                    }
                });
        for (Priority c : Priority.values()) {
            Gauge.builder("sightline.vlm.queue.depth", queue, q -> q.waiting(c)).description("Requests waiting for a model slot")
                    .tags("model", model, "class", c.id()).strongReference(true).register(registry);
        }
        Gauge.builder("sightline.vlm.in.flight.requests", queue, PriorityQueue::inFlight).description("Requests holding a model slot")
                .tags("model", model).strongReference(true).register(registry);
        return queue;
    }

    /** The model by id ({@code default} = the default model). */
    public Optional<ServedModel> model(String id) {
        if (id == null || id.isBlank() || id.equals(DEFAULT)) {
            return defaultModel.map(models::get);
        }
        return Optional.ofNullable(models.get(id));
    }

    public List<ServedModel> models() {
        return List.copyOf(models.values());
    }

    public Optional<String> defaultModelId() {
        return defaultModel;
    }

    /** Why there is no default model, when there is none. */
    public Optional<String> defaultProblem() {
        return Optional.ofNullable(defaultProblem);
    }

    public Timer waitTimer(String model, Priority priority) {
        return waits.get(model).get(priority);
    }

    public Timer serviceTimer(String model, Priority priority) {
        return services.get(model).get(priority);
    }

    void onStart(@Observes StartupEvent event) {
        Log.infof("vlm-service models: %s; default %s", models.keySet(), defaultModel.orElse("none (" + defaultProblem + ")"));
        models.values().stream().filter(RemoteModel.class::isInstance).map(RemoteModel.class::cast)
                .forEach(m -> m.refresh().subscribe().with(up -> { }, e -> { }));
    }

    @Scheduled(every = "1s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void stopIdleModels() {
        models.values().stream().filter(HostedModel.class::isInstance).map(HostedModel.class::cast).forEach(HostedModel::stopWhenIdle);
    }

    @Scheduled(every = "15s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void refreshRemotes() {
        models.values().stream().filter(RemoteModel.class::isInstance).map(RemoteModel.class::cast)
                .forEach(m -> m.refresh().subscribe().with(up -> { }, e -> { }));
    }

    void onStop(@Observes ShutdownEvent event) {
        models.values().stream().filter(HostedModel.class::isInstance).map(HostedModel.class::cast).forEach(HostedModel::shutdown);
    }
}
