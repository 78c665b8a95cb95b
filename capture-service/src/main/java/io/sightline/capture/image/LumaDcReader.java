package io.sightline.capture.image;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Reads the luma DC coefficients of a Huffman-coded 8-bit JPEG: for each 8x8 Y block, DC/8 + 128 is the
 * block's mean luminance, so the change gate's thumbnail needs no IDCT, no colour conversion and no chroma
 * work beyond skipping its bits. Baseline and extended sequential (SOF0/SOF1) frames are entropy-decoded
 * for their DC diffs while the AC codes are skipped; of a progressive (SOF2) frame only the first scan is
 * decoded, which must be the DC scan of the luma (DC &lt;&lt; Al, the refinement bits are not needed).
 *
 * <p>The reader is strict on purpose: it answers {@code null} for anything it does not fully understand or
 * that is not exactly well formed (arithmetic coding, other precisions, lossless, Adobe RGB/CMYK, an ICC
 * profile, a luma plane that is not the full-resolution one, an unexpected marker, a Huffman code that does
 * not exist, a scan that ends early or has data left over, a restart marker out of sequence...). The caller
 * then decodes with ImageIO as before, which decides whether the image is acceptable: so a frame ImageIO
 * would reject is never accepted on the strength of this reader. The segments after the decoded scan are
 * walked too (headers parsed and checked the way libjpeg checks them, entropy data skipped) for the same
 * reason. Not thread-safe; one instance per image.
 */
final class LumaDcReader {

    private static final int SOI = 0xD8;
    private static final int EOI = 0xD9;
    private static final int SOS = 0xDA;
    private static final int DQT = 0xDB;
    private static final int DRI = 0xDD;
    private static final int DHT = 0xC4;
    private static final int RST0 = 0xD0;
    /** Huffman lookup width: codes up to this many bits decode with one table read. */
    private static final int LOOKUP_BITS = 11;
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle BIG_ENDIAN_LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

    /** Thrown (without a stack trace) when the stream is not one this reader takes; the caller falls back. */
    private static final class NotForThisReader extends RuntimeException {
        private static final NotForThisReader INSTANCE = new NotForThisReader();

        private NotForThisReader() {
            super("not for the DC reader", null, false, false);
        }
    }

    private final byte[] data;
    private int pos;

    private final HuffmanTable[] dcTables = new HuffmanTable[4];
    private final HuffmanTable[] acTables = new HuffmanTable[4];
    private final int[] quantDc = {-1, -1, -1, -1};
    private int restartInterval;
    private int adobeTransform = -1;

    private int sof = -1;
    private int width;
    private int height;
    private int[] componentIds;
    private int[] hSampling;
    private int[] vSampling;
    private int[] quantTable;
    private int hMax;
    private int vMax;
    private boolean[] dcSeen;

    /** DC coefficients of the luma blocks (MCU-padded grid), once decoded. */
    private int[] lumaDc;
    private int lumaStride;
    private int lumaShift;
    private int lumaQuant;

    private long bitBuffer;
    private int bitCount;
    private int paddingBits;
    private boolean atMarker;

    private LumaDcReader(byte[] data) {
        this.data = data;
    }

    /** The block means of a JPEG, or null when this reader does not take the stream (see the class comment). */
    static LumaBlockMeans read(byte[] jpeg) {
        try {
            return new LumaDcReader(jpeg).read();
        } catch (NotForThisReader | ArrayIndexOutOfBoundsException e) {
            return null;
        }
    }

    private static NotForThisReader fail() {
        return NotForThisReader.INSTANCE;
    }

    private LumaBlockMeans read() {
        if (data.length < 4 || u8(0) != 0xFF || u8(1) != SOI) {
            throw fail();
        }
        pos = 2;
        while (true) {
            int marker = nextMarker();
            if (marker == EOI) {
                break;
            }
            if (marker == SOI || (marker >= RST0 && marker <= RST0 + 7)) {
                throw fail();
            }
            int length = u16(pos);
            int start = pos + 2;
            int end = pos + length;
            if (length < 2 || end > data.length) {
                throw fail();
            }
            switch (marker) {
                case 0xC0, 0xC1, 0xC2 -> frame(marker, start, end);
                case DHT -> huffmanTables(start, end);
                case DQT -> quantTables(start, end);
                case DRI -> {
                    if (length != 4) {
                        throw fail();
                    }
                    restartInterval = u16(start);
                }
                case 0xEE -> adobe(start, end);
                case 0xE2 -> {
                    if (startsWith(start, end, "ICC_PROFILE")) {
                        // ImageIO converts through the profile (and rejects a broken one): its grey is not Y
                        throw fail();
                    }
                }
                case 0xFE -> { }
                case SOS -> {
                    pos = end;
                    scan(start, end);
                    continue;
                }
                default -> {
                    if (marker < 0xE0 || marker > 0xEF) {
                        // other frame types, arithmetic conditioning, DNL, hierarchical: not ours
                        throw fail();
                    }
                }
            }
            pos = end;
        }
        if (lumaDc == null) {
            throw fail();
        }
        return means();
    }

