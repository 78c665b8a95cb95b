package io.sightline.caption.backend.onnx;

import org.junit.jupiter.api.Test;

import java.awt.image.BufferedImage;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** Pre- and post-processing on synthetic data with hand-computed answers. */
class VisionMathTest {

    @Test
    void bilinearResizeMatchesOpenCvHalfPixelCentres() {
        // cv2.resize(np.array([[0, 100]]), (4, 1), interpolation=INTER_LINEAR) == [[0, 25, 75, 100]]
        BgrImage row = new BgrImage(2, 1, new byte[] {0, 0, 0, 100, 100, 100});
        BgrImage wide = row.resize(4, 1);
        assertThat(new int[] {wide.at(0, 0, 0), wide.at(1, 0, 0), wide.at(2, 0, 0), wide.at(3, 0, 0)})
                .containsExactly(0, 25, 75, 100);
    }

    @Test
    void greyImagesAreReadAsTheirSampleValues() {
        BufferedImage grey = new BufferedImage(3, 2, BufferedImage.TYPE_BYTE_GRAY);
        grey.getRaster().setSample(1, 1, 0, 100);
        BgrImage bgr = BgrImage.of(grey);
        assertThat(bgr.at(1, 1, 0)).isEqualTo(100);
        assertThat(bgr.at(1, 1, 2)).isEqualTo(100);
        assertThat(bgr.at(0, 0, 1)).isZero();
    }

    @Test
    void letterboxScalesPastesTopLeftPadsWith114InBgrPlanes() {
        BufferedImage red = new BufferedImage(832, 416, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 416; y++) {
            for (int x = 0; x < 832; x++) {
                red.setRGB(x, y, 0xFF0000);
            }
        }
        Letterbox.Planes box = Letterbox.of(BgrImage.of(red), 416);

        assertThat(box.ratio()).isEqualTo(0.5);
        int plane = 416 * 416;
        float[] t = box.chw();
        assertThat(t).hasSize(3 * plane);
        // inside the pasted 416x208 image: B=0, G=0, R=255
        assertThat(t[100 * 416 + 200]).isEqualTo(0f);
        assertThat(t[2 * plane + 100 * 416 + 200]).isEqualTo(255f);
        assertThat(t[2 * plane + 207 * 416 + 415]).isEqualTo(255f);
        // below it, padding in every plane
        assertThat(t[208 * 416]).isEqualTo(114f);
        assertThat(t[plane + 300 * 416 + 10]).isEqualTo(114f);
        assertThat(t[2 * plane + 415 * 416 + 415]).isEqualTo(114f);
    }

    @Test
    void yoloxGridDecodeUsesStrideCellsAndDividesByRatio() {
        int classes = 3;
        int stride = 5 + classes;
        float[] raw = new float[YoloxDecoder.cellCount(416) * stride];
        // stride-8 grid, row 2, column 3
        int cell = 2 * 52 + 3;
        set(raw, cell * stride, 0.5f, 0.5f, (float) Math.log(2), 0f, 0.9f, 0.1f, 0.2f, 0.8f);
        // first cell of the stride-32 grid (after 52x52 + 26x26 cells), column 1
        int coarse = 52 * 52 + 26 * 26 + 1;
        set(raw, coarse * stride, 0.5f, 0.5f, 0f, 0f, 0.6f, 0.9f, 0f, 0f);

        List<ScoredBox> found = YoloxDecoder.candidates(java.nio.FloatBuffer.wrap(raw), 416, classes, 0.5, 0.3f, 1000, 1000);

        assertThat(found).hasSize(2);
        ScoredBox fine = found.stream().filter(b -> b.classId() == 2).findFirst().orElseThrow();
        // cx = (0.5+3)*8 = 28, cy = (0.5+2)*8 = 20, w = 2*8 = 16, h = 8; then / 0.5
        assertThat(fine.score()).isCloseTo(0.72f, within(1e-6f));
        assertBox(fine.box(), 40, 32, 72, 48);
        ScoredBox big = found.stream().filter(b -> b.classId() == 0).findFirst().orElseThrow();
        // cx = (0.5+1)*32 = 48, cy = 16, w = h = 32; then / 0.5
        assertBox(big.box(), 64, 0, 128, 64);
        assertThat(big.score()).isCloseTo(0.54f, within(1e-6f));
    }

