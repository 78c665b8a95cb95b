package io.sightline.capture.image;

import io.sightline.capture.gate.ChangeGate;
import io.sightline.capture.image.JpegFixtures.Encoding;
import io.sightline.testsupport.TestImages;
import org.junit.jupiter.api.Test;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

class LumaDcReaderTest {

    /**
     * DC thumbnail vs the exact cell means of a full decode, as measured on the cases below (each prints its
     * figures): photo-like scenes mean 0.3-1.1, max 9-22; the shared test images stretched to 1280x720 mean
     * 1.0-2.2, max 10-34 (page, astronaut: fine detail). The max is where a sharp edge lies in a block that
     * straddles two cells: the block's mean is spread over both. Today's subsampled thumbnail is further off
     * the same exact means in every case (mean 2.3-6.8, max 27-106), which the tests also assert.
     */
    private static final double MAX_MEAN_DIFFERENCE = 2.25;
    private static final int MAX_CELL_DIFFERENCE = 35;

    private final FrameNormaliser normaliser = new FrameNormaliser(1280, 85, 10 * 1024 * 1024, 50_000_000L);

    @Test
    void dcThumbnailMatchesTheSubsampledDecodeForEverySamplingRestartAndProgressiveMode() throws Exception {
        BufferedImage scene = JpegFixtures.scene(1280, 720, 11);
        for (Encoding encoding : List.of(Encoding.YUV420, Encoding.YUV422, Encoding.YUV444, Encoding.YUV420_RESTARTS,
                Encoding.YUV444_RESTARTS, Encoding.PROGRESSIVE, Encoding.PROGRESSIVE_444)) {
            byte[] jpeg = JpegFixtures.encode(scene, 0.85f, encoding);
            if (encoding.progressive()) {
                assertThat(scans(jpeg)).as(encoding.toString()).isGreaterThan(3);
            } else {
                assertThat(scans(jpeg)).as(encoding.toString()).isEqualTo(1);
            }
            assertMatchesSubsampledDecode(encoding.toString(), jpeg);
        }
    }

    @Test
    void dcThumbnailMatchesForOddSizesWherePartialEdgeBlocksCount() throws Exception {
        // 1001x563: neither side a multiple of 8 or 16, so the last block column/row and MCU are partial
        BufferedImage scene = JpegFixtures.scene(1001, 563, 3);
        for (Encoding encoding : List.of(Encoding.YUV420, Encoding.YUV444_RESTARTS, Encoding.PROGRESSIVE)) {
            assertMatchesSubsampledDecode("1001x563 " + encoding, JpegFixtures.encode(scene, 0.85f, encoding));
        }
    }

    @Test
    void dcThumbnailMatchesForGreyJpegs() throws Exception {
        BufferedImage colour = JpegFixtures.scene(1280, 720, 5);
        BufferedImage grey = new BufferedImage(1280, 720, BufferedImage.TYPE_BYTE_GRAY);
        grey.getGraphics().drawImage(colour, 0, 0, null);
        for (Encoding encoding : List.of(Encoding.YUV444, Encoding.YUV444_RESTARTS, Encoding.PROGRESSIVE_444)) {
            byte[] jpeg = JpegFixtures.encode(grey, 0.85f, encoding);
            assertThat(JpegHeader.parse(jpeg).components()).isEqualTo(1);
            assertMatchesSubsampledDecode("grey " + encoding, jpeg);
        }
    }

    @Test
    void dcThumbnailMatchesForTheSharedTestImagesReencoded() throws Exception {
        for (String name : List.of("astronaut.png", "chelsea.png", "coffee.png", "page.png", "text.png")) {
            BufferedImage image = BgrResampler.toBgr(TestImages.read(name));
            byte[] asItIs = JpegFixtures.encode(image, 0.85f, Encoding.YUV420);
            if (image.getWidth() >= 8 * Thumbnail.GRID && image.getHeight() >= 8 * Thumbnail.GRID) {
                assertMatchesSubsampledDecode(name, asItIs);
            } else {
                // fewer 8x8 blocks than thumbnail cells: the block means would be coarser than the grid, so ImageIO it stays
                assertThat(normaliser.keptThumbnail(asItIs, JpegHeader.parse(asItIs))).as(name).usingRecursiveComparison()
                        .isEqualTo(normaliser.subsampledThumbnail(asItIs, JpegHeader.parse(asItIs)));
            }
            // at the size pushes usually come in, where the kept path uses the DC reader
            BufferedImage large = BgrResampler.resize(image, 1280, 720);
            assertMatchesSubsampledDecode(name + " 1280x720", JpegFixtures.encode(large, 0.85f, Encoding.YUV420));
            assertMatchesSubsampledDecode(name + " 1280x720 progressive", JpegFixtures.encode(large, 0.85f, Encoding.PROGRESSIVE));
        }
    }