    /** The marker at {@code pos} (fill bytes skipped); leaves {@code pos} after its code. */
    private int nextMarker() {
        if (u8(pos) != 0xFF) {
            throw fail();
        }
        while (u8(pos) == 0xFF) {
            pos++;
        }
        return u8(pos++);
    }

    private void frame(int marker, int start, int end) {
        if (sof >= 0 || u8(start) != 8) {
            throw fail();
        }
        sof = marker;
        height = u16(start + 1);
        width = u16(start + 3);
        int count = u8(start + 5);
        if (width == 0 || height == 0 || (count != 1 && count != 3) || end != start + 6 + 3 * count) {
            throw fail();
        }
        componentIds = new int[count];
        hSampling = new int[count];
        vSampling = new int[count];
        quantTable = new int[count];
        dcSeen = new boolean[count];
        for (int c = 0; c < count; c++) {
            int at = start + 6 + 3 * c;
            componentIds[c] = u8(at);
            hSampling[c] = u8(at + 1) >> 4;
            vSampling[c] = u8(at + 1) & 15;
            quantTable[c] = u8(at + 2);
            if (hSampling[c] < 1 || hSampling[c] > 4 || vSampling[c] < 1 || vSampling[c] > 4 || quantTable[c] > 3) {
                throw fail();
            }
            for (int other = 0; other < c; other++) {
                if (componentIds[other] == componentIds[c]) {
                    throw fail();
                }
            }
            hMax = Math.max(hMax, hSampling[c]);
            vMax = Math.max(vMax, vSampling[c]);
        }
        if (count == 3 && componentIds[0] == 'R' && componentIds[1] == 'G' && componentIds[2] == 'B') {
            throw fail();
        }
        // the first component is luma only at full resolution; anything else is too odd to bother with
        if (hSampling[0] != hMax || vSampling[0] != vMax) {
            throw fail();
        }
    }

    private void adobe(int start, int end) {
        if (end - start >= 12 && data[start] == 'A' && data[start + 1] == 'd' && data[start + 2] == 'o'
                && data[start + 3] == 'b' && data[start + 4] == 'e') {
            adobeTransform = u8(start + 11);
        }
    }

    private void quantTables(int start, int end) {
        int at = start;
        while (at < end) {
            int precision = u8(at) >> 4;
            int id = u8(at) & 15;
            if (precision > 1 || id > 3) {
                throw fail();
            }
            int value = precision == 0 ? u8(at + 1) : u16(at + 1);
            at += 1 + (precision == 0 ? 64 : 128);
            if (value == 0 || at > end) {
                throw fail();
            }
            quantDc[id] = value;
        }
    }

    private void huffmanTables(int start, int end) {
        int at = start;
        while (at < end) {
            int tableClass = u8(at) >> 4;
            int id = u8(at) & 15;
            if (tableClass > 1 || id > 3 || at + 17 > end) {
                throw fail();
            }
            int[] counts = new int[17];
            int total = 0;
            for (int length = 1; length <= 16; length++) {
                counts[length] = u8(at + length);
                total += counts[length];
            }
            at += 17;
            if (total > 256 || at + total > end) {
                throw fail();
            }
            int[] symbols = new int[total];
            for (int i = 0; i < total; i++) {
                symbols[i] = u8(at + i);
                if (tableClass == 0 && symbols[i] > 15) {
                    throw fail();
                }
            }
            at += total;
            HuffmanTable table = new HuffmanTable(counts, symbols, tableClass == 1);
            if (tableClass == 0) {
                dcTables[id] = table;
            } else {
                acTables[id] = table;
            }
        }
    }