    @Test
    void yoloxBoxesAreClippedToTheImage() {
        float[] raw = new float[YoloxDecoder.cellCount(416) * 6];
        set(raw, 0, 0f, 0f, 0f, 0f, 0.9f, 0.9f);
        List<ScoredBox> found = YoloxDecoder.candidates(java.nio.FloatBuffer.wrap(raw), 416, 1, 1.0, 0.3f, 100, 100);
        assertThat(found).hasSize(1);
        assertBox(found.get(0).box(), 0, 0, 4, 4);
    }

    @Test
    void nmsDropsOverlapsWithinAClassOnly() {
        ScoredBox best = new ScoredBox(0, 0.9f, new Box(0, 0, 100, 100));
        ScoredBox overlapping = new ScoredBox(0, 0.8f, new Box(10, 10, 110, 110)); // IoU 0.68
        ScoredBox otherClass = new ScoredBox(1, 0.7f, new Box(10, 10, 110, 110));
        ScoredBox apart = new ScoredBox(0, 0.6f, new Box(60, 0, 160, 100)); // IoU 0.25

        List<ScoredBox> kept = NonMaxSuppression.classWise(List.of(apart, overlapping, otherClass, best), 0.45);

        assertThat(kept).containsExactly(best, otherClass, apart);
    }

    @Test
    void ctcCollapsesRepeatsDropsBlanksAndMapsTheLastIndexToSpace() {
        CtcDecoder decoder = new CtcDecoder(List.of("a", "b", "c"));
        assertThat(decoder.classes()).isEqualTo(5);
        // argmax per step: a a blank a b space c c
        int[] path = {1, 1, 0, 1, 2, 4, 3, 3};
        float[] probs = new float[path.length * 5];
        for (int t = 0; t < path.length; t++) {
            for (int c = 0; c < 5; c++) {
                probs[t * 5 + c] = 0.05f;
            }
            probs[t * 5 + path[t]] = t == 3 ? 0.6f : 0.8f;
        }

        CtcDecoder.Decoded decoded = decoder.decode(probs, 0, path.length);

        assertThat(decoded.text()).isEqualTo("aab c");
        // kept steps 0, 3, 4, 5, 6 -> (0.8 + 0.6 + 0.8 + 0.8 + 0.8) / 5
        assertThat(decoded.score()).isCloseTo(0.76, within(1e-6));
    }

    @Test
    void dbPostProcessFindsRegionsUnclipsAndScalesThem() {
        int w = 100;
        int h = 60;
        float[] prob = new float[w * h];
        fill(prob, w, 10, 10, 50, 20, 0.9f);   // a 40x10 text line
        fill(prob, w, 10, 40, 50, 50, 0.45f);  // above the 0.3 threshold, below the 0.6 box score
        fill(prob, w, 70, 30, 90, 32, 0.95f);  // too thin (2 px) to be a line

        // map at half the image's size: boxes come back doubled
        List<TextQuad> quads = DbPostProcess.boxes(prob, w, h, 2 * w, 2 * h);

        assertThat(quads).hasSize(1);
        TextQuad q = quads.get(0);
        assertThat(q.score()).isCloseTo(0.9, within(1e-6));
        // pixel centres span 39 x 9; unclip distance = 39*9*1.5 / (2*(39+9)) = 5.48
        double d = DbPostProcess.unclipDistance(39, 9, 1.5);
        assertThat(d).isCloseTo(5.484, within(0.001));
        Box b = q.bounds();
        assertThat(b.x1()).isCloseTo(2 * (10 - d), within(1.0));
        assertThat(b.y1()).isCloseTo(2 * (10 - d), within(1.0));
        assertThat(b.x2()).isCloseTo(2 * (49 + d), within(1.0));
        assertThat(b.y2()).isCloseTo(2 * (19 + d), within(1.0));
    }

