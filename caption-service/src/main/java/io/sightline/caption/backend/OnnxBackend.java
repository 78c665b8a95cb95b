package io.sightline.caption.backend;

import io.sightline.caption.backend.onnx.OnnxSceneAnalyzer;
import io.sightline.caption.backend.onnx.SceneAnalysis;
import io.sightline.caption.backend.onnx.SceneCaptionWriter;
import io.sightline.caption.catalog.ModelCatalog;
import io.sightline.common.frame.CapturedFrame;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.Optional;

/** The {@code onnx} tier: YOLOX-Nano objects plus PaddleOCR text in process, turned into a short sentence. */
@ApplicationScoped
public class OnnxBackend implements VisionBackend {

    private final SceneAnalyzers analyzers;
    private final FrameImages images;
    private final ModelCatalog catalog;

    OnnxBackend(SceneAnalyzers analyzers, FrameImages images, ModelCatalog catalog) {
        this.analyzers = analyzers;
        this.images = images;
        this.catalog = catalog;
    }

    @Override
    public String name() {
        return Tier.ONNX.id();
    }

    @Override
    public boolean requiresGpu() {
        return false;
    }

    @Override
    public int ramMb() {
        return catalog.entry(Tier.ONNX).ramMb();
    }

    @Override
    public boolean isAvailable() {
        return unavailableReason().isEmpty();
    }

    @Override
    public Optional<String> unavailableReason() {
        return analyzers.unavailableReason(true);
    }

    @Override
    public String lifecycleState() {
        return analyzers.lifecycle(true);
    }

    @Override
    public int concurrency() {
        return analyzers.options().sessions();
    }

    @Override
    public Uni<Void> start() {
        return Uni.createFrom().completionStage(analyzers::full).replaceWithVoid();
    }

    @Override
    public Uni<Void> stop() {
        return Uni.createFrom().voidItem();
    }

    @Override
    public Uni<FrameDescription> describe(CapturedFrame frame, String prompt) {
        return Uni.createFrom().completionStage(analyzers::full)
                .onFailure().transform(e -> new BackendFailure(name(), true, "models unavailable: " + rootMessage(e), e))
                .chain(analyzer -> analyzers.run(() -> describe(analyzer, frame)));
    }

    private FrameDescription describe(OnnxSceneAnalyzer analyzer, CapturedFrame frame) {
        SceneAnalysis analysis = analyzer.analyze(images.decode(frame), frame.camera());
        return new FrameDescription(caption(analysis, frame), OnnxSceneAnalyzer.MODEL, analysis.objects(),
                analysis.texts());
    }

    /**
     * The cheap eyes of the escalation pipeline: objects and text of one frame, whatever tier is selected
     * (the breaker of the onnx tier is not involved: a failure here sends the frame down the chain as before).
     */
    public Uni<SceneAnalysis> analyze(CapturedFrame frame) {
        return Uni.createFrom().completionStage(analyzers::full)
                .onFailure().transform(e -> new BackendFailure(name(), true, "models unavailable: " + rootMessage(e), e))
                .chain(analyzer -> analyzers.run(() -> analyzer.analyze(images.decode(frame), frame.camera())));
    }

    /** The onnx sentence for an analysed frame; a screen agent's frame is a screen even when no monitor is detected. */
    public static String caption(SceneAnalysis analysis, CapturedFrame frame) {
        return SceneCaptionWriter.caption(analysis, frame.source() == io.sightline.common.kafka.FrameSource.SCREEN);
    }

    public static String model() {
        return OnnxSceneAnalyzer.MODEL;
    }

    static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage();
    }
}