    /** Checks a scan header the way libjpeg does, then decodes the luma DC (first suitable scan) or skips the data. */
    private void scan(int start, int end) {
        if (sof < 0) {
            throw fail();
        }
        if (adobeTransform == 0 && componentIds.length == 3) {
            throw fail();
        }
        int count = u8(start);
        if (count < 1 || count > 4 || end != start + 1 + 2 * count + 3) {
            throw fail();
        }
        int[] components = new int[count];
        int[] dcTable = new int[count];
        int[] acTable = new int[count];
        int blocksInMcu = 0;
        for (int i = 0; i < count; i++) {
            int id = u8(start + 1 + 2 * i);
            int c = 0;
            while (c < componentIds.length && componentIds[c] != id) {
                c++;
            }
            if (c == componentIds.length) {
                throw fail();
            }
            for (int before = 0; before < i; before++) {
                if (components[before] == c) {
                    throw fail();
                }
            }
            components[i] = c;
            dcTable[i] = u8(start + 2 + 2 * i) >> 4;
            acTable[i] = u8(start + 2 + 2 * i) & 15;
            if (dcTable[i] > 3 || acTable[i] > 3 || quantDc[quantTable[c]] < 0) {
                throw fail();
            }
            blocksInMcu += count == 1 ? 1 : hSampling[c] * vSampling[c];
        }
        if (blocksInMcu > 10) {
            throw fail();
        }
        int at = start + 1 + 2 * count;
        int ss = u8(at);
        int se = u8(at + 1);
        int ah = u8(at + 2) >> 4;
        int al = u8(at + 2) & 15;
        boolean progressive = sof == 0xC2;
        if (progressive) {
            if (ss > se || se > 63 || (ss == 0 && se != 0) || (ss != 0 && count != 1) || (ah != 0 && al != ah - 1) || al > 13) {
                throw fail();
            }
        } else if (ss != 0 || se != 63 || ah != 0 || al != 0) {
            throw fail();
        }
        boolean needsDc = ss == 0 && ah == 0;
        boolean needsAc = se > 0;
        for (int i = 0; i < count; i++) {
            if ((needsDc && dcTables[dcTable[i]] == null) || (needsAc && acTables[acTable[i]] == null)) {
                throw fail();
            }
        }
        boolean hasLuma = contains(components, 0);
        if (lumaDc == null) {
            if (progressive && !(hasLuma && ss == 0 && ah == 0)) {
                // the first scan of a progressive frame has to be the luma's first DC scan
                throw fail();
            }
            if (hasLuma) {
                decode(components, dcTable, acTable, progressive ? al : -1);
                return;
            }
        }
        skipEntropyData();
    }

    private static boolean contains(int[] values, int value) {
        for (int v : values) {
            if (v == value) {
                return true;
            }
        }
        return false;
    }

    /** Entropy data up to the next marker that is not a restart; the data itself is not looked at. */
    private void skipEntropyData() {
        int n = data.length - 1;
        while (pos < n) {
            // eight bytes at a time while none is 0xFF (~word has a zero byte exactly where word has 0xFF)
            while (pos + 8 <= n) {
                long inverted = ~(long) LONGS.get(data, pos);
                if (((inverted - 0x0101010101010101L) & ~inverted & 0x8080808080808080L) != 0) {
                    break;
                }
                pos += 8;
            }
            if (data[pos] == (byte) 0xFF) {
                int next = data[pos + 1] & 0xFF;
                if (next != 0 && next != 0xFF && (next < RST0 || next > RST0 + 7)) {
                    return;
                }
            }
            pos++;
        }
        throw fail();
    }

