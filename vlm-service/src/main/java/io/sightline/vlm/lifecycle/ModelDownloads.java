package io.sightline.vlm.lifecycle;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import io.quarkus.logging.Log;
import io.sightline.common.download.ModelDownloader;
import io.sightline.common.download.ModelFile;
import io.sightline.common.event.LifecycleEvent;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;

/**
 * Fetches a hosted model's missing files (GGUF, mmproj) with common's {@link ModelDownloader}: one download
 * per model at a time, shared by every caller ({@link #start()} returns the running one), progress kept for
 * {@code GET /api/v1/models/{id}} and reported, throttled, as a log line and a {@code model.download} event.
 *
 * <p>A file whose catalog entry pins no sha256 is trusted on first use: its digest is recorded in
 * {@link Sha256Pins} next to it after the first complete download, and from then on it is pinned. Every
 * file with a pin (catalog or recorded) is verified before the model's first start in this process and
 * again whenever it changed on disk since; a file that no longer matches is fetched again and must match.
 */
public final class ModelDownloads {

    /**
     * Where a file goes: its directory and the downloader's description of it (relative path = file name);
     * {@code llamaServer}: the file is the llama-server archive, unpacked into {@code dir} once fetched.
     */
    public record Target(Path dir, ModelFile file, boolean llamaServer) {
        public Target(Path dir, ModelFile file) {
            this(dir, file, false);
        }

        Path path() {
            return file.resolveIn(dir);
        }
    }

    /** Progress over all of the model's files; {@code etaSeconds} null while the rate is unknown. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Progress(long bytes, long total, long bytesPerSecond, Long etaSeconds, boolean done, String error) {
    }

    private final String modelId;
    private final List<Target> targets;
    private final List<java.net.URI> mirrors;
    private final Duration stallTimeout;
    private final Duration interval;
    private final LifecycleEvents events;
    private final Executor executor;
    private final Map<String, Long> done = new ConcurrentHashMap<>();
    private final Map<String, Long> totals = new ConcurrentHashMap<>();
    /** Per file, the size and mtime it had when it was last verified (or recorded) in this process. */
    private final Map<Path, String> verified = new ConcurrentHashMap<>();

    private CompletableFuture<Void> running;
    private volatile Progress progress;
    private volatile long startedNanos;
    private volatile long startBytes;
    private volatile long lastReport;

    public ModelDownloads(String modelId, List<Target> targets, List<java.net.URI> mirrors, Duration stallTimeout,
                          Duration interval, LifecycleEvents events, Executor executor) {
        this.modelId = modelId;
        this.targets = List.copyOf(targets);
        this.mirrors = List.copyOf(mirrors);
        this.stallTimeout = stallTimeout;
        this.interval = interval;
        this.events = events;
        this.executor = executor;
    }

    /**
     * Whether a file is missing or not verified since it last changed (then {@link #start()} fetches or
     * verifies it before the model starts).
     */
    public boolean missing() {
        return targets.stream().anyMatch(t -> !Files.isRegularFile(t.path()) || !stamp(t.path()).equals(verified.get(t.path())));
    }

    /** The file as the downloader gets it: the catalog's sha256, else the recorded one, else none (trust on first use). */
    private ModelFile effective(Target t) {
        if (t.file().pinned()) {
            return t.file();
        }
        return new Sha256Pins(t.dir()).get(t.file().relativePath())
                .map(sha -> new ModelFile(t.file().relativePath(), t.file().url(), sha, t.file().sizeBytes()))
                .orElse(t.file());
    }

    private static String stamp(Path path) {
        try {
            return Files.size(path) + ":" + Files.getLastModifiedTime(path).toMillis();
        } catch (java.io.IOException e) {
            return "absent";
        }
    }

    public Optional<Progress> progress() {
        return Optional.ofNullable(progress);
    }

