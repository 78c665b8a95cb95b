package io.sightline.caption.backend.onnx;

import io.sightline.common.event.DetectionsProduced;
import io.sightline.testsupport.TestImages;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** The onnx tier on the real models and the shared test images. */
class OnnxSceneAnalyzerTest {

    private static OnnxSceneAnalyzer analyzer;

    @BeforeAll
    static void load() {
        analyzer = OnnxSceneAnalyzer.load(TestImages.modelsDir(), new OnnxOptions(1, 2, 0.45f, 0.45f, true, 20));
    }

    @AfterAll
    static void close() {
        if (analyzer == null) {
            return; // skipped: no models
        }
        analyzer.close();
    }

    @Test
    void unchangedFrameOfACameraReusesItsTextInsteadOfRunningOcr() {
        BufferedImage page = TestImages.read("page.png");
        // the same page after another JPEG round trip, as the next keep-alive frame of a still camera would be
        BufferedImage samePage = TestImages.decode(TestImages.encodeJpeg(page, 0.85f));
        long reads = analyzer.textReads();
        long reused = analyzer.textReused();

        SceneAnalysis first = analyzer.analyze(page, "reuse-cam");
        SceneAnalysis again = analyzer.analyze(samePage, "reuse-cam");

        assertThat(first.texts()).isNotEmpty();
        assertThat(again.texts()).isEqualTo(first.texts());
        assertThat(again.objects()).isEqualTo(analyzer.detect(samePage).objects());
        assertThat(analyzer.textReads() - reads).isEqualTo(1);
        assertThat(analyzer.textReused() - reused).isEqualTo(1);

        // other content on the same camera, or the same content on another camera, is read afresh
        SceneAnalysis other = analyzer.analyze(TestImages.read("text.png"), "reuse-cam");
        analyzer.analyze(page, "another-cam");
        assertThat(analyzer.textReads() - reads).isEqualTo(3);
        assertThat(other.texts()).isNotEqualTo(first.texts());
    }

    @Test
    void aSmallTextChangeIsReadAgainWhereItHappenedAndTheOtherLinesAreKept() {
        BufferedImage board = board("PRICE 42", "OPEN DAILY 9 TO 5");
        BufferedImage changed = board("PRICE 47", "OPEN DAILY 9 TO 5");
        long reads = analyzer.textReads();
        long parts = analyzer.textPartReads();

        SceneAnalysis first = analyzer.analyze(board, "board-cam");
        long pixelsBefore = analyzer.textDetection().pixels();
        SceneAnalysis second = analyzer.analyze(changed, "board-cam");
        long partPixels = analyzer.textDetection().pixels() - pixelsBefore;

        assertThat(analyzer.textReads() - reads).isEqualTo(1);
        assertThat(analyzer.textPartReads() - parts).isEqualTo(1);
        assertThat(first.texts()).hasSize(2);
        assertThat(second.texts()).hasSize(2);
        // the price line was read again from the new frame, the opening hours were kept as they were read
        assertThat(second.texts().get(0).text()).isNotEqualTo(first.texts().get(0).text()).contains("47");
        assertThat(second.texts().get(1)).isEqualTo(first.texts().get(1));
        // and the detector looked at a small part of the frame, not the whole of it
        assertThat(partPixels).isPositive().isLessThan(1280L * 720 / 4);
    }

    @Test
    void somethingMovingAwayFromTheTextKeepsEveryLine() {
        BufferedImage board = board("PRICE 42", "OPEN DAILY 9 TO 5");
        SceneAnalysis first = analyzer.analyze(board, "moving-cam");
        long parts = analyzer.textPartReads();
        for (int step = 0; step < 3; step++) {
            BufferedImage frame = board("PRICE 42", "OPEN DAILY 9 TO 5");
            Graphics2D g = frame.createGraphics();
            g.setColor(Color.DARK_GRAY);
            g.fillRect(900 + step * 40, 300, 60, 60);
            g.dispose();
            assertThat(analyzer.analyze(frame, "moving-cam").texts()).isEqualTo(first.texts());
        }
        assertThat(analyzer.textPartReads() - parts).isEqualTo(3);
    }