    /**
     * Decodes one scan: DC diffs of every block, AC codes skipped ({@code al < 0}, sequential) or absent
     * (progressive DC scan, point transform {@code al}). Only the luma's DC values are kept.
     */
    private void decode(int[] components, int[] dcTable, int[] acTable, int al) {
        boolean interleaved = components.length > 1;
        int mcusAcross;
        int mcusDown;
        if (interleaved) {
            mcusAcross = ceilDiv(width, 8 * hMax);
            mcusDown = ceilDiv(height, 8 * vMax);
        } else {
            // the luma is at full resolution, so its own block grid is the image's
            mcusAcross = ceilDiv(width, 8);
            mcusDown = ceilDiv(height, 8);
        }
        int count = components.length;
        int[] blocksH = new int[count];
        int[] blocksV = new int[count];
        HuffmanTable[] dc = new HuffmanTable[count];
        HuffmanTable[] ac = new HuffmanTable[count];
        for (int i = 0; i < count; i++) {
            blocksH[i] = interleaved ? hSampling[components[i]] : 1;
            blocksV[i] = interleaved ? vSampling[components[i]] : 1;
            dc[i] = dcTables[dcTable[i]].prepared();
            ac[i] = al < 0 ? acTables[acTable[i]].prepared() : null;
        }
        int lumaAcross = interleaved ? hMax : 1;
        int lumaDown = interleaved ? vMax : 1;
        lumaStride = mcusAcross * lumaAcross;
        int[] luma = new int[lumaStride * mcusDown * lumaDown];
        int[] predictor = new int[count];
        int untilRestart = restartInterval;
        int restartIndex = 0;
        int mcus = mcusAcross * mcusDown;
        resetBits();
        for (int mcu = 0; mcu < mcus; mcu++) {
            if (restartInterval > 0 && untilRestart == 0) {
                restart(restartIndex++);
                java.util.Arrays.fill(predictor, 0);
                untilRestart = restartInterval;
            }
            untilRestart--;
            int mcuX = mcu % mcusAcross;
            int mcuY = mcu / mcusAcross;
            for (int i = 0; i < count; i++) {
                boolean isLuma = components[i] == 0;
                for (int v = 0; v < blocksV[i]; v++) {
                    for (int h = 0; h < blocksH[i]; h++) {
                        if (bitCount < 32) {
                            fill();
                        }
                        int size = decodeSymbol(dc[i]);
                        if (size != 0) {
                            predictor[i] += extend(take(size), size);
                        }
                        if (isLuma) {
                            luma[(mcuY * lumaDown + v) * lumaStride + mcuX * lumaAcross + h] = predictor[i];
                        }
                        if (al < 0) {
                            skipAc(ac[i]);
                        }
                    }
                }
            }
        }
        endOfScan();
        lumaDc = luma;
        lumaShift = Math.max(al, 0);
        lumaQuant = quantDc[quantTable[0]];
    }

    /**
     * Moves past one block's AC codes. Most steps take one table read for several codes at once (see
     * {@link HuffmanTable#acSkip}); a step whose codes would reach the end of the block goes one code at a
     * time, so a block that ends without an end-of-block code ends exactly where it should.
     */
    private void skipAc(HuffmanTable table) {
        int[] skip = table.acSkip;
        long buffer = bitBuffer;
        int count = bitCount;
        int k = 1;
        while (k < 64) {
            if (count < 32) {
                bitCount = count;
                fill();
                buffer = bitBuffer;
                count = bitCount;
            }
            int entry = skip[(int) (buffer >>> (count - LOOKUP_BITS)) & ((1 << LOOKUP_BITS) - 1)];
            int advance;
            if (entry != 0) {
                int run = (entry >>> HuffmanTable.RUN_ADVANCE_SHIFT) & HuffmanTable.RUN_ADVANCE_MASK;
                if (k + run < 64) {
                    count -= entry >>> HuffmanTable.RUN_BITS_SHIFT;
                    if ((entry & HuffmanTable.RUN_ENDS_BLOCK) != 0) {
                        bitCount = count;
                        return;
                    }
                    k += run;
                    continue;
                }
                count -= (entry >> 8) & HuffmanTable.SINGLE_BITS_MASK;
                advance = entry & 0xFF;
            } else {
                bitCount = count;
                int rs = decodeSymbol(table);
                count = bitCount - (rs & 15);
                advance = HuffmanTable.advance(rs);
            }
            if (advance == HuffmanTable.END_OF_BLOCK) {
                bitCount = count;
                return;
            }
            k += advance;
        }
        bitCount = count;
        if (k > 64) {
            // a run past the end of the block: libjpeg carries on with garbage, we let ImageIO decide
            throw fail();
        }
    }

    private int decodeSymbol(HuffmanTable table) {
        int entry = table.lookup[(int) (bitBuffer >>> (bitCount - LOOKUP_BITS)) & ((1 << LOOKUP_BITS) - 1)];
        if (entry != 0) {
            bitCount -= entry >> 8;
            return entry & 0xFF;
        }
        for (int length = LOOKUP_BITS + 1; length <= 16; length++) {
            int code = (int) (bitBuffer >>> (bitCount - length)) & ((1 << length) - 1);
            if (code <= table.maxCode[length]) {
                bitCount -= length;
                return table.symbols[table.valueOffset[length] + code];
            }
        }
        throw fail();
    }