    @Test
    void dcThumbnailMatchesForTheBenchInputs() throws Exception {
        // FramePathBench's inputs: scene(1920, 1080, 7) at q90 and scene(1280, 720, 11) at q85, through JpegImages
        assertMatchesSubsampledDecode("bench 1080p q90", TestImages.encodeJpeg(JpegFixtures.scene(1920, 1080, 7), 0.90f));
        assertMatchesSubsampledDecode("bench 720p q85", TestImages.encodeJpeg(JpegFixtures.scene(1280, 720, 11), 0.85f));
    }

    @Test
    void dcThumbnailMatchesWhereBlocksEndOnTheirLastCoefficient() throws Exception {
        // uniform noise at quality 100: almost every block carries all 63 AC coefficients and ends without an
        // end-of-block code, so the next block's DC code follows the last AC code directly. A skip that runs
        // on past the block's end (several codes per table read) would misplace every block after it.
        BufferedImage noise = new BufferedImage(640, 512, BufferedImage.TYPE_3BYTE_BGR);
        byte[] pixels = ((java.awt.image.DataBufferByte) noise.getRaster().getDataBuffer()).getData();
        new Random(13).nextBytes(pixels);
        for (Encoding encoding : List.of(Encoding.YUV420, Encoding.YUV444_RESTARTS)) {
            assertMatchesSubsampledDecode("noise q100 " + encoding, JpegFixtures.encode(noise, 1.0f, encoding));
        }
    }

    @Test
    void keptJpegGetsItsThumbnailFromTheDcReader() throws Exception {
        byte[] jpeg = TestImages.encodeJpeg(JpegFixtures.scene(1280, 720, 11), 0.85f);

        NormalisedFrame frame = normaliser.normalise(jpeg);

        assertThat(frame.jpeg()).isSameAs(jpeg);
        assertThat(frame.thumbnail()).usingRecursiveComparison().isEqualTo(Thumbnail.of(LumaDcReader.read(jpeg)));
    }

    @Test
    void changeGateDecidesTheSameOnDcAndSubsampledThumbnails() throws Exception {
        // a camera's sequence: the same scene with fresh noise (no change), a moved object, a light change, a small object
        List<BufferedImage> frames = new ArrayList<>();
        Random noise = new Random(1);
        frames.add(withObject(noise, 100, 100, 0));
        frames.add(withObject(noise, 100, 100, 0));
        frames.add(withObject(noise, 100, 100, 0));
        frames.add(withObject(noise, 700, 300, 0));
        frames.add(withObject(noise, 700, 300, 0));
        frames.add(withObject(noise, 700, 300, 40));
        frames.add(withObject(noise, 700, 300, 40));
        frames.add(withObject(noise, 702, 301, 40));
        ChangeGate onDc = new ChangeGate(0.02, Long.MAX_VALUE, 24);
        ChangeGate onSubsampled = new ChangeGate(0.02, Long.MAX_VALUE, 24);
        List<Boolean> dcDecisions = new ArrayList<>();
        List<Boolean> subsampledDecisions = new ArrayList<>();
        for (int i = 0; i < frames.size(); i++) {
            for (Encoding encoding : List.of(Encoding.YUV420)) {
                byte[] jpeg = JpegFixtures.encode(frames.get(i), 0.85f, encoding);
                JpegHeader header = JpegHeader.parse(jpeg);
                dcDecisions.add(onDc.decide(normaliser.keptThumbnail(jpeg, header), i).publish());
                subsampledDecisions.add(onSubsampled.decide(normaliser.subsampledThumbnail(jpeg, header), i).publish());
            }
        }
        assertThat(dcDecisions).containsExactly(true, false, false, true, false, true, false, false);
        assertThat(subsampledDecisions).isEqualTo(dcDecisions);
    }

