package io.sightline.caption.backend.onnx;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;

import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * PaddleOCR PP-OCRv4 on three ONNX Runtime sessions: DB text detection, 0/180 degree direction
 * classification, CTC recognition; pre- and post-processing as PaddleOCR's {@code predict_system}.
 */
final class TextReader implements AutoCloseable {

    static final int DET_LIMIT_SIDE = 960;
    static final float[] DET_MEAN = {0.485f, 0.456f, 0.406f};
    static final float[] DET_STD = {0.229f, 0.224f, 0.225f};
    static final int CLS_HEIGHT = 48;
    static final int CLS_WIDTH = 192;
    static final float CLS_ROTATE_THRESHOLD = 0.9f;
    static final int REC_HEIGHT = 48;
    /** PaddleOCR's rec_image_shape width: narrower lines are padded to it. */
    static final int REC_MIN_WIDTH = 320;
    static final int REC_BATCH = 6;
    /** PaddleOCR's drop_score: lines recognised with less confidence are noise. */
    static final double DROP_SCORE = 0.5;

    /** One recognised line. */
    record Line(String text, double score, TextQuad quad) {
    }

    private final OrtEnvironment env;
    private final OrtSession detector;
    private final OrtSession direction;
    private final OrtSession recognizer;
    private final String detInput;
    private final String clsInput;
    private final String recInput;
    private final CtcDecoder decoder;
    private final AtomicLong recognizedCrops = new AtomicLong();
    private final AtomicLong coarsePasses = new AtomicLong();
    private final AtomicLong regionPasses = new AtomicLong();
    private final AtomicLong wholeFramePasses = new AtomicLong();
    private final AtomicLong detectedPixels = new AtomicLong();

    TextReader(OrtEnvironment env, OrtSession detector, Path detFile, OrtSession direction, Path clsFile,
               OrtSession recognizer, Path recFile, CtcDecoder decoder) {
        this.env = env;
        this.detector = detector;
        this.direction = direction;
        this.recognizer = recognizer;
        this.detInput = OrtModels.singleInput(detector, detFile);
        this.clsInput = OrtModels.singleInput(direction, clsFile);
        this.recInput = OrtModels.singleInput(recognizer, recFile);
        this.decoder = decoder;
        long[] recShape = OrtModels.outputShape(recognizer, recFile);
        long symbols = recShape[recShape.length - 1];
        if (symbols > 0 && symbols != decoder.classes()) {
            throw new ModelUnavailableException(recFile + " outputs " + symbols + " symbols but the dictionary gives "
                    + decoder.classes() + " (blank + " + (decoder.classes() - 2) + " keys + space)");
        }
    }

    /** Text lines in reading order, at most {@code maxLines} of them. */
    List<Line> read(BgrImage image, int maxLines) throws OrtException {
        return maxLines <= 0 ? List.of() : read(image, detect(image), maxLines);
    }

    /**
     * The lines inside one part of the image ({@link TextReuse}: the part of a camera's frame that changed): text
     * detection on that part only, recognition on the lines found there. Boxes are in the image's pixels.
     */
    List<Line> read(BgrImage image, TextReuse.Region part, int maxLines) throws OrtException {
        if (maxLines <= 0 || part.width() < 8 || part.height() < 8) {
            return List.of();
        }
        List<TextQuad> quads = new ArrayList<>();
        for (TextQuad q : detect(image.crop(part.x(), part.y(), part.width(), part.height()))) {
            quads.add(q.shifted(part.x(), part.y()));
        }
        return read(image, quads, maxLines);
    }

    /** The lines of the given text regions (tests: recognition on the whole-frame detection). */
    List<Line> read(BgrImage image, List<TextQuad> regions, int maxLines) throws OrtException {
        List<TextQuad> quads = sortReadingOrder(regions);
        if (quads.size() > maxLines) {
            quads = quads.subList(0, maxLines);
        }
        if (quads.isEmpty()) {
            return List.of();
        }
        List<BgrImage> crops = new ArrayList<>(quads.size());
        for (TextQuad q : quads) {
            crops.add(crop(image, q));
        }
        orient(crops);
        List<CtcDecoder.Decoded> decoded = recognize(crops);
        List<Line> lines = new ArrayList<>();
        for (int i = 0; i < quads.size(); i++) {
            CtcDecoder.Decoded d = decoded.get(i);
            if (d.score() >= DROP_SCORE && !d.text().isBlank()) {
                lines.add(new Line(d.text(), d.score(), quads.get(i)));
            }
        }
        return lines;
    }

