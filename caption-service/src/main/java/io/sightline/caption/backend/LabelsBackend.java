package io.sightline.caption.backend;

import io.sightline.caption.backend.onnx.OnnxSceneAnalyzer;
import io.sightline.caption.backend.onnx.SceneAnalysis;
import io.sightline.caption.backend.onnx.SceneCaptionWriter;
import io.sightline.caption.catalog.ModelCatalog;
import io.sightline.caption.config.CaptionConfig;
import io.sightline.common.frame.CapturedFrame;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.Optional;

/** The {@code labels} tier: the objects YOLOX-Nano finds, listed without a sentence ("Scene contains: person, car"). */
@ApplicationScoped
public class LabelsBackend implements VisionBackend {

    private final SceneAnalyzers analyzers;
    private final FrameImages images;
    private final ModelCatalog catalog;
    private final int concurrency;

    LabelsBackend(SceneAnalyzers analyzers, FrameImages images, ModelCatalog catalog, CaptionConfig config) {
        this.concurrency = config.labels().concurrency();
        this.analyzers = analyzers;
        this.images = images;
        this.catalog = catalog;
    }

    @Override
    public String name() {
        return Tier.LABELS.id();
    }

    @Override
    public boolean requiresGpu() {
        return false;
    }

    @Override
    public int ramMb() {
        return catalog.entry(Tier.LABELS).ramMb();
    }

    @Override
    public boolean isAvailable() {
        return unavailableReason().isEmpty();
    }

    @Override
    public Optional<String> unavailableReason() {
        return analyzers.unavailableReason(false);
    }

    @Override
    public String lifecycleState() {
        return analyzers.lifecycle(false);
    }

    @Override
    public int concurrency() {
        return concurrency;
    }

    @Override
    public Uni<Void> start() {
        return Uni.createFrom().completionStage(analyzers::detector).replaceWithVoid();
    }

    @Override
    public Uni<Void> stop() {
        return Uni.createFrom().voidItem();
    }

    @Override
    public Uni<FrameDescription> describe(CapturedFrame frame, String prompt) {
        return Uni.createFrom().completionStage(analyzers::detector)
                .onFailure().transform(e -> new BackendFailure(name(), true, "models unavailable: " + rootMessage(e), e))
                .chain(analyzer -> analyzers.run(() -> describe(analyzer, frame)));
    }

    private FrameDescription describe(OnnxSceneAnalyzer analyzer, CapturedFrame frame) {
        SceneAnalysis analysis = analyzer.detect(images.decode(frame));
        return new FrameDescription(SceneCaptionWriter.labels(analysis), OnnxSceneAnalyzer.DETECTION_MODEL, analysis.objects(),
                analysis.texts());
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage();
    }
}
