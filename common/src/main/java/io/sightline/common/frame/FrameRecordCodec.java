package io.sightline.common.frame;

import io.sightline.common.kafka.FrameHeaders;
import io.sightline.common.kafka.FrameSource;
import io.sightline.common.kafka.Topics;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * Maps a {@link CapturedFrame} to and from a Kafka record on {@code frames} (key, headers, value).
 * Decoding validates the contract and throws {@link InvalidFrameException} naming what is wrong,
 * so consumers can dead-letter the record with that reason.
 */
public final class FrameRecordCodec {

    private FrameRecordCodec() {
    }

    public static Headers toHeaders(CapturedFrame frame) {
        RecordHeaders headers = new RecordHeaders();
        put(headers, FrameHeaders.FRAME_ID, frame.frameId().toString());
        put(headers, FrameHeaders.CAMERA, frame.camera());
        put(headers, FrameHeaders.SOURCE, frame.source().headerValue());
        put(headers, FrameHeaders.CAPTURED_AT, Long.toString(frame.capturedAt()));
        put(headers, FrameHeaders.WIDTH, Integer.toString(frame.width()));
        put(headers, FrameHeaders.HEIGHT, Integer.toString(frame.height()));
        put(headers, FrameHeaders.CONTENT_TYPE, frame.contentType());
        put(headers, FrameHeaders.SEQ, Long.toString(frame.seq()));
        put(headers, FrameHeaders.CHANGE_SCORE, Double.toString(frame.changeScore()));
        return headers;
    }

    /**
     * Reads a record of {@code frames}. The camera comes from the {@code camera} header, or from the
     * key when the header is missing; both present and different is a contract violation.
     */
    public static CapturedFrame fromRecord(String key, Headers headers, byte[] value) {
        if (value == null || value.length == 0) {
            throw new InvalidFrameException("frame record has an empty value");
        }
        if (value.length > Topics.MAX_FRAME_BYTES) {
            throw new InvalidFrameException("frame of " + value.length + " bytes exceeds " + Topics.MAX_FRAME_BYTES);
        }
        String camera = text(headers, FrameHeaders.CAMERA);
        if (camera == null) {
            camera = key;
        } else if (key != null && !key.equals(camera)) {
            throw new InvalidFrameException("record key '" + key + "' differs from camera header '" + camera + "'");
        }
        if (camera == null || camera.isBlank()) {
            throw new InvalidFrameException("frame record names no camera (key and camera header missing)");
        }
        String frameIdText = required(headers, FrameHeaders.FRAME_ID);
        UUID frameId;
        try {
            frameId = UUID.fromString(frameIdText);
        } catch (IllegalArgumentException e) {
            throw new InvalidFrameException("frame-id header is not a UUID: '" + frameIdText + "'");
        }
        String contentType = text(headers, FrameHeaders.CONTENT_TYPE);
        if (contentType == null) {
            contentType = sniffContentType(value);
            if (contentType == null) {
                throw new InvalidFrameException("value is neither JPEG nor PNG (magic bytes do not match) and no content-type header was given");
            }
        }
        if (!CapturedFrame.JPEG.equals(contentType) && !CapturedFrame.PNG.equals(contentType)) {
            throw new InvalidFrameException("unsupported content-type '" + contentType + "'");
        }
        if (!contentType.equals(sniffContentType(value))) {
            throw new InvalidFrameException("value is not a " + contentType + " image (magic bytes do not match)");
        }
        FrameSource source;
        try {
            source = FrameSource.fromHeader(text(headers, FrameHeaders.SOURCE));
        } catch (IllegalArgumentException e) {
            throw new InvalidFrameException(e.getMessage());
        }
        return new CapturedFrame(
                frameId,
                camera,
                source,
                longHeader(headers, FrameHeaders.CAPTURED_AT, System.currentTimeMillis()),
                (int) longHeader(headers, FrameHeaders.WIDTH, 0),
                (int) longHeader(headers, FrameHeaders.HEIGHT, 0),
                contentType,
                longHeader(headers, FrameHeaders.SEQ, 0),
                doubleHeader(headers, FrameHeaders.CHANGE_SCORE, 1.0),
                value);
    }

    /** image/jpeg or image/png from the magic bytes; null for anything else. */
    public static String sniffContentType(byte[] bytes) {
        if (bytes.length >= 3 && (bytes[0] & 0xFF) == 0xFF && (bytes[1] & 0xFF) == 0xD8 && (bytes[2] & 0xFF) == 0xFF) {
            return CapturedFrame.JPEG;
        }
        if (bytes.length >= 8 && (bytes[0] & 0xFF) == 0x89 && bytes[1] == 'P' && bytes[2] == 'N' && bytes[3] == 'G'
                && bytes[4] == 0x0D && bytes[5] == 0x0A && bytes[6] == 0x1A && bytes[7] == 0x0A) {
            return CapturedFrame.PNG;
        }
        return null;
    }

    public static String text(Headers headers, String name) {
        if (headers == null) {
            return null;
        }
        Header header = headers.lastHeader(name);
        return header == null || header.value() == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    private static String required(Headers headers, String name) {
        String value = text(headers, name);
        if (value == null || value.isBlank()) {
            throw new InvalidFrameException("missing header '" + name + "'");
        }
        return value;
    }

    private static long longHeader(Headers headers, String name, long fallback) {
        String value = text(headers, name);
        if (value == null || value.isBlank()) {
            return fallback;
        }
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            throw new InvalidFrameException("header '" + name + "' is not an integer: '" + value + "'");
        }
    }

    private static double doubleHeader(Headers headers, String name, double fallback) {
        String value = text(headers, name);
        if (value == null || value.isBlank()) {
            return fallback;
        }
        try {
            return Double.parseDouble(value.trim());
        } catch (NumberFormatException e) {
            throw new InvalidFrameException("header '" + name + "' is not a number: '" + value + "'");
        }
    }

    private static void put(RecordHeaders headers, String name, String value) {
        headers.add(name, value.getBytes(StandardCharsets.UTF_8));
    }
}