    /**
     * Text regions, coarse to fine: a pass at half the frame's resolution finds where text may be (nothing: done),
     * then the full-resolution pass runs on those places only ({@link CoarseTextMap}), or on the whole frame when
     * they cover most of it. Half resolution still shows the 16 px small print of a 1080p screen 8 px high, which
     * the detector finds; at a quarter it does not (bench/caption-onnx/RESULTS.md). When the full pass itself runs
     * at half resolution or less (1920 px frames and up), there is nothing cheaper to look with: whole frame.
     */
    List<TextQuad> detect(BgrImage image) throws OrtException {
        int[] full = detInputSize(image.width, image.height);
        int[] coarse = CoarseTextMap.inputSize(image.width, image.height);
        if ((long) coarse[0] * coarse[1] * 2 > (long) full[0] * full[1]) {
            return detectWholeFrame(image);
        }
        float[] prob = probabilities(image.resize(coarse[0], coarse[1]), coarse[0], coarse[1]);
        coarsePasses.incrementAndGet();
        List<CoarseTextMap.Region> regions = CoarseTextMap.regions(prob, coarse[0], coarse[1], image.width, image.height,
                (double) full[0] / image.width, (double) full[1] / image.height);
        if (regions.isEmpty()) {
            return List.of();
        }
        if (CoarseTextMap.area(regions) > CoarseTextMap.WHOLE_FRAME_SHARE * image.width * image.height) {
            return detectWholeFrame(image);
        }
        List<TextQuad> out = new ArrayList<>();
        for (CoarseTextMap.Region r : regions) {
            BgrImage part = image.crop(r.x(), r.y(), r.width(), r.height());
            float[] regionProb = probabilities(part.resize(r.inputWidth(), r.inputHeight()), r.inputWidth(), r.inputHeight());
            regionPasses.incrementAndGet();
            for (TextQuad q : DbPostProcess.boxes(regionProb, r.inputWidth(), r.inputHeight(), r.width(), r.height())) {
                out.add(q.shifted(r.x(), r.y()));
            }
        }
        return out;
    }

    /** The full-resolution pass over the whole frame (PaddleOCR's own way). */
    List<TextQuad> detectWholeFrame(BgrImage image) throws OrtException {
        int[] size = detInputSize(image.width, image.height);
        int w = size[0];
        int h = size[1];
        float[] prob = probabilities(image.resize(w, h), w, h);
        wholeFramePasses.incrementAndGet();
        return DbPostProcess.boxes(prob, w, h, image.width, image.height);
    }

    /** The detector's text probability map of an image already at its input size (multiples of 32). */
    private float[] probabilities(BgrImage resized, int w, int h) throws OrtException {
        int plane = w * h;
        float[] chw = new float[3 * plane];
        byte[] px = resized.data;
        for (int c = 0; c < 3; c++) {
            float scale = 1f / (255f * DET_STD[c]);
            float shift = DET_MEAN[c] / DET_STD[c];
            int offset = c * plane;
            for (int i = 0; i < plane; i++) {
                chw[offset + i] = (px[i * 3 + c] & 0xff) * scale - shift;
            }
        }
        float[] prob;
        try (OnnxTensor tensor = OnnxTensor.createTensor(env, FloatBuffer.wrap(chw), new long[] {1, 3, h, w});
             OrtSession.Result result = detector.run(Map.of(detInput, tensor))) {
            FloatBuffer out = ((OnnxTensor) result.get(0)).getFloatBuffer();
            prob = new float[out.remaining()];
            out.get(prob);
        }
        detectedPixels.addAndGet(plane);
        if (prob.length != plane) {
            throw new IllegalStateException("text detector returned " + prob.length + " values for a " + w + "x" + h
                    + " input");
        }
        return prob;
    }

    /** What the text detector has run so far: passes by kind and input pixels over all of them. */
    TextDetectionCounts detectionCounts() {
        return new TextDetectionCounts(coarsePasses.get(), regionPasses.get(), wholeFramePasses.get(),
                detectedPixels.get());
    }

    /** Longest side limited to 960, each side rounded to a multiple of 32 (at least 32): {width, height}. */
    static int[] detInputSize(int width, int height) {
        double ratio = Math.max(width, height) > DET_LIMIT_SIDE ? (double) DET_LIMIT_SIDE / Math.max(width, height) : 1;
        int w = (int) (width * ratio);
        int h = (int) (height * ratio);
        return new int[] {Math.max(32, (int) Math.round(w / 32.0) * 32), Math.max(32, (int) Math.round(h / 32.0) * 32)};
    }

    /**
     * Top to bottom, then left to right within a line: sorted by the top-left corner, and neighbours
     * whose tops are within 10 px swapped into left-to-right order (PaddleOCR's {@code sorted_boxes}).
     */
    static List<TextQuad> sortReadingOrder(List<TextQuad> quads) {
        List<TextQuad> sorted = new ArrayList<>(quads);
        sorted.sort(Comparator.<TextQuad>comparingDouble(q -> q.tl()[1]).thenComparingDouble(q -> q.tl()[0]));
        for (int i = 0; i < sorted.size() - 1; i++) {
            for (int j = i; j >= 0; j--) {
                TextQuad a = sorted.get(j);
                TextQuad b = sorted.get(j + 1);
                if (Math.abs(b.tl()[1] - a.tl()[1]) < 10 && b.tl()[0] < a.tl()[0]) {
                    sorted.set(j, b);
                    sorted.set(j + 1, a);
                } else {
                    break;
                }
            }
        }
        return sorted;
    }

