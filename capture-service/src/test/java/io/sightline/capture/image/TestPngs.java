package io.sightline.capture.image;

/** PNGs for tests that other packages use. */
public final class TestPngs {

    private TestPngs() {
    }

    /** A structurally valid PNG whose header declares the given size (a decompression bomb when large). */
    public static byte[] declaring(int width, int height) {
        return FrameNormaliserTest.pngDeclaring(width, height);
    }
}