    private int take(int size) {
        bitCount -= size;
        return (int) (bitBuffer >>> bitCount) & ((1 << size) - 1);
    }

    private static int extend(int value, int size) {
        return value < (1 << (size - 1)) ? value - (1 << size) + 1 : value;
    }

    private void resetBits() {
        bitBuffer = 0;
        bitCount = 0;
        paddingBits = 0;
        atMarker = false;
    }

    /** Tops the bit buffer up to more than 56 bits; past a marker it feeds zeros and counts them. */
    private void fill() {
        int bytes = (63 - bitCount) >> 3;
        if (bytes > 0 && !atMarker && pos + 8 <= data.length) {
            // the common case: the next eight bytes hold no 0xFF (no stuffing, no marker), take what fits at once
            long word = (long) BIG_ENDIAN_LONGS.get(data, pos);
            long inverted = ~word;
            if (((inverted - 0x0101010101010101L) & ~inverted & 0x8080808080808080L) == 0) {
                bitBuffer = (bitBuffer << (bytes << 3)) | (word >>> (64 - (bytes << 3)));
                bitCount += bytes << 3;
                pos += bytes;
                return;
            }
        }
        while (bitCount <= 56) {
            int b = 0;
            if (atMarker) {
                paddingBits += 8;
            } else {
                b = data[pos] & 0xFF;
                if (b == 0xFF) {
                    int next = data[pos + 1] & 0xFF;
                    if (next == 0) {
                        pos += 2;
                    } else {
                        atMarker = true;
                        paddingBits += 8;
                        b = 0;
                    }
                } else {
                    pos++;
                }
            }
            bitBuffer = (bitBuffer << 8) | b;
            bitCount += 8;
        }
    }

    /**
     * At the end of an interval or scan the data must be used up to its last byte's padding and followed by
     * a marker: zeros invented past the marker were read (the segment ended early) or whole bytes are left.
     */
    private void checkUsedUp() {
        fill();
        int realBits = bitCount - paddingBits;
        if (!atMarker || realBits < 0 || realBits >= 8) {
            throw fail();
        }
    }

    private void restart(int index) {
        checkUsedUp();
        if (nextMarker() != RST0 + (index & 7)) {
            throw fail();
        }
        resetBits();
    }

    private void endOfScan() {
        checkUsedUp();
        int marker = pos;
        while (u8(marker) == 0xFF) {
            marker++;
        }
        if (u8(marker) >= RST0 && u8(marker) <= RST0 + 7) {
            throw fail();
        }
        resetBits();
    }

    private LumaBlockMeans means() {
        int across = ceilDiv(width, 8);
        int down = ceilDiv(height, 8);
        int[] means = new int[across * down];
        long scale = (long) lumaQuant << lumaShift;
        for (int y = 0; y < down; y++) {
            for (int x = 0; x < across; x++) {
                long eightfold = lumaDc[y * lumaStride + x] * scale + 1024;
                means[y * across + x] = (int) Math.max(0, Math.min(2040, eightfold));
            }
        }
        return new LumaBlockMeans(width, height, across, down, means);
    }