    /** Upright crop of a (possibly rotated) text box; tall crops are turned to read horizontally. */
    static BgrImage crop(BgrImage image, TextQuad quad) {
        int w = Math.max(1, quad.cropWidth());
        int h = Math.max(1, quad.cropHeight());
        BgrImage crop = image.warpRectangle(quad.tl(), quad.tr(), quad.bl(), w, h);
        return (double) h / w >= 1.5 ? crop.rotate90CounterClockwise() : crop;
    }

    /** Turns upside-down crops upright (direction classifier says 180 degrees with p > 0.9). */
    private void orient(List<BgrImage> crops) throws OrtException {
        int n = crops.size();
        int plane = CLS_HEIGHT * CLS_WIDTH;
        float[] batch = new float[n * 3 * plane];
        for (int i = 0; i < n; i++) {
            normalizeInto(crops.get(i), CLS_HEIGHT, CLS_WIDTH, batch, i * 3 * plane);
        }
        float[] probs;
        try (OnnxTensor tensor = OnnxTensor.createTensor(env, FloatBuffer.wrap(batch),
                new long[] {n, 3, CLS_HEIGHT, CLS_WIDTH});
             OrtSession.Result result = direction.run(Map.of(clsInput, tensor))) {
            FloatBuffer out = ((OnnxTensor) result.get(0)).getFloatBuffer();
            probs = new float[out.remaining()];
            out.get(probs);
        }
        for (int i = 0; i < n; i++) {
            if (probs[i * 2 + 1] > CLS_ROTATE_THRESHOLD) {
                crops.set(i, crops.get(i).rotate180());
            }
        }
    }

    /** Recognises crops in batches of similar aspect ratio, as PaddleOCR does; results in input order. */
    private List<CtcDecoder.Decoded> recognize(List<BgrImage> crops) throws OrtException {
        int n = crops.size();
        recognizedCrops.addAndGet(n);
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Arrays.sort(order, Comparator.comparingDouble(i -> (double) crops.get(i).width / crops.get(i).height));
        CtcDecoder.Decoded[] out = new CtcDecoder.Decoded[n];
        for (int start = 0; start < n; start += REC_BATCH) {
            int end = Math.min(n, start + REC_BATCH);
            int width = REC_MIN_WIDTH;
            for (int k = start; k < end; k++) {
                BgrImage c = crops.get(order[k]);
                width = Math.max(width, recWidth(c.width, c.height));
            }
            int count = end - start;
            int size = 3 * REC_HEIGHT * width;
            float[] batch = new float[count * size];
            for (int k = start; k < end; k++) {
                normalizeInto(crops.get(order[k]), REC_HEIGHT, width, batch, (k - start) * size);
            }
            try (OnnxTensor tensor = OnnxTensor.createTensor(env, FloatBuffer.wrap(batch),
                    new long[] {count, 3, REC_HEIGHT, width});
                 OrtSession.Result result = recognizer.run(Map.of(recInput, tensor))) {
                OnnxTensor probs = (OnnxTensor) result.get(0);
                long[] shape = probs.getInfo().getShape();
                int steps = (int) shape[1];
                FloatBuffer buffer = probs.getFloatBuffer();
                float[] values = new float[buffer.remaining()];
                buffer.get(values);
                int perLine = steps * (int) shape[2];
                for (int k = start; k < end; k++) {
                    out[order[k]] = decoder.decode(values, (k - start) * perLine, steps);
                }
            }
        }
        return List.of(out);
    }

    /** Crops the recognizer has been given: only regions the text detector found. */
    long recognizedCrops() {
        return recognizedCrops.get();
    }

    /** Width of a crop resized to the recogniser's height: ceil(48 * w / h). */
    static int recWidth(int width, int height) {
        return (int) Math.ceil(REC_HEIGHT * (double) width / height);
    }

    /**
     * Resizes to {@code height} keeping the aspect ratio (width capped at {@code maxWidth}), writes
     * (x/255 - 0.5)/0.5 planar B,G,R at {@code offset}, zero padding on the right.
     */
    static void normalizeInto(BgrImage crop, int height, int maxWidth, float[] target, int offset) {
        int w = Math.max(1, Math.min(maxWidth, (int) Math.ceil(height * (double) crop.width / crop.height)));
        BgrImage resized = crop.resize(w, height);
        int plane = height * maxWidth;
        byte[] px = resized.data;
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < w; x++) {
                int src = (y * w + x) * 3;
                int dst = offset + y * maxWidth + x;
                target[dst] = (px[src] & 0xff) / 127.5f - 1f;
                target[dst + plane] = (px[src + 1] & 0xff) / 127.5f - 1f;
                target[dst + 2 * plane] = (px[src + 2] & 0xff) / 127.5f - 1f;
            }
        }
    }

    @Override
    public void close() throws OrtException {
        try {
            detector.close();
        } finally {
            try {
                direction.close();
            } finally {
                recognizer.close();
            }
        }
    }
}
