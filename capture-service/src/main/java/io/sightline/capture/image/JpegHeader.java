package io.sightline.capture.image;

/**
 * What a JPEG's marker segments say before its entropy-coded data: frame type (SOFn), sample
 * precision, size, component count and ids, and the IJG quality its luminance quantisation table
 * corresponds to. Read without decoding a pixel, so a frame that already fits the contract can be
 * published as it came.
 *
 * @param sofMarker    0xC0 baseline, 0xC1 extended sequential, 0xC2 progressive, others (lossless, arithmetic) are exotic
 * @param quality      estimated IJG quality 1-100 from quantisation table 0, or -1 when the JPEG carries none
 * @param rgbComponents component ids 'R','G','B' (Adobe RGB JPEG, no YCbCr transform)
 */
public record JpegHeader(int sofMarker, int precision, int width, int height, int components, int quality,
                         boolean rgbComponents) {

    /** IJG (Annex K) luminance table; its sum is order-independent, so zig-zag storage does not matter. */
    private static final int[] STD_LUMINANCE = {
            16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55,
            14, 13, 16, 24, 40, 57, 69, 56, 14, 17, 22, 29, 51, 87, 80, 62,
            18, 22, 37, 56, 68, 109, 103, 77, 24, 35, 55, 64, 81, 104, 113, 92,
            49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99};
    private static final long STD_LUMINANCE_SUM;

    static {
        long sum = 0;
        for (int v : STD_LUMINANCE) {
            sum += v;
        }
        STD_LUMINANCE_SUM = sum;
    }

    /** Whether this is an 8-bit baseline or progressive Huffman JPEG in YCbCr, the form every decoder handles. */
    public boolean isPlainYcbcr() {
        return (sofMarker == 0xC0 || sofMarker == 0xC1 || sofMarker == 0xC2) && precision == 8 && components == 3 && !rgbComponents;
    }

    /** The header of a JPEG, or null when the segments before the scan are not well formed or carry no frame header. */
    public static JpegHeader parse(byte[] jpeg) {
        try {
            if (jpeg.length < 4 || (jpeg[0] & 0xFF) != 0xFF || (jpeg[1] & 0xFF) != 0xD8) {
                return null;
            }
            int pos = 2;
            int quality = -1;
            int sof = -1;
            int precision = 0;
            int width = 0;
            int height = 0;
            int components = 0;
            boolean rgb = false;
            while (pos + 4 <= jpeg.length) {
                if ((jpeg[pos] & 0xFF) != 0xFF) {
                    return null;
                }
                int marker = jpeg[pos + 1] & 0xFF;
                if (marker == 0xFF) {
                    pos++;
                    continue;
                }
                if (marker == 0xD8 || (marker >= 0xD0 && marker <= 0xD7) || marker == 0x01) {
                    pos += 2;
                    continue;
                }
                if (marker == 0xD9) {
                    return null;
                }
                int length = ((jpeg[pos + 2] & 0xFF) << 8) | (jpeg[pos + 3] & 0xFF);
                int segment = pos + 4;
                int end = pos + 2 + length;
                if (length < 2 || end > jpeg.length) {
                    return null;
                }
                if (marker == 0xDA) {
                    return sof < 0 ? null : new JpegHeader(sof, precision, width, height, components, quality, rgb);
                }
                if (marker == 0xDB) {
                    int at = segment;
                    while (at < end) {
                        int pq = (jpeg[at] & 0xFF) >> 4;
                        int tq = jpeg[at] & 0x0F;
                        at++;
                        long sum = 0;
                        for (int i = 0; i < 64; i++) {
                            sum += pq == 0 ? (jpeg[at + i] & 0xFF) : ((jpeg[at + 2 * i] & 0xFF) << 8 | (jpeg[at + 2 * i + 1] & 0xFF));
                        }
                        at += pq == 0 ? 64 : 128;
                        if (tq == 0) {
                            quality = qualityOf(sum);
                        }
                    }
                } else if (marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC) {
                    sof = marker;
                    precision = jpeg[segment] & 0xFF;
                    height = ((jpeg[segment + 1] & 0xFF) << 8) | (jpeg[segment + 2] & 0xFF);
                    width = ((jpeg[segment + 3] & 0xFF) << 8) | (jpeg[segment + 4] & 0xFF);
                    components = jpeg[segment + 5] & 0xFF;
                    if (components == 3) {
                        rgb = jpeg[segment + 6] == 'R' && jpeg[segment + 9] == 'G' && jpeg[segment + 12] == 'B';
                    }
                }
                pos = end;
            }
            return null;
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** Inverts libjpeg's quality scaling (scale = 5000/q below 50, 200-2q above) from the table's sum. */
    static int qualityOf(long tableSum) {
        double scale = 100.0 * tableSum / STD_LUMINANCE_SUM;
        double q = scale <= 100 ? (200 - scale) / 2 : 5000 / scale;
        return (int) Math.max(1, Math.min(100, Math.round(q)));
    }
}