    @Test
    void unsupportedCodingIsNotReadAndTakesTheFullPathAsBefore() throws Exception {
        byte[] jpeg = TestImages.encodeJpeg(JpegFixtures.scene(1280, 720, 11), 0.85f);
        byte[] arithmetic = jpeg.clone();
        arithmetic[JpegFixtures.markerAt(arithmetic, 0xC0) + 1] = (byte) 0xC9;
        byte[] lossless = jpeg.clone();
        lossless[JpegFixtures.markerAt(lossless, 0xC0) + 1] = (byte) 0xC3;

        byte[] twelveBit = jpeg.clone();
        twelveBit[JpegFixtures.markerAt(twelveBit, 0xC0) + 4] = 12;

        assertThat(LumaDcReader.read(jpeg)).isNotNull();
        for (byte[] unsupported : List.of(arithmetic, lossless, twelveBit)) {
            assertThat(LumaDcReader.read(unsupported)).isNull();
            // not a plain JPEG, so never kept: ImageIO decodes it in full (then it is re-encoded) or rejects it, as before
            assertThat(JpegHeader.parse(unsupported).isPlainYcbcr()).isFalse();
            Throwable byImageIo = catchThrowable(() -> normaliser.decode(unsupported));
            Throwable normalised = catchThrowable(() -> normaliser.normalise(unsupported));
            assertThat(normalised == null).isEqualTo(byImageIo == null);
        }
    }

    @Test
    void losslessJpegIsRejectedAsBefore() {
        byte[] jpeg = TestImages.encodeJpeg(JpegFixtures.scene(1280, 720, 11), 0.85f);
        jpeg[JpegFixtures.markerAt(jpeg, 0xC0) + 1] = (byte) 0xC3;

        assertThatThrownBy(() -> normaliser.normalise(jpeg)).isInstanceOf(ImageRejectedException.class)
                .hasMessageContaining("Unsupported JPEG process");
    }

    @Test
    void adobeRgbJpegIsNotReadAsLuma() throws Exception {
        byte[] jpeg = TestImages.encodeJpeg(JpegFixtures.scene(1280, 720, 11), 0.85f);
        // an APP14 Adobe segment with transform 0 says the three components are R, G, B, not Y, Cb, Cr
        byte[] adobe = {(byte) 0xFF, (byte) 0xEE, 0, 14, 'A', 'd', 'o', 'b', 'e', 0, 100, 0, 0, 0, 0, 0};
        byte[] rgb = new byte[jpeg.length + adobe.length];
        System.arraycopy(jpeg, 0, rgb, 0, 2);
        System.arraycopy(adobe, 0, rgb, 2, adobe.length);
        System.arraycopy(jpeg, 2, rgb, 2 + adobe.length, jpeg.length - 2);

        assertThat(LumaDcReader.read(jpeg)).isNotNull();
        assertThat(LumaDcReader.read(rgb)).isNull();
        // ImageIO rejects this one ("Unsupported Image Type"): the DC reader must not make it acceptable
        assertSameOutcomeAsSubsampledDecode(rgb);
    }

    @Test
    void jpegWithAnIccProfileGetsImageIosThumbnail() throws Exception {
        byte[] jpeg = TestImages.encodeJpeg(JpegFixtures.scene(1280, 720, 11), 0.85f);
        // ImageIO converts through an embedded profile (and rejects a broken one), so its grey is not plain Y
        byte[] profile = java.awt.color.ICC_Profile.getInstance(java.awt.color.ColorSpace.CS_sRGB).getData();
        byte[] header = "ICC_PROFILE\0".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        int length = 2 + header.length + 2 + profile.length;
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        out.write(jpeg, 0, 2);
        out.write(new byte[] {(byte) 0xFF, (byte) 0xE2, (byte) (length >> 8), (byte) length});
        out.write(header);
        out.write(new byte[] {1, 1});
        out.write(profile);
        out.write(jpeg, 2, jpeg.length - 2);
        byte[] withProfile = out.toByteArray();

        assertThat(LumaDcReader.read(withProfile)).isNull();
        assertSameOutcomeAsSubsampledDecode(withProfile);
    }

    @Test
    void scanCutShortFallsBackToImageIo() throws Exception {
        byte[] jpeg = TestImages.encodeJpeg(JpegFixtures.scene(1280, 720, 11), 0.85f);
        int start = JpegFixtures.scanDataStart(jpeg);
        // half the entropy data, then EOI: passes the end-marker check, but the scan ends early
        int cut = start + (jpeg.length - start) / 2;
        if ((jpeg[cut - 1] & 0xFF) == 0xFF) {
            cut--;
        }
        byte[] truncated = Arrays.copyOf(jpeg, cut + 2);
        truncated[cut] = (byte) 0xFF;
        truncated[cut + 1] = (byte) 0xD9;

        assertThat(LumaDcReader.read(truncated)).isNull();
        assertSameOutcomeAsSubsampledDecode(truncated);
    }

