package io.sightline.common.kafka;

/**
 * Header names of a record on {@code frames}. The value is the encoded image itself (no base64),
 * the key is the camera id. W3C {@code traceparent} travels as a header too.
 */
public final class FrameHeaders {

    public static final String FRAME_ID = "frame-id";
    public static final String CAMERA = "camera";
    public static final String SOURCE = "source";
    public static final String CAPTURED_AT = "captured-at";
    public static final String WIDTH = "width";
    public static final String HEIGHT = "height";
    public static final String CONTENT_TYPE = "content-type";
    public static final String SEQ = "seq";
    public static final String CHANGE_SCORE = "change-score";
    public static final String TRACEPARENT = "traceparent";
    /**
     * IANA time zone of the camera (e.g. Pacific/Auckland): its configured {@code time_zone}, else capture-service's
     * default. Readers of the past (history-service) keep the camera's current zone for time phrases ("today").
     */
    public static final String TIME_ZONE = "time-zone";

    /** Headers added to a record sent to {@code frames.dlq}. */
    public static final String DLQ_REASON = "dead-letter-reason";
    public static final String DLQ_STAGE = "dead-letter-stage";

    /** Header carrying the schema version of JSON events. */
    public static final String SCHEMA = "schema";

    private FrameHeaders() {
    }
}