    /** Starts fetching the missing files, or joins the download already running. */
    public synchronized CompletableFuture<Void> start() {
        if (running != null && !running.isDone()) {
            return running;
        }
        done.clear();
        for (Target t : targets) {
            if (Files.isRegularFile(t.path())) {
                done.put(t.file().relativePath(), size(t));
            }
        }
        startBytes = done.values().stream().mapToLong(Long::longValue).sum();
        startedNanos = System.nanoTime();
        lastReport = 0;
        running = CompletableFuture.runAsync(this::fetchAll, executor);
        return running;
    }

    private void fetchAll() {
        ModelDownloader downloader = new ModelDownloader(ModelDownloader.defaultClient(), stallTimeout, this::progress, mirrors);
        boolean fetched = false;
        try {
            for (Target t : targets) {
                ModelFile file = effective(t);
                fetched |= !downloader.ensure(t.dir(), List.of(file)).get(0).outcome().equals(io.sightline.common.download.ModelFetchResult.PRESENT);
                if (!file.pinned()) {
                    String sha = sha256(t.path());
                    Sha256Pins pins = new Sha256Pins(t.dir());
                    pins.record(file.relativePath(), sha);
                    Log.infof("Model %s: no sha256 pinned for %s, recorded %s in %s (trust on first use; verified on every later start)",
                            modelId, file.relativePath(), sha, pins.file());
                }
                if (t.llamaServer() && LlamaServerInstall.find(t.dir()).isEmpty()) {
                    LlamaServerInstall.install(t.path(), t.dir());
                }
                verified.put(t.path(), stamp(t.path()));
                done.put(t.file().relativePath(), size(t));
            }
            if (fetched) {
                report(snapshot(true, null));
            }
        } catch (RuntimeException e) {
            report(snapshot(true, e.getMessage()));
            throw e;
        }
    }

    private void progress(ModelFile file, long bytes, long total) {
        done.put(file.relativePath(), bytes);
        if (total > 0) {
            totals.put(file.relativePath(), total);
        }
        Progress p = snapshot(false, null);
        long now = System.nanoTime();
        if (now - lastReport >= interval.toNanos()) {
            report(p);
        } else {
            progress = p;
        }
    }

    private long total() {
        return targets.stream().mapToLong(t -> t.file().sizeBytes() > 0 ? t.file().sizeBytes()
                : totals.getOrDefault(t.file().relativePath(), Files.isRegularFile(t.path()) ? size(t) : 0L)).sum();
    }

    private static String sha256(Path path) {
        try {
            return ModelDownloader.sha256(path);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot read " + path, e);
        }
    }

    private static long size(Target t) {
        try {
            return Files.size(t.path());
        } catch (java.io.IOException e) {
            return t.file().sizeBytes();
        }
    }

    private Progress snapshot(boolean finished, String error) {
        long bytes = done.values().stream().mapToLong(Long::longValue).sum();
        long total = total();
        double seconds = (System.nanoTime() - startedNanos) / 1e9;
        long rate = seconds > 0 ? (long) ((bytes - startBytes) / seconds) : 0;
        Long eta = finished && error == null ? Long.valueOf(0) : rate > 0 ? Long.valueOf(Math.max(0, total - bytes) / rate) : null;
        return new Progress(bytes, total, rate, eta, finished, error);
    }

    private synchronized void report(Progress p) {
        progress = p;
        lastReport = System.nanoTime();
        String line = p.bytes() + "/" + p.total() + " bytes, " + p.bytesPerSecond() + " B/s, ETA "
                + (p.etaSeconds() == null ? "?" : p.etaSeconds()) + " s" + (p.error() != null ? ", failed: " + p.error() : p.done() ? ", done" : "");
        Log.infof("Downloading model %s: %s", modelId, line);
        events.publish(LifecycleEvent.DOWNLOAD, modelId, null, line).subscribe().with(x -> { }, e ->
                Log.debugf("model.download event for %s not sent: %s", modelId, e.getMessage()));
    }
}