    @Test
    void invalidHuffmanCodeFallsBackToImageIo() throws Exception {
        byte[] jpeg = TestImages.encodeJpeg(JpegFixtures.scene(1280, 720, 11), 0.85f);
        int at = JpegFixtures.scanDataStart(jpeg) + (jpeg.length / 3);
        while ((jpeg[at - 1] & 0xFF) == 0xFF) {
            at++;
        }
        // 64 one-bits (stuffed FF 00 pairs): no Huffman code is all ones, so some symbol read in them cannot decode
        byte[] corrupt = jpeg.clone();
        for (int i = 0; i < 16; i += 2) {
            corrupt[at + i] = (byte) 0xFF;
            corrupt[at + i + 1] = 0;
        }

        assertThat(LumaDcReader.read(corrupt)).isNull();
        assertSameOutcomeAsSubsampledDecode(corrupt);
    }

    @Test
    void restartMarkerOutOfSequenceFallsBackToImageIo() throws Exception {
        byte[] jpeg = JpegFixtures.encode(JpegFixtures.scene(1280, 720, 11), 0.85f, Encoding.YUV420_RESTARTS);
        byte[] swapped = jpeg.clone();
        int rst = JpegFixtures.markerAt(swapped, 0xD1);
        swapped[rst + 1] = (byte) 0xD5;

        assertThat(LumaDcReader.read(jpeg)).isNotNull();
        assertThat(LumaDcReader.read(swapped)).isNull();
        assertSameOutcomeAsSubsampledDecode(swapped);
    }

    @Test
    void randomlyCorruptedScansNeverPassWhereImageIoRejects() throws Exception {
        byte[] jpeg = JpegFixtures.encode(JpegFixtures.scene(1280, 720, 11), 0.85f, Encoding.PROGRESSIVE);
        byte[] baseline = JpegFixtures.encode(JpegFixtures.scene(1280, 720, 11), 0.85f, Encoding.YUV420_RESTARTS);
        Random random = new Random(42);
        int fallbacks = 0;
        for (int trial = 0; trial < 60; trial++) {
            byte[] source = trial % 2 == 0 ? jpeg : baseline;
            byte[] corrupt = source.clone();
            // any byte after SOI but before EOI: headers, tables and entropy data alike
            for (int n = 0; n < 1 + random.nextInt(3); n++) {
                corrupt[2 + random.nextInt(corrupt.length - 4)] = (byte) random.nextInt(256);
            }
            Throwable before = catchThrowable(() -> normaliser.subsampledThumbnail(corrupt, JpegHeader.parse(corrupt)));
            if (LumaDcReader.read(corrupt) == null) {
                fallbacks++;
            }
            if (before != null && JpegHeader.parse(corrupt) != null) {
                assertThat(catchThrowable(() -> normaliser.normalise(corrupt))).as("trial %d", trial)
                        .isInstanceOf(ImageRejectedException.class);
            }
        }
        assertThat(fallbacks).isPositive();
    }

    private void assertSameOutcomeAsSubsampledDecode(byte[] jpeg) throws Exception {
        JpegHeader header = JpegHeader.parse(jpeg);
        Throwable before = catchThrowable(() -> normaliser.subsampledThumbnail(jpeg, header));
        if (before != null) {
            assertThatThrownBy(() -> normaliser.normalise(jpeg)).isInstanceOf(ImageRejectedException.class)
                    .hasMessage(before.getMessage());
        } else {
            assertThat(normaliser.normalise(jpeg).thumbnail()).usingRecursiveComparison()
                    .isEqualTo(normaliser.subsampledThumbnail(jpeg, header));
        }
    }

    private static BufferedImage withObject(Random noise, int x, int y, int brighter) {
        BufferedImage image = JpegFixtures.scene(1280, 720, 9);
        Graphics2D g = image.createGraphics();
        g.setColor(new Color(30, 200, 60));
        g.fillRect(x, y, 200, 150);
        if (brighter > 0) {
            g.setColor(new Color(255, 255, 255, brighter * 2));
            g.fillRect(0, 0, 1280, 720);
        }
        g.dispose();
        JpegFixtures.addNoise(image, noise);
        return image;
    }