    @Test
    void minAreaRectFitsATiltedRectangle() {
        double angle = Math.toRadians(30);
        long[] pts = new long[2 * 4];
        double[][] corners = {{0, 0}, {60, 0}, {60, 20}, {0, 20}};
        for (int i = 0; i < 4; i++) {
            double x = corners[i][0] * Math.cos(angle) - corners[i][1] * Math.sin(angle);
            double y = corners[i][0] * Math.sin(angle) + corners[i][1] * Math.cos(angle);
            pts[2 * i] = Math.round(x * 1000) + 100_000;
            pts[2 * i + 1] = Math.round(y * 1000) + 100_000;
        }
        MinAreaRect.Rect rect = MinAreaRect.around(MinAreaRect.convexHull(pts));
        assertThat(Math.max(rect.width(), rect.height())).isCloseTo(60_000, within(5.0));
        assertThat(rect.shortSide()).isCloseTo(20_000, within(5.0));

        MinAreaRect.Rect grown = rect.expanded(1000);
        assertThat(grown.shortSide()).isCloseTo(22_000, within(5.0));
    }

    @Test
    void textLinesAreSortedTopToBottomThenLeftToRight() {
        TextQuad right = quad(200, 12);
        TextQuad left = quad(10, 18);   // same line: tops within 10 px
        TextQuad below = quad(5, 60);

        assertThat(TextReader.sortReadingOrder(List.of(below, right, left))).containsExactly(left, right, below);
    }

    @Test
    void textDetectorInputIsLimitedTo960AndMultiplesOf32() {
        assertThat(TextReader.detInputSize(1920, 1080)).containsExactly(960, 544);
        assertThat(TextReader.detInputSize(384, 191)).containsExactly(384, 192);
        assertThat(TextReader.detInputSize(10, 10)).containsExactly(32, 32);
        assertThat(TextReader.recWidth(100, 20)).isEqualTo(240);
    }

    @Test
    void upsideDownCropsTurnBack() {
        BgrImage img = new BgrImage(2, 1, new byte[] {1, 2, 3, 4, 5, 6});
        BgrImage turned = img.rotate180();
        assertThat(turned.data).containsExactly(4, 5, 6, 1, 2, 3);
        BgrImage tall = new BgrImage(1, 2, new byte[] {1, 1, 1, 9, 9, 9});
        BgrImage lying = tall.rotate90CounterClockwise();
        assertThat(lying.width).isEqualTo(2);
        // np.rot90: the top pixel ends up on the left
        assertThat(lying.at(0, 0, 0)).isEqualTo(1);
        assertThat(lying.at(1, 0, 0)).isEqualTo(9);
    }

    private static void assertBox(Box box, double x1, double y1, double x2, double y2) {
        assertThat(box.x1()).isCloseTo(x1, within(1e-4));
        assertThat(box.y1()).isCloseTo(y1, within(1e-4));
        assertThat(box.x2()).isCloseTo(x2, within(1e-4));
        assertThat(box.y2()).isCloseTo(y2, within(1e-4));
    }

    private static TextQuad quad(double x, double y) {
        return new TextQuad(new double[] {x, y}, new double[] {x + 50, y}, new double[] {x + 50, y + 20},
                new double[] {x, y + 20}, 0.9);
    }

    private static void fill(float[] map, int width, int x1, int y1, int x2, int y2, float value) {
        for (int y = y1; y < y2; y++) {
            for (int x = x1; x < x2; x++) {
                map[y * width + x] = value;
            }
        }
    }

    private static void set(float[] raw, int offset, float... values) {
        System.arraycopy(values, 0, raw, offset, values.length);
    }
}
