package io.sightline.caption.backend;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import io.sightline.caption.backend.onnx.ModelUnavailableException;
import io.sightline.caption.backend.onnx.OnnxOptions;
import io.sightline.caption.backend.onnx.OnnxSceneAnalyzer;
import io.sightline.caption.config.CaptionConfig;
import io.sightline.common.download.ModelFile;
import io.sightline.caption.models.RequiredModels;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.ToLongFunction;

/**
 * Loads the ONNX models of the onnx and labels tiers once (downloading missing files first when
 * allowed) and runs inference on a dedicated pool with one thread per session, never on the event loop.
 */
@ApplicationScoped
public class SceneAnalyzers {

    private final CaptionConfig config;
    private final OnnxOptions options;
    private final ModelFetcher fetcher;
    private final ExecutorService inference;
    private volatile CompletableFuture<OnnxSceneAnalyzer> full;
    private CompletableFuture<OnnxSceneAnalyzer> detectionOnly;
    private volatile String fullProblem;
    private volatile String detectionProblem;

    SceneAnalyzers(CaptionConfig config, ModelFetcher fetcher, MeterRegistry registry) {
        this.config = config;
        CaptionConfig.Onnx onnx = config.onnx();
        this.options = new OnnxOptions(onnx.intraOpThreads(), onnx.sessions(), onnx.scoreThreshold(), onnx.nmsIou(), onnx.ocr(),
                onnx.maxOcrLines());
        this.fetcher = fetcher;
        AtomicInteger n = new AtomicInteger();
        this.inference = Executors.newFixedThreadPool(onnx.sessions(), r -> {
            Thread t = new Thread(r, "onnx-inference-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        // what OCR cost and saved: frames read whole, read in the changed part only, or reused; the text detector's passes
        textCounter(registry, "sightline.caption.ocr.frames", "read", "full", OnnxSceneAnalyzer::textReads);
        textCounter(registry, "sightline.caption.ocr.frames", "read", "part", OnnxSceneAnalyzer::textPartReads);
        textCounter(registry, "sightline.caption.ocr.frames", "read", "reused", OnnxSceneAnalyzer::textReused);
        textCounter(registry, "sightline.caption.text.detection.passes", "pass", "coarse", a -> a.textDetection().coarsePasses());
        textCounter(registry, "sightline.caption.text.detection.passes", "pass", "region", a -> a.textDetection().regionPasses());
        textCounter(registry, "sightline.caption.text.detection.passes", "pass", "whole_frame", a -> a.textDetection().wholeFramePasses());
        FunctionCounter.builder("sightline.caption.text.detection.pixels", this, s -> s.fromFull(a -> a.textDetection().pixels()))
                .description("Input pixels the text detector has processed (its cost is about proportional to them)")
                .register(registry);
    }

    private void textCounter(MeterRegistry registry, String name, String tag, String value, ToLongFunction<OnnxSceneAnalyzer> count) {
        FunctionCounter.builder(name, this, s -> s.fromFull(count)).tag(tag, value).register(registry);
    }

    /** A count of the loaded text-reading analyzer, 0 before it has loaded. */
    private double fromFull(ToLongFunction<OnnxSceneAnalyzer> count) {
        CompletableFuture<OnnxSceneAnalyzer> f = full;
        return f != null && f.isDone() && !f.isCompletedExceptionally() ? count.applyAsLong(f.join()) : 0;
    }

    public OnnxOptions options() {
        return options;
    }

    public Path modelsDir() {
        return config.modelsDir();
    }

    /** Why the tier cannot run, empty when its files are present (or may be downloaded) and loading did not fail. */
    public Optional<String> unavailableReason(boolean withText) {
        String failed = withText ? fullProblem : detectionProblem;
        if (failed != null) {
            return Optional.of(failed);
        }
        List<ModelFile> needed = needed(withText);
        List<String> missing = needed.stream().filter(f -> !Files.isRegularFile(f.resolveIn(config.modelsDir())))
                .map(ModelFile::relativePath).toList();
        if (!missing.isEmpty() && !config.modelsDownload()) {
            return Optional.of("models missing in " + config.modelsDir() + ": " + String.join(", ", missing)
                    + " (downloads disabled: sightline.caption.models-download=false)");
        }
        return Optional.empty();
    }

    private List<ModelFile> needed(boolean withText) {
        return withText && options.ocr() ? RequiredModels.ONNX_TIER : RequiredModels.LABELS_TIER;
    }

    /** stopped (not loaded), starting (loading or downloading), ready, failed. */
    public synchronized String lifecycle(boolean withText) {
        CompletableFuture<OnnxSceneAnalyzer> f = withText ? full : (full != null && !full.isCompletedExceptionally() ? full : detectionOnly);
        if (f == null) {
            return "stopped";
        }
        if (!f.isDone()) {
            return "starting";
        }
        return f.isCompletedExceptionally() ? "failed" : "ready";
    }

    /** The analyzer reading text too (onnx tier); loaded on first call. */
    public synchronized CompletableFuture<OnnxSceneAnalyzer> full() {
        if (full == null || full.isCompletedExceptionally()) {
            fullProblem = null;
            full = load(options, true);
        }
        return full;
    }

    /** An analyzer that detects objects (labels tier): the full one when it loads, else a detection-only one. */
    public synchronized CompletableFuture<OnnxSceneAnalyzer> detector() {
        if (full != null && !full.isCompletedExceptionally()) {
            return full;
        }
        if (detectionOnly == null || detectionOnly.isCompletedExceptionally()) {
            detectionProblem = null;
            detectionOnly = load(new OnnxOptions(options.intraOpThreads(), options.sessions(), options.scoreThreshold(),
                    options.nmsIou(), false, 0), false);
        }
        return detectionOnly;
    }

    private CompletableFuture<OnnxSceneAnalyzer> load(OnnxOptions opts, boolean withText) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                List<ModelFile> needed = needed(withText);
                if (config.modelsDownload()) {
                    fetcher.ensure(config.modelsDir(), needed);
                }
                long t0 = System.nanoTime();
                OnnxSceneAnalyzer analyzer = OnnxSceneAnalyzer.load(config.modelsDir(), opts);
                Log.infof("Loaded ONNX models (%s, %d sessions, ocr %s) from %s in %d ms", withText ? "objects+text" : "objects",
                        opts.sessions(), opts.ocr(), config.modelsDir(), (System.nanoTime() - t0) / 1_000_000);
                return analyzer;
            } catch (RuntimeException e) {
                String problem = e instanceof ModelUnavailableException ? e.getMessage() : "loading models failed: " + e.getMessage();
                if (withText) {
                    fullProblem = problem;
                } else {
                    detectionProblem = problem;
                }
                Log.errorf("ONNX models unavailable: %s", problem);
                throw e;
            }
        }, inference);
    }

    /** Runs blocking inference on the inference pool. */
    public <T> Uni<T> run(java.util.function.Supplier<T> work) {
        return Uni.createFrom().item(work).runSubscriptionOn(inference);
    }

    @PreDestroy
    void close() {
        inference.shutdownNow();
        for (CompletableFuture<OnnxSceneAnalyzer> f : new CompletableFuture[] {full, detectionOnly}) {
            if (f != null && f.isDone() && !f.isCompletedExceptionally()) {
                f.join().close();
            }
        }
    }
}
