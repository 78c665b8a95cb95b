package io.sightline.capture.image;

import io.sightline.testsupport.TestImages;
import org.junit.jupiter.api.Test;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.zip.CRC32;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

public class FrameNormaliserTest {

    private final FrameNormaliser normaliser = new FrameNormaliser(1280, 85, 10 * 1024 * 1024, 50_000_000L);

    @Test
    void downscalesLongSideTo1280AndEncodesJpeg() throws Exception {
        byte[] png = TestImages.encodePng(TestImages.scene(2560, 1440, Color.BLUE, 100, 100));

        NormalisedFrame frame = normaliser.normalise(png);

        assertThat(frame.width()).isEqualTo(1280);
        assertThat(frame.height()).isEqualTo(720);
        BufferedImage decoded = TestImages.decode(frame.jpeg());
        assertThat(decoded.getWidth()).isEqualTo(1280);
        assertThat(frame.jpeg()[0] & 0xFF).isEqualTo(0xFF);
        assertThat(frame.jpeg()[1] & 0xFF).isEqualTo(0xD8);
    }

    @Test
    void downscaledFrameKeepsColoursAndLayout() throws Exception {
        // left half red, right half blue, a white bar at the top: checks channel order and orientation survive scaling
        BufferedImage source = new BufferedImage(1920, 1080, BufferedImage.TYPE_INT_RGB);
        java.awt.Graphics2D g = source.createGraphics();
        g.setColor(Color.RED);
        g.fillRect(0, 0, 960, 1080);
        g.setColor(Color.BLUE);
        g.fillRect(960, 0, 960, 1080);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, 1920, 100);
        g.dispose();

        NormalisedFrame frame = normaliser.normalise(source, 1);
        BufferedImage out = TestImages.decode(frame.jpeg());

