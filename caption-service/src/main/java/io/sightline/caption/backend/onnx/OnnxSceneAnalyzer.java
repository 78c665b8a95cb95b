package io.sightline.caption.backend.onnx;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.sightline.common.download.ModelFile;
import io.sightline.caption.models.RequiredModels;
import io.sightline.common.event.DetectionsProduced;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The in-process CPU vision of the {@code onnx} and {@code labels} tiers: YOLOX-Nano objects plus
 * PaddleOCR PP-OCRv4 text. One ONNX Runtime session per model, created once and shared:
 * {@link OnnxOptions#sessions()} calls run on them at once, further callers wait for a free slot. Thread-safe.
 * Inference blocks: call it from a worker thread, never the event loop.
 */
public final class OnnxSceneAnalyzer implements AutoCloseable {

    /** Model name to report for {@link #analyze} results. */
    public static final String MODEL = "yolox-nano+pp-ocrv4";
    /** Model name to report for {@link #detect} results. */
    public static final String DETECTION_MODEL = "yolox-nano";

    /**
     * One caller's slot: the shared detector and text reader plus the caller's own reusable detector tensors;
     * at most {@link OnnxOptions#sessions()} calls at once.
     */
    private record Lane(ObjectDetector objects, ObjectDetector.Scratch scratch, TextReader text) {
    }

    private final OnnxOptions options;
    private final List<String> labels;
    private final TextReuse textReuse = new TextReuse(1024, TimeUnit.SECONDS.toNanos(30));
    private final AtomicLong textReads = new AtomicLong();
    private final AtomicLong textReused = new AtomicLong();
    private final AtomicLong textPartReads = new AtomicLong();
    private final Sessions sessions;
    private final List<Lane> allLanes;
    private final BlockingQueue<Lane> freeLanes;
    private volatile boolean closed;

    private OnnxSceneAnalyzer(OnnxOptions options, List<String> labels, Sessions sessions, List<Lane> lanes) {
        this.options = options;
        this.sessions = sessions;
        this.labels = labels;
        this.allLanes = lanes;
        this.freeLanes = new ArrayBlockingQueue<>(lanes.size(), false, lanes);
    }

    /**
     * Loads YOLOX-Nano (and PaddleOCR det, cls, rec when {@link OnnxOptions#ocr()}) from {@code modelsDir}
     * laid out as {@code yolox-nano/...}, {@code paddleocr-v4/...}.
     *
     * @throws ModelUnavailableException naming the file that is missing, unreadable or not the expected model
     */
    public static OnnxSceneAnalyzer load(Path modelsDir, OnnxOptions options) {
        return load(modelsDir, options, SessionTuning.FIXED_SHAPE, SessionTuning.DYNAMIC_SHAPE);
    }

    /** {@link #load(Path, OnnxOptions)} with explicit allocation settings for YOLOX and for the text models (benches). */
    static OnnxSceneAnalyzer load(Path modelsDir, OnnxOptions options, SessionTuning fixedShape,
                                  SessionTuning dynamicShape) {
        Objects.requireNonNull(modelsDir, "modelsDir");
        Objects.requireNonNull(options, "options");
        List<String> labels = OrtModels.lines(file(modelsDir, RequiredModels.COCO_LABELS)).stream()
                .filter(l -> !l.isBlank()).map(PlainWords::label).toList();
        CtcDecoder decoder = options.ocr()
                ? new CtcDecoder(OrtModels.lines(file(modelsDir, RequiredModels.TEXT_DICTIONARY)))
                : null;
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        Sessions sessions = Sessions.open(env, modelsDir, options, labels, decoder, fixedShape, dynamicShape);
        List<Lane> lanes = new ArrayList<>();
        try {
            for (int i = 0; i < options.sessions(); i++) {
                lanes.add(new Lane(sessions.objects(), sessions.objects().newScratch(), sessions.text()));
            }
        } catch (OrtException | RuntimeException e) {
            lanes.forEach(l -> l.scratch().close());
            sessions.close();
            throw new ModelUnavailableException("cannot allocate ONNX Runtime tensors: " + e.getMessage(), e);
        }
        return new OnnxSceneAnalyzer(options, labels, sessions, List.copyOf(lanes));
    }

    /**
     * One ORT session per model for the whole analyzer: {@code InferenceSession::Run} is thread-safe, and
     * with one intra-op thread each concurrent call computes on its own caller thread, so N lanes on one
     * set of sessions run as fast as N sets while holding the weights, the graph and the arenas once.
     */
    private record Sessions(ObjectDetector objects, TextReader text, List<OrtSession> all) implements AutoCloseable {

        static Sessions open(OrtEnvironment env, Path dir, OnnxOptions options, List<String> labels, CtcDecoder decoder,
                             SessionTuning fixedShape, SessionTuning dynamicShape) {
            List<OrtSession> opened = new ArrayList<>();
            try (OrtSession.SessionOptions fixed = fixedShape.options(options.intraOpThreads());
                 OrtSession.SessionOptions dynamic = dynamicShape.options(options.intraOpThreads())) {
                Path yolox = file(dir, RequiredModels.YOLOX_NANO);
                OrtSession yoloxSession = track(opened, OrtModels.open(env, yolox, fixed));
                ObjectDetector objects = new ObjectDetector(env, yoloxSession, yolox, labels.size());
                TextReader text = null;
                if (decoder != null) {
                    Path det = file(dir, RequiredModels.TEXT_DETECTOR);
                    Path cls = file(dir, RequiredModels.TEXT_DIRECTION);
                    Path rec = file(dir, RequiredModels.TEXT_RECOGNIZER);
                    text = new TextReader(env,
                            track(opened, OrtModels.open(env, det, dynamic)), det,
                            track(opened, OrtModels.open(env, cls, dynamic)), cls,
                            track(opened, OrtModels.open(env, rec, dynamic)), rec,
                            decoder);
                }
                return new Sessions(objects, text, List.copyOf(opened));
            } catch (OrtException e) {
                closeQuietly(opened);
                throw new ModelUnavailableException("cannot configure ONNX Runtime: " + e.getMessage(), e);
            } catch (RuntimeException e) {
                closeQuietly(opened);
                throw e;
            }
        }

        @Override
        public void close() {
            closeQuietly(all);
        }

        private static void closeQuietly(List<OrtSession> sessions) {
            for (OrtSession s : sessions) {
                try {
                    s.close();
                } catch (OrtException | RuntimeException ignored) {
                    // closing native sessions at shutdown: nothing left to do with a failure
                }
            }
        }
    }

    private static OrtSession track(List<OrtSession> opened, OrtSession session) {
        opened.add(session);
        return session;
    }

    private static Path file(Path dir, ModelFile model) {
        return model.resolveIn(dir);
    }

    public OnnxOptions options() {
        return options;
    }

    /** The detector's labels in output order, as plain words. */
    public List<String> labels() {
        return labels;
    }

    /**
     * Objects, and text lines when {@link OnnxOptions#ocr()} is on, in one decoded image. Boxes are in
     * the image's pixels.
     */
    public SceneAnalysis analyze(BufferedImage image) {
        return run(image, options.ocr());
    }

    /**
     * {@link #analyze(BufferedImage)} for a frame of a camera: OCR runs only on what changed since the camera's
     * last read ({@link TextReuse}). The same picture: objects are detected and the last text is reused. A small
     * change: only that part of the frame is read again and the lines elsewhere are kept.
     */
    public SceneAnalysis analyze(BufferedImage image, String camera) {
        if (!options.ocr() || camera == null) {
            return analyze(image);
        }
        BgrImage bgr = BgrImage.of(image);
        TextReuse.Print print = TextReuse.print(bgr);
        long now = System.nanoTime();
        TextReuse.Plan plan = textReuse.plan(camera, print, now);
        if (plan == null) {
            SceneAnalysis full = run(InterleavedRaster.of(bgr), bgr, null);
            textReads.incrementAndGet();
            textReuse.remember(camera, print, full.texts(), now);
            return full;
        }
        if (plan.region() == null) {
            SceneAnalysis objectsOnly = run(bgr, false);
            textReused.incrementAndGet();
            return new SceneAnalysis(objectsOnly.objects(), plan.kept(), objectsOnly.detectMs(), 0);
        }
        SceneAnalysis part = run(InterleavedRaster.of(bgr), bgr, plan.region());
        textPartReads.incrementAndGet();
        List<DetectionsProduced.RecognizedText> texts = TextReuse.merge(plan.kept(), part.texts(), options.maxOcrLines());
        textReuse.rememberPart(camera, print, plan.region(), texts);
        return new SceneAnalysis(part.objects(), texts, part.detectMs(), part.ocrMs());
    }

    /** Frames of a camera whose whole text was read by OCR through {@link #analyze(BufferedImage, String)}. */
    public long textReads() {
        return textReads.get();
    }

    /** Frames of a camera where OCR read only the part that changed and kept the camera's other lines. */
    public long textPartReads() {
        return textPartReads.get();
    }

    /** Frames whose camera's last text was reused instead of running OCR. */
    public long textReused() {
        return textReused.get();
    }

    /**
     * What the text detector has run so far (coarse passes, full-resolution region and whole-frame passes, input
     * pixels); zeros without OCR.
     */
    public TextDetectionCounts textDetection() {
        return sessions.text() == null ? new TextDetectionCounts(0, 0, 0, 0) : sessions.text().detectionCounts();
    }

    /** The text reader (tests: the whole-frame detection as the reference), or null without OCR. */
    TextReader textReader() {
        return sessions.text();
    }

    /** Text regions given to the recognizer so far (it only sees regions the text detector found). */
    long recognizedCrops() {
        return sessions.text() == null ? 0 : sessions.text().recognizedCrops();
    }

    /** Objects only (labels tier). */
    public SceneAnalysis detect(BufferedImage image) {
        return run(image, false);
    }

    private SceneAnalysis run(BufferedImage image, boolean withText) {
        Objects.requireNonNull(image, "image");
        if (withText && options.ocr()) {
            return run(BgrImage.of(image), true);
        }
        // objects only: the detector reads the decoded raster in place, no B,G,R copy of the frame
        InterleavedRaster raster = InterleavedRaster.inPlace(image);
        return raster == null ? run(BgrImage.of(image), false) : run(raster, null, null);
    }

    private SceneAnalysis run(BgrImage bgr, boolean withText) {
        return run(InterleavedRaster.of(bgr), withText ? bgr : null, null);
    }

    /**
     * Objects in {@code raster}, and the text of {@code textImage} (the same frame as B,G,R bytes) unless null: of
     * {@code textPart} of it only, unless null.
     */
    private SceneAnalysis run(InterleavedRaster raster, BgrImage textImage, TextReuse.Region textPart) {
        Lane lane = acquire();
        try {
            long t0 = System.nanoTime();
            List<ScoredBox> found = lane.objects().detect(raster, options.scoreThreshold(), options.nmsIou(),
                    lane.scratch());
            long t1 = System.nanoTime();
            List<DetectionsProduced.Detection> objects = new ArrayList<>(found.size());
            for (ScoredBox b : found) {
                objects.add(new DetectionsProduced.Detection(labels.get(b.classId()), round(b.score()), toBox(b.box())));
            }
            List<DetectionsProduced.RecognizedText> texts = new ArrayList<>();
            long ocrMs = 0;
            if (textImage != null && lane.text() != null) {
                List<TextReader.Line> lines = textPart == null ? lane.text().read(textImage, options.maxOcrLines())
                        : lane.text().read(textImage, textPart, options.maxOcrLines());
                for (TextReader.Line line : lines) {
                    texts.add(new DetectionsProduced.RecognizedText(line.text(), round(line.score()),
                            toBox(line.quad().bounds())));
                }
                ocrMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t1);
            }
            return new SceneAnalysis(objects, texts, TimeUnit.NANOSECONDS.toMillis(t1 - t0), ocrMs);
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime failed on a " + raster.width() + "x" + raster.height() + " image: "
                    + e.getMessage(), e);
        } finally {
            freeLanes.add(lane);
        }
    }

    private Lane acquire() {
        try {
            while (true) {
                if (closed) {
                    throw new IllegalStateException("analyzer is closed");
                }
                Lane lane = freeLanes.poll(100, TimeUnit.MILLISECONDS);
                if (lane != null) {
                    if (closed) {
                        freeLanes.add(lane);
                        throw new IllegalStateException("analyzer is closed");
                    }
                    return lane;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for a free ONNX session", e);
        }
    }

    private static double round(double score) {
        return Math.round(score * 10_000) / 10_000.0;
    }

    private static DetectionsProduced.Box toBox(Box b) {
        return new DetectionsProduced.Box(Math.round(b.x1() * 10) / 10.0, Math.round(b.y1() * 10) / 10.0,
                Math.round((b.x2() - b.x1()) * 10) / 10.0, Math.round((b.y2() - b.y1()) * 10) / 10.0);
    }

    /** Waits (up to 30 s) for running calls to finish, then releases every session. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        List<Lane> idle = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        try {
            while (idle.size() < allLanes.size() && System.nanoTime() < deadline) {
                Lane lane = freeLanes.poll(100, TimeUnit.MILLISECONDS);
                if (lane != null) {
                    idle.add(lane);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (idle.size() == allLanes.size()) {
            idle.forEach(l -> l.scratch().close());
            sessions.close();
        }
        // else a call still runs after 30 s: its sessions stay open rather than be freed under it
    }
}