    private static BufferedImage board(String... lines) {
        BufferedImage image = new BufferedImage(1280, 720, BufferedImage.TYPE_3BYTE_BGR);
        Graphics2D g = image.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, 1280, 720);
        g.setColor(Color.BLACK);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 28));
        for (int i = 0; i < lines.length; i++) {
            g.drawString(lines[i], 100, 100 + i * 400);
        }
        g.dispose();
        return image;
    }

    @Test
    void seesThePersonInAstronaut() {
        SceneAnalysis scene = analyzer.analyze(TestImages.read("astronaut.png"));

        DetectionsProduced.Detection best = scene.objects().get(0);
        assertThat(best.label()).isEqualTo("person");
        assertThat(best.score()).isGreaterThan(0.85);
        // the astronaut fills most of the left and centre of the 512x512 portrait
        assertThat(best.box().width() * best.box().height()).isGreaterThan(0.4 * 512 * 512);
        assertThat(best.box().x() + best.box().width()).isLessThanOrEqualTo(512);
        assertThat(SceneCaptionWriter.caption(scene)).isEqualTo("A person is visible.");
    }

    @Test
    void seesTheCupOnTheTableInCoffee() {
        SceneAnalysis scene = analyzer.analyze(TestImages.read("coffee.png"));

        assertThat(scene.objects()).extracting(DetectionsProduced.Detection::label).startsWith("cup").contains("table");
        assertThat(SceneCaptionWriter.caption(scene)).isEqualTo("A cup is on a table.");
        assertThat(SceneCaptionWriter.labels(scene)).isEqualTo("Scene contains: cup, table");
    }

    @Test
    void seesTheCatInChelsea() {
        SceneAnalysis scene = analyzer.analyze(TestImages.read("chelsea.png"));

        assertThat(scene.objects()).extracting(DetectionsProduced.Detection::label).containsExactly("cat");
        assertThat(SceneCaptionWriter.caption(scene)).isEqualTo("A cat is visible.");
    }

    @Test
    void readsThePrintedPageInReadingOrder() {
        SceneAnalysis scene = analyzer.analyze(TestImages.read("page.png"));

        String read = scene.texts().stream().map(DetectionsProduced.RecognizedText::text)
                .collect(Collectors.joining("\n")).toLowerCase(Locale.ROOT);
        assertThat(read).contains("region-based segmentation", "determine markers", "coins", "background", "histogram");
        assertThat(read.indexOf("region-based")).isLessThan(read.indexOf("histogram"));
        assertThat(scene.texts()).allSatisfy(t -> assertThat(t.score()).isGreaterThanOrEqualTo(0.5));
        String caption = SceneCaptionWriter.caption(scene);
        assertThat(caption).startsWith("A page of text reads: 'Region-based segmentation / Let us first determine");
        assertThat(caption.toLowerCase(Locale.ROOT)).contains("markers", "coins");
    }

    @Test
    void handwritingPhotoGivesNoPhantomObjects() {
        // text.png is handwritten maths on a tilted sheet: PP-OCRv4's detector finds no printed text in it,
        // and at the default score YOLOX-Nano must not report its strokes as objects (it sees "birds" at 0.4)
        SceneAnalysis scene = analyzer.analyze(TestImages.read("text.png"));

        assertThat(scene.objects()).isEmpty();
    }

    @Test
    void readsScreenTextUprightUpsideDownAndTilted() {
        for (double angle : new double[] {0, 180, 8}) {
            SceneAnalysis scene = analyzer.analyze(screen(angle));

            // from a screen agent (frame source screen) the text is on a screen although no monitor is in view
            String caption = SceneCaptionWriter.caption(scene, true);
            assertThat(caption).as("caption of a screen turned %s degrees", angle)
                    .startsWith("The screen shows text: '");
            // PP-OCRv4 is a Chinese/English model that sometimes drops the space between English words
            assertThat(caption.replace(" ", "")).as("caption of a screen turned %s degrees: %s", angle, caption)
                    .containsIgnoringCase("Invoice2041")
                    .containsIgnoringCase("due12May")
                    .containsIgnoringCase("ONNXRuntimeinJava");
        }
    }

    @Test
    void readsAFullHdScreenIncludingSmallPrint() {
        BufferedImage frame = new BufferedImage(1920, 1080, BufferedImage.TYPE_3BYTE_BGR);
        Graphics2D g = frame.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, 1920, 1080);
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 28));
        g.drawString("Tests: 412 passed, 0 failed", 120, 200);
        g.setFont(new Font(Font.MONOSPACED, Font.PLAIN, 16));
        g.drawString("last updated 23:41 by ci-bot", 1200, 900);
        g.dispose();

        SceneAnalysis scene = analyzer.analyze(frame);

        assertThat(scene.texts()).hasSize(2);
        assertThat(scene.texts().get(0).text().replace(" ", "")).isEqualToIgnoringCase("Tests:412passed,0failed");
        assertThat(scene.texts().get(1).text().replace(" ", "")).isEqualToIgnoringCase("lastupdated23:41byci-bot");
        // the box is in frame pixels although the detector ran at 960x544
        DetectionsProduced.Box small = scene.texts().get(1).box();
        assertThat(small.x()).isBetween(1180.0, 1210.0);
        assertThat(small.y() + small.height()).isBetween(895.0, 915.0);
    }

    @Test
    void aPhotoWithoutTextRunsOnlyTheHalfResolutionTextPass() {
        for (String name : List.of("astronaut.png", "chelsea.png", "coffee.png")) {
            BufferedImage photo = TestImages.read(name);
            TextDetectionCounts before = analyzer.textDetection();

            SceneAnalysis scene = analyzer.analyze(photo);

            TextDetectionCounts after = analyzer.textDetection();
            int[] coarse = CoarseTextMap.inputSize(photo.getWidth(), photo.getHeight());
            assertThat(scene.texts()).as(name).isEmpty();
            assertThat(after.coarsePasses() - before.coarsePasses()).as(name).isEqualTo(1);
            assertThat(after.regionPasses() - before.regionPasses()).as(name + ": no full-resolution pass").isZero();
            assertThat(after.wholeFramePasses() - before.wholeFramePasses()).as(name + ": no full-resolution pass").isZero();
            assertThat(after.pixels() - before.pixels()).as(name).isEqualTo((long) coarse[0] * coarse[1]);
            assertThat((long) coarse[0] * coarse[1]).as(name + ": a quarter of the frame's pixels")
                    .isLessThanOrEqualTo(photo.getWidth() * photo.getHeight() / 3);
        }
    }

    @Test
    void smallPrintOnALargeFrameIsReadExactlyFromTheRegionsTheCoarsePassMarked() {
        // 1280x720: the full pass would run at 960x544, the coarse one at 640x352; the 16 px line is 8 px there
        BufferedImage frame = new BufferedImage(1280, 720, BufferedImage.TYPE_3BYTE_BGR);
        Graphics2D g = frame.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, 1280, 720);
        g.drawImage(TestImages.read("chelsea.png"), 700, 100, null);
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 28));
        g.drawString("Tests: 412 passed, 0 failed", 100, 150);
        g.setFont(new Font(Font.MONOSPACED, Font.PLAIN, 16));
        g.drawString("last updated 23:41 by ci-bot", 850, 660);
        g.dispose();
        TextDetectionCounts before = analyzer.textDetection();

        SceneAnalysis scene = analyzer.analyze(frame);

        TextDetectionCounts after = analyzer.textDetection();
        assertThat(scene.texts()).hasSize(2);
        assertThat(scene.texts().get(0).text().replace(" ", "")).isEqualToIgnoringCase("Tests:412passed,0failed");
        assertThat(scene.texts().get(1).text().replace(" ", "")).isEqualToIgnoringCase("lastupdated23:41byci-bot");
        DetectionsProduced.Box small = scene.texts().get(1).box();
        assertThat(small.x()).isBetween(835.0, 860.0);
        assertThat(small.y() + small.height()).isBetween(655.0, 675.0);
        assertThat(after.wholeFramePasses() - before.wholeFramePasses()).isZero();
        assertThat(after.regionPasses() - before.regionPasses()).isEqualTo(2);
        // the full-resolution pass saw only the two lines' surroundings, a fraction of the frame's 960x544
        assertThat(after.pixels() - before.pixels()).isLessThan(640L * 352 + 960L * 544 / 4);
    }

    @Test
    void coarseToFineReadsTheTextsTheWholeFramePassReads() throws Exception {
        TextReader reader = analyzer.textReader();
        List<BufferedImage> images = List.of(TestImages.read("page.png"), TestImages.read("text.png"),
                TestImages.read("astronaut.png"), screen(0), screen(180), screen(8), board("PRICE 42"));
        for (BufferedImage image : images) {
            BgrImage bgr = BgrImage.of(image);
            // without spaces: a region's box can come out a pixel off the whole frame's, and PP-OCRv4 then
            // sometimes drops or adds the space between two English words ("Runtimein")
            List<String> wholeFrame = reader.read(bgr, reader.detectWholeFrame(bgr), 20).stream()
                    .map(l -> l.text().replace(" ", "")).toList();
            List<String> coarseToFine = reader.read(bgr, 20).stream().map(l -> l.text().replace(" ", "")).toList();
            assertThat(coarseToFine).as("%dx%d", image.getWidth(), image.getHeight()).isEqualTo(wholeFrame);
        }
    }

    @Test
    void recognitionRunsOnlyOnRegionsTheTextDetectorFound() {
        long before = analyzer.recognizedCrops();
        SceneAnalysis photo = analyzer.analyze(TestImages.read("astronaut.png"));
        assertThat(photo.texts()).isEmpty();
        assertThat(analyzer.recognizedCrops()).as("a photo without text: nothing to recognise").isEqualTo(before);

        SceneAnalysis page = analyzer.analyze(TestImages.read("page.png"));
        long crops = analyzer.recognizedCrops() - before;
        assertThat(page.texts()).isNotEmpty();
        // one crop per detected region (lines below PaddleOCR's drop score are recognised, then dropped)
        assertThat(crops).isGreaterThanOrEqualTo(page.texts().size()).isLessThanOrEqualTo(page.texts().size() + 3);
    }

    @Test
    void detectOnlyReadsNoText() {
        SceneAnalysis scene = analyzer.detect(TestImages.read("page.png"));

        assertThat(scene.texts()).isEmpty();
        assertThat(scene.ocrMs()).isZero();
    }

    @Test
    void boxesAreInTheImagesOwnPixels() {
        BufferedImage small = TestImages.read("astronaut.png");
        BufferedImage large = new BufferedImage(1024, 1024, BufferedImage.TYPE_3BYTE_BGR);
        Graphics2D g = large.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.drawImage(small, 0, 0, 1024, 1024, null);
        g.dispose();

        DetectionsProduced.Box a = analyzer.detect(small).objects().get(0).box();
        DetectionsProduced.Box b = analyzer.detect(large).objects().get(0).box();

        assertThat(b.width()).isCloseTo(2 * a.width(), within(0.05 * 2 * a.width()));
        assertThat(b.height()).isCloseTo(2 * a.height(), within(0.05 * 2 * a.height()));
        assertThat(b.x()).isCloseTo(2 * a.x(), within(12.0));
    }

    @Test
    void concurrentCallsGiveTheSameAnswersAsOneAtATime() throws Exception {
        BufferedImage coffee = TestImages.read("coffee.png");
        SceneAnalysis alone = analyzer.detect(coffee);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<SceneAnalysis>> runs = pool.invokeAll(
                    java.util.Collections.nCopies(6, () -> analyzer.detect(coffee)));
            for (Future<SceneAnalysis> run : runs) {
                assertThat(run.get().objects()).isEqualTo(alone.objects());
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void missingModelIsNamedInTheError(@TempDir Path empty) {
        assertThatThrownBy(() -> OnnxSceneAnalyzer.load(empty, OnnxOptions.defaults()))
                .isInstanceOf(ModelUnavailableException.class)
                .hasMessageContaining("missing")
                .hasMessageContaining("coco_classes.txt");
    }

    @Test
    void corruptModelIsNamedInTheError(@TempDir Path dir) throws Exception {
        Files.createDirectories(dir.resolve("yolox-nano"));
        Files.copy(TestImages.modelsDir().resolve("yolox-nano/coco_classes.txt"), dir.resolve("yolox-nano/coco_classes.txt"));
        Files.write(dir.resolve("yolox-nano/yolox_nano.onnx"), "<html>404 Not Found</html>".getBytes());

        assertThatThrownBy(() -> OnnxSceneAnalyzer.load(dir, new OnnxOptions(1, 1, 0.45f, 0.45f, false, 0)))
                .isInstanceOf(ModelUnavailableException.class)
                .hasMessageContaining("cannot load model")
                .hasMessageContaining("yolox_nano.onnx");
    }

    @Test
    void closedAnalyzerRefusesWork() {
        OnnxSceneAnalyzer labelsOnly = OnnxSceneAnalyzer.load(TestImages.modelsDir(),
                new OnnxOptions(1, 1, 0.45f, 0.45f, false, 0));
        BufferedImage cat = TestImages.read("chelsea.png");
        assertThat(labelsOnly.analyze(cat).objects()).extracting(DetectionsProduced.Detection::label).containsExactly("cat");
        assertThat(labelsOnly.analyze(cat).texts()).isEmpty();

        labelsOnly.close();
        labelsOnly.close();

        assertThatThrownBy(() -> labelsOnly.detect(cat)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed");
    }

    /** A dark screen with two lines of light text, turned by {@code angle} degrees. */
    static BufferedImage screen(double angle) {
        BufferedImage image = new BufferedImage(800, 320, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(new Color(30, 30, 40));
        g.fillRect(0, 0, 800, 320);
        g.rotate(Math.toRadians(angle), 400, 160);
        g.setColor(Color.WHITE);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 36));
        g.drawString("Invoice 2041 \u2013 due 12 May", 60, 130);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 28));
        g.drawString("ONNX Runtime in Java", 60, 210);
        g.dispose();
        return image;
    }
}