        assertThat(out.getWidth()).isEqualTo(1280);
        assertThat(out.getHeight()).isEqualTo(720);
        assertThat(new Color(out.getRGB(200, 400)).getRed()).isGreaterThan(200);
        assertThat(new Color(out.getRGB(200, 400)).getBlue()).isLessThan(60);
        assertThat(new Color(out.getRGB(1000, 400)).getBlue()).isGreaterThan(200);
        assertThat(new Color(out.getRGB(1000, 400)).getRed()).isLessThan(60);
        assertThat(brightness(out, 640, 20)).isGreaterThan(230);
    }

    @Test
    void keepsSmallImagesAtTheirSize() throws Exception {
        TestImages.Jpeg jpeg = TestImages.jpeg("coffee.png");

        NormalisedFrame frame = normaliser.normalise(jpeg.bytes());

        assertThat(frame.width()).isEqualTo(jpeg.width());
        assertThat(frame.height()).isEqualTo(jpeg.height());
    }

    @Test
    void turnsSidewaysJpegUprightFromExifOrientation() throws Exception {
        // 400x200 stored pixels, bright square at the left; orientation 6 = rotate 90 degrees clockwise to display
        BufferedImage stored = TestImages.scene(400, 200, Color.BLACK, 0, 0);
        byte[] jpeg = withExifOrientation(TestImages.encodeJpeg(stored, 0.9f), 6);
        assertThat(ExifOrientation.read(jpeg)).isEqualTo(6);

        NormalisedFrame frame = normaliser.normalise(jpeg);

        assertThat(frame.width()).isEqualTo(200);
        assertThat(frame.height()).isEqualTo(400);
        BufferedImage upright = TestImages.decode(frame.jpeg());
        // the square at stored top-left ends up top-right after a clockwise turn
        assertThat(brightness(upright, 190, 10)).isGreaterThan(200);
        assertThat(brightness(upright, 10, 10)).isLessThan(50);
    }

    @Test
    void conformingJpegIsKeptByteForByteWithAThumbnailLikeAFullDecode() throws Exception {
        byte[] jpeg = TestImages.encodeJpeg(TestImages.read("chelsea.png"), 0.85f);

        NormalisedFrame frame = normaliser.normalise(jpeg);

        assertThat(frame.jpeg()).isEqualTo(jpeg);
        BufferedImage full = TestImages.decode(jpeg);
        assertThat(new int[] {frame.width(), frame.height()}).containsExactly(full.getWidth(), full.getHeight());
        // the reduced decode must score the same scene as unchanged against a full decode, or the gate would misfire
        Thumbnail fromFull = Thumbnail.of(BgrResampler.toBgr(full));
        assertThat(frame.thumbnail().changeFrom(fromFull, 24)).isLessThan(0.02);
        assertThat(frame.thumbnail().columns()).isEqualTo(fromFull.columns());
    }

    @Test
    void full1080pJpegIsResizedTo1280() throws Exception {
        byte[] jpeg = TestImages.encodeJpeg(TestImages.scene(1920, 1080, Color.BLUE, 100, 100), 0.85f);

        NormalisedFrame frame = normaliser.normalise(jpeg);

        assertThat(new int[] {frame.width(), frame.height()}).containsExactly(1280, 720);
        assertThat(frame.jpeg()).isNotEqualTo(jpeg);
        assertThat(TestImages.decode(frame.jpeg()).getWidth()).isEqualTo(1280);
    }

    @Test
    void bloatedQualityJpegIsReencodedSmaller() throws Exception {
        byte[] jpeg = TestImages.encodeJpeg(TestImages.read("chelsea.png"), 1.0f);
        assertThat(JpegHeader.parse(jpeg).quality()).isGreaterThan(95);

        NormalisedFrame frame = normaliser.normalise(jpeg);

        assertThat(frame.jpeg().length).isLessThan(jpeg.length);
    }

    @Test
    void estimatesTheQualityAJpegWasWrittenWith() {
        BufferedImage image = TestImages.read("coffee.png");
        for (int quality : new int[] {30, 60, 85, 90}) {
            JpegHeader header = JpegHeader.parse(TestImages.encodeJpeg(image, quality / 100f));
            assertThat(header.quality()).as("quality %d", quality).isBetween(quality - 2, quality + 2);
            assertThat(header.isPlainYcbcr()).isTrue();
            assertThat(header.width()).isEqualTo(image.getWidth());
        }
    }

    @Test
    void jpegDeclaringAPixelBombIsRejectedFromItsHeader() {
        byte[] jpeg = TestImages.encodeJpeg(TestImages.scene(64, 48, Color.RED, 1, 1), 0.85f);
        int sof = sofOffset(jpeg);
        // height and width of the SOF0 segment: 60000 x 60000
        jpeg[sof + 5] = (byte) 0xEA;
        jpeg[sof + 6] = (byte) 0x60;
        jpeg[sof + 7] = (byte) 0xEA;
        jpeg[sof + 8] = (byte) 0x60;

        assertThatThrownBy(() -> normaliser.normalise(jpeg))
                .isInstanceOfSatisfying(ImageRejectedException.class, e -> {
                    assertThat(e.kind()).isEqualTo(ImageRejectedException.Kind.TOO_MANY_PIXELS);
                    assertThat(e.getMessage()).contains("60000x60000");
                });
    }

    private static int sofOffset(byte[] jpeg) {
        for (int i = 2; i + 1 < jpeg.length; i++) {
            if ((jpeg[i] & 0xFF) == 0xFF && ((jpeg[i + 1] & 0xFF) == 0xC0 || (jpeg[i + 1] & 0xFF) == 0xC2)) {
                return i;
            }
        }
        throw new AssertionError("no SOF marker");
    }

    @Test
    void rejectsEmptyBytes() {
        assertThatThrownBy(() -> normaliser.normalise(new byte[0]))
                .isInstanceOfSatisfying(ImageRejectedException.class, e -> assertThat(e.kind()).isEqualTo(ImageRejectedException.Kind.EMPTY));
    }

    @Test
    void rejectsBytesThatAreNoImage() {
        assertThatThrownBy(() -> normaliser.normalise("hello, this is text".getBytes()))
                .isInstanceOfSatisfying(ImageRejectedException.class, e -> {
                    assertThat(e.kind()).isEqualTo(ImageRejectedException.Kind.NOT_AN_IMAGE);
                    assertThat(e.getMessage()).contains("not a JPEG or PNG");
                });
    }

    @Test
    void rejectsTruncatedJpegAndPng() {
        byte[] jpeg = TestImages.jpeg("chelsea.png").bytes();
        byte[] png = TestImages.encodePng(TestImages.read("chelsea.png"));

        assertThatThrownBy(() -> normaliser.normalise(Arrays.copyOf(jpeg, jpeg.length / 2)))
                .isInstanceOfSatisfying(ImageRejectedException.class, e -> assertThat(e.kind()).isEqualTo(ImageRejectedException.Kind.TRUNCATED));
        assertThatThrownBy(() -> normaliser.normalise(Arrays.copyOf(png, png.length / 2)))
                .isInstanceOfSatisfying(ImageRejectedException.class, e -> assertThat(e.kind()).isEqualTo(ImageRejectedException.Kind.TRUNCATED));
    }

    @Test
    void rejectsDecompressionBombFromHeaderWithoutDecodingIt() {
        // a valid PNG header declaring 100000 x 100000 pixels (10 gigapixels) and almost no data
        byte[] bomb = pngDeclaring(100_000, 100_000);

        assertThatThrownBy(() -> normaliser.normalise(bomb))
                .isInstanceOfSatisfying(ImageRejectedException.class, e -> {
                    assertThat(e.kind()).isEqualTo(ImageRejectedException.Kind.TOO_MANY_PIXELS);
                    assertThat(e.getMessage()).contains("100000x100000");
                });
    }

    @Test
    void rejectsImagesOverTheByteLimit() {
        FrameNormaliser small = new FrameNormaliser(1280, 85, 1000, 50_000_000L);
        byte[] jpeg = TestImages.jpeg("chelsea.png").bytes();

        assertThatThrownBy(() -> small.normalise(jpeg))
                .isInstanceOfSatisfying(ImageRejectedException.class, e -> assertThat(e.kind()).isEqualTo(ImageRejectedException.Kind.TOO_MANY_BYTES));
    }

    private static int brightness(BufferedImage image, int x, int y) {
        int rgb = image.getRGB(x, y);
        return (((rgb >> 16) & 0xFF) + ((rgb >> 8) & 0xFF) + (rgb & 0xFF)) / 3;
    }

    /** Inserts an APP1 Exif segment (big-endian TIFF, one IFD entry: orientation) after SOI. */
    public static byte[] withExifOrientation(byte[] jpeg, int orientation) {
        ByteBuffer tiff = ByteBuffer.allocate(26);
        tiff.put(new byte[] {'M', 'M', 0, 42}).putInt(8).putShort((short) 1)
                .putShort((short) 0x0112).putShort((short) 3).putInt(1).putShort((short) orientation).putShort((short) 0)
                .putInt(0);
        byte[] exifHeader = {'E', 'x', 'i', 'f', 0, 0};
        int length = 2 + exifHeader.length + tiff.capacity();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(jpeg, 0, 2);
        out.write(0xFF);
        out.write(0xE1);
        out.write(length >> 8);
        out.write(length & 0xFF);
        out.writeBytes(exifHeader);
        out.writeBytes(tiff.array());
        out.write(jpeg, 2, jpeg.length - 2);
        return out.toByteArray();
    }

    static byte[] pngDeclaring(int width, int height) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A});
        ByteBuffer ihdr = ByteBuffer.allocate(13).putInt(width).putInt(height).put((byte) 8).put((byte) 2)
                .put((byte) 0).put((byte) 0).put((byte) 0);
        chunk(out, "IHDR", ihdr.array());
        chunk(out, "IDAT", new byte[] {0x78, (byte) 0x9C, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01});
        chunk(out, "IEND", new byte[0]);
        return out.toByteArray();
    }

    private static void chunk(ByteArrayOutputStream out, String type, byte[] data) {
        out.writeBytes(ByteBuffer.allocate(4).putInt(data.length).array());
        byte[] typeBytes = type.getBytes();
        out.writeBytes(typeBytes);
        out.writeBytes(data);
        CRC32 crc = new CRC32();
        crc.update(typeBytes);
        crc.update(data);
        out.writeBytes(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    }
}
