package io.sightline.testsupport;

import io.sightline.common.image.JpegImages;

import javax.imageio.ImageIO;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The shared test images (../shared/testdata/images) and synthetic frames, as JPEG or PNG bytes. */
public final class TestImages {

    /** Encoded image with its pixel size. */
    public record Jpeg(byte[] bytes, int width, int height) {
    }

    private TestImages() {
    }

    /** Directory of the shared test data: system property, env var, or ../shared/testdata from the project root. */
    public static Path testdataDir() {
        String configured = System.getProperty("sightline.testdata.dir", System.getenv("SIGHTLINE_TESTDATA_DIR"));
        if (configured != null) {
            return TestAssets.require(Path.of(configured), "shared test data");
        }
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null) {
            Path candidate = dir.resolveSibling("shared").resolve("testdata");
            if (Files.isDirectory(candidate)) {
                return candidate;
            }
            dir = dir.getParent();
        }
        throw TestAssets.missing("shared test data (../shared/testdata) not found");
    }

    /** Models directory: system property, SIGHTLINE_MODELS_DIR, or ../shared/models next to testdata; skips the test when absent. */
    public static Path modelsDir() {
        String configured = System.getProperty("sightline.models.dir", System.getenv("SIGHTLINE_MODELS_DIR"));
        Path dir = configured != null ? Path.of(configured) : testdataDir().resolveSibling("models");
        // every file, not just the directory: a service under test may have created the directory to download into
        for (String file : MODEL_FILES) {
            TestAssets.require(dir.resolve(file), "ONNX model file " + file);
        }
        return dir;
    }

    /** The files of ../shared/models the tests use (the onnx tier's set). */
    private static final List<String> MODEL_FILES = List.of("yolox-nano/yolox_nano.onnx", "yolox-nano/coco_classes.txt",
            "paddleocr-v4/ch_PP-OCRv4_det_infer.onnx", "paddleocr-v4/ch_PP-OCRv4_rec_infer.onnx",
            "paddleocr-v4/ch_ppocr_mobile_v2.0_cls_infer.onnx", "paddleocr-v4/ppocr_keys_v1.txt");

    /** A shared test image; the calling test is skipped (or fails under -Dsightline.require-assets=true) if it is missing. */
    public static Path image(String name) {
        return TestAssets.require(testdataDir().resolve("images").resolve(name), "test image " + name);
    }

    public static BufferedImage read(String name) {
        try {
            BufferedImage image = ImageIO.read(image(name).toFile());
            if (image == null) {
                throw new IllegalStateException("not an image: " + image(name));
            }
            return image;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A shared test image re-encoded as JPEG (quality 0.9). */
    public static Jpeg jpeg(String name) {
        BufferedImage image = read(name);
        return new Jpeg(encodeJpeg(image, 0.9f), image.getWidth(), image.getHeight());
    }

    /** A flat image of one colour with a contrasting rectangle at (x, y): cheap synthetic scenes. */
    public static BufferedImage scene(int width, int height, Color background, int x, int y) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_3BYTE_BGR);
        Graphics2D g = image.createGraphics();
        g.setColor(background);
        g.fillRect(0, 0, width, height);
        g.setColor(background.getRed() > 128 ? Color.BLACK : Color.WHITE);
        g.fillRect(x, y, Math.max(1, width / 4), Math.max(1, height / 4));
        g.dispose();
        return image;
    }

    public static byte[] encodeJpeg(BufferedImage image, float quality) {
        return JpegImages.fitAndEncode(image, image.getWidth(), image.getHeight(), quality);
    }

    public static byte[] encodePng(BufferedImage image) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(image, "png", out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    public static BufferedImage decode(byte[] bytes) {
        try {
            BufferedImage image = ImageIO.read(new ByteArrayInputStream(bytes));
            if (image == null) {
                throw new IllegalArgumentException("bytes are not a decodable image");
            }
            return image;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