    /**
     * Today's thumbnail point-samples every n-th pixel of a subsampled decode, so on detailed scenes it is itself
     * several grey levels off the true cell means; the DC thumbnail is the area mean of the 8x8 blocks. Both are
     * held against the thumbnail of a full decode: the DC one must be close to it, and closer than today's.
     */
    private void assertMatchesSubsampledDecode(String what, byte[] jpeg) throws Exception {
        LumaBlockMeans blocks = LumaDcReader.read(jpeg);
        assertThat(blocks).as(what).isNotNull();
        Thumbnail dc = Thumbnail.of(blocks);
        Thumbnail subsampled = normaliser.subsampledThumbnail(jpeg, JpegHeader.parse(jpeg));
        Thumbnail full = exactCellMeans(BgrResampler.toBgr(TestImages.decode(jpeg)));
        assertThat(new int[] {dc.columns(), dc.rows()}).as(what).containsExactly(full.columns(), full.rows());
        double[] dcToFull = difference(dc, full);
        double[] subsampledToFull = difference(subsampled, full);
        double[] dcToSubsampled = difference(dc, subsampled);
        System.out.printf("%s: DC vs full decode mean %.2f max %.0f; subsampled vs full mean %.2f max %.0f; DC vs subsampled mean %.2f max %.0f%n",
                what, dcToFull[0], dcToFull[1], subsampledToFull[0], subsampledToFull[1], dcToSubsampled[0], dcToSubsampled[1]);
        assertThat(dcToFull[0]).as(what + " mean cell difference to a full decode").isLessThanOrEqualTo(MAX_MEAN_DIFFERENCE);
        assertThat(dcToFull[1]).as(what + " max cell difference to a full decode").isLessThanOrEqualTo(MAX_CELL_DIFFERENCE);
        assertThat(dcToFull[0]).as(what + " DC closer to the full decode than today's").isLessThanOrEqualTo(subsampledToFull[0]);
    }

    /** {@link Thumbnail#of(BufferedImage)}'s grid, but every pixel counted (it samples every other one on large images). */
    private static Thumbnail exactCellMeans(BufferedImage bgr) {
        int width = bgr.getWidth();
        int height = bgr.getHeight();
        int columns = Math.min(Thumbnail.GRID, width);
        int rows = Math.min(Thumbnail.GRID, height);
        byte[] data = ((java.awt.image.DataBufferByte) bgr.getRaster().getDataBuffer()).getData();
        byte[] cells = new byte[columns * rows];
        for (int cy = 0; cy < rows; cy++) {
            int y0 = cy * height / rows;
            int y1 = Math.max(y0 + 1, (cy + 1) * height / rows);
            for (int cx = 0; cx < columns; cx++) {
                int x0 = cx * width / columns;
                int x1 = Math.max(x0 + 1, (cx + 1) * width / columns);
                long sum = 0;
                for (int y = y0; y < y1; y++) {
                    for (int x = x0; x < x1; x++) {
                        int i = (y * width + x) * 3;
                        sum += 299L * (data[i + 2] & 0xFF) + 587L * (data[i + 1] & 0xFF) + 114L * (data[i] & 0xFF);
                    }
                }
                cells[cy * columns + cx] = (byte) (sum / (1000L * (x1 - x0) * (y1 - y0)));
            }
        }
        return new Thumbnail(columns, rows, cells);
    }

    /** Start-of-scan markers in the stream (FF DA cannot occur in entropy-coded data, which stuffs FF). */
    private static int scans(byte[] jpeg) {
        int scans = 0;
        for (int i = 0; i + 1 < jpeg.length; i++) {
            if ((jpeg[i] & 0xFF) == 0xFF && (jpeg[i + 1] & 0xFF) == 0xDA) {
                scans++;
            }
        }
        return scans;
    }

    /** Mean and max absolute cell difference. */
    private static double[] difference(Thumbnail a, Thumbnail b) {
        long sum = 0;
        int max = 0;
        for (int i = 0; i < a.cells().length; i++) {
            int d = Math.abs((a.cells()[i] & 0xFF) - (b.cells()[i] & 0xFF));
            sum += d;
            max = Math.max(max, d);
        }
        return new double[] {(double) sum / a.cells().length, max};
    }
}