    private static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }

    private int u8(int at) {
        return data[at] & 0xFF;
    }

    private int u16(int at) {
        return (u8(at) << 8) | u8(at + 1);
    }

    private boolean startsWith(int start, int end, String text) {
        if (end - start < text.length() + 1) {
            return false;
        }
        for (int i = 0; i < text.length(); i++) {
            if (data[start + i] != text.charAt(i)) {
                return false;
            }
        }
        return data[start + text.length()] == 0;
    }

    /**
     * Canonical Huffman code (JPEG Annex C), checked as libjpeg checks it when defined; the
     * {@value #LOOKUP_BITS}-bit lookup for the short codes is built only for a table a decoded scan uses.
     */
    private static final class HuffmanTable {
        static final int END_OF_BLOCK = 0xFF;

        private final int[] counts;
        final int[] symbols;
        private final boolean ac;
        /** Largest code of each length, -1 when there is none. */
        final int[] maxCode = new int[17];
        /** Index into {@code symbols} minus the first code, per length. */
        final int[] valueOffset = new int[17];
        /** (code length << 8) | symbol for every {@value #LOOKUP_BITS}-bit prefix of a short code; 0 for longer codes. */
        int[] lookup;
        /**
         * For AC tables, per {@value #LOOKUP_BITS}-bit prefix of a short code: the first code alone, as
         * (code length + size of the coefficient's bits) << 8 | coefficients advanced (0xFF end of block), and
         * the run of codes that lie wholly in the prefix (the last one's coefficient bits may reach past it),
         * as bits used, coefficients advanced and whether the run ends with the end-of-block code. A
         * 720p q85 frame averages about two codes per prefix, so skipping a block takes half the table reads.
         */
        int[] acSkip;
        static final int SINGLE_BITS_MASK = 0x1F;
        static final int RUN_ADVANCE_SHIFT = 13;
        static final int RUN_ADVANCE_MASK = 0x3F;
        static final int RUN_ENDS_BLOCK = 1 << 19;
        static final int RUN_BITS_SHIFT = 20;

        HuffmanTable(int[] counts, int[] symbols, boolean ac) {
            this.counts = counts;
            this.symbols = symbols;
            this.ac = ac;
            int code = 0;
            int index = 0;
            for (int length = 1; length <= 16; length++) {
                valueOffset[length] = index - code;
                code += counts[length];
                index += counts[length];
                // libjpeg's check: the codes of a length must fit in it, all ones excluded ("Bogus Huffman table definition")
                if (code >= (1 << length)) {
                    throw fail();
                }
                maxCode[length] = counts[length] == 0 ? -1 : code - 1;
                code <<= 1;
            }
        }

        /** Coefficients an AC symbol (run << 4 | size) moves past: run + 1, 16 for ZRL, or end of block. */
        static int advance(int rs) {
            int size = rs & 15;
            int run = rs >> 4;
            if (size == 0) {
                return run == 15 ? 16 : END_OF_BLOCK;
            }
            return run + 1;
        }

        HuffmanTable prepared() {
            if (lookup != null) {
                return this;
            }
            int[] shortCodes = new int[1 << LOOKUP_BITS];
            int[] skips = ac ? new int[1 << LOOKUP_BITS] : null;
            int code = 0;
            int index = 0;
            for (int length = 1; length <= LOOKUP_BITS; length++) {
                int shift = LOOKUP_BITS - length;
                for (int i = 0; i < counts[length]; i++) {
                    int symbol = symbols[index];
                    int from = code << shift;
                    int to = (code + 1) << shift;
                    java.util.Arrays.fill(shortCodes, from, to, (length << 8) | symbol);
                    if (skips != null) {
                        java.util.Arrays.fill(skips, from, to, ((length + (symbol & 15)) << 8) | advance(symbol));
                    }
                    code++;
                    index++;
                }
                code <<= 1;
            }
            if (skips != null) {
                addRuns(skips, shortCodes);
            }
            acSkip = skips;
            lookup = shortCodes;
            return this;
        }

        /** Adds to each single-code entry the run of codes that start with it and lie in the prefix. */
        private static void addRuns(int[] skips, int[] shortCodes) {
            int mask = (1 << LOOKUP_BITS) - 1;
            for (int prefix = 0; prefix <= mask; prefix++) {
                if (skips[prefix] == 0) {
                    continue;
                }
                int used = 0;
                int advanced = 0;
                boolean endsBlock = false;
                while (used < LOOKUP_BITS) {
                    int entry = shortCodes[(prefix << used) & mask];
                    int length = entry >> 8;
                    // a code cut off by the prefix's end (the bits after it were zeros here) is not known yet
                    if (entry == 0 || length > LOOKUP_BITS - used) {
                        break;
                    }
                    int symbol = entry & 0xFF;
                    int advance = advance(symbol);
                    if (advance == END_OF_BLOCK) {
                        used += length;
                        endsBlock = true;
                        break;
                    }
                    if (advanced + advance > RUN_ADVANCE_MASK) {
                        break;
                    }
                    used += length + (symbol & 15);
                    advanced += advance;
                }
                skips[prefix] |= (used << RUN_BITS_SHIFT) | (endsBlock ? RUN_ENDS_BLOCK : 0) | (advanced << RUN_ADVANCE_SHIFT);
            }
        }
    }
}
