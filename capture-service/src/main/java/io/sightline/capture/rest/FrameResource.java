package io.sightline.capture.rest;

import io.opentelemetry.context.Context;
import io.sightline.capture.config.CaptureConfig;
import io.sightline.capture.service.CameraRegistry;
import io.sightline.capture.service.CaptureRejection;
import io.sightline.common.kafka.FrameSource;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;

/**
 * HTTP push of single frames ({@code image/jpeg} or {@code image/png}) for screen-capture agents and
 * other producers. Answers 202 with the frame id only after Kafka acknowledged the record; 503 means the
 * frame may or may not be on Kafka, so a client retries with the same {@value #IDEMPOTENCY_KEY}.
 */
@Path("/api/v1/frames")
@Produces(MediaType.APPLICATION_JSON)
public class FrameResource {

    /** A client's id of one push; a retry with the same key yields the same frame id (see the README's push contract). */
    public static final String IDEMPOTENCY_KEY = "Idempotency-Key";
    private static final int MAX_KEY_LENGTH = 200;
    /**
     * Largest declared body read into an array of its size before the bytes arrived: a 720p or 1080p frame
     * fits; a bigger one is read as it arrives, so slow senders declaring 10 MiB cannot make each worker
     * thread hold that much up front.
     */
    static final int PRESIZED_BODY_BYTES = 1024 * 1024;

    private final CameraRegistry cameras;
    private final CaptureConfig config;

    FrameResource(CameraRegistry cameras, CaptureConfig config) {
        this.cameras = cameras;
        this.config = config;
    }

    @POST
    @Path("/{camera}")
    @Consumes(MediaType.WILDCARD)
    @Blocking
    public Uni<Response> push(@PathParam("camera") String camera,
                              @HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType,
                              @HeaderParam("X-Captured-At") String capturedAt,
                              @HeaderParam("X-Source") String source,
                              @HeaderParam(IDEMPOTENCY_KEY) String idempotencyKey,
                              @HeaderParam(HttpHeaders.CONTENT_LENGTH) String contentLength,
                              InputStream body) throws IOException {
        checkContentType(contentType);
        Optional<UUID> frameId = frameId(camera, idempotencyKey);
        byte[] bytes = readLimited(body, declaredLength(contentLength), config.image().maxBytes());
        return cameras.push(camera, bytes, capturedAt(capturedAt), source(source), frameId, Context.current())
                .onItem().transform(result -> Response.accepted(result).build());
    }

    /**
     * The frame id a retry with the same key gets again: a v3 (name-based) UUID of camera and key, so a
     * consumer that has taken the frame once skips the re-push. Absent key: a random id.
     */
    static Optional<UUID> frameId(String camera, String key) {
        if (key == null) {
            return Optional.empty();
        }
        String value = key.trim();
        if (value.isEmpty() || value.length() > MAX_KEY_LENGTH || !value.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
            throw CaptureRejection.badRequest("invalid_idempotency_key", IDEMPOTENCY_KEY + " must be 1 to " + MAX_KEY_LENGTH
                    + " visible ASCII characters (a UUID is a good choice)");
        }
        return Optional.of(UUID.nameUUIDFromBytes(("sightline-push\n" + camera + "\n" + value).getBytes(StandardCharsets.UTF_8)));
    }

    private static void checkContentType(String contentType) {
        String type = contentType == null ? "" : contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
        // image/jpg is not registered but common (browsers, phone apps, some agents): taken as image/jpeg
        if (!type.equals("image/jpeg") && !type.equals("image/jpg") && !type.equals("image/png")) {
            throw new CaptureRejection(415, "unsupported_media_type", "Content-Type must be image/jpeg or image/png, was "
                    + (contentType == null ? "missing" : "'" + contentType + "'"));
        }
    }

    /**
     * The body as one array, which is then the Kafka record's value as it is. With a Content-Length of at most
     * {@value #PRESIZED_BODY_BYTES} bytes (and within the limit) the bytes go straight into an array of that
     * size; otherwise (chunked, larger, over the limit) up to limit + 1 bytes are read in chunks and joined as
     * they arrive, and more than the limit is a 413.
     */
    static byte[] readLimited(InputStream body, long declaredLength, int limit) throws IOException {
        byte[] bytes;
        if (body == null) {
            bytes = new byte[0];
        } else if (declaredLength >= 0 && declaredLength <= Math.min(limit, PRESIZED_BODY_BYTES)) {
            bytes = new byte[(int) declaredLength];
            int read = body.readNBytes(bytes, 0, bytes.length);
            if (read < bytes.length) {
                // fewer bytes than declared: what came is judged like any other truncated image
                bytes = Arrays.copyOf(bytes, read);
            } else {
                // on to the end of the stream, as the chunked read does: the frame is handled once the request has
                // ended, as it always was (and a body longer than declared is not cut short silently)
                byte[] rest = body.readNBytes(limit + 1 - bytes.length);
                if (rest.length > 0) {
                    byte[] joined = Arrays.copyOf(bytes, bytes.length + rest.length);
                    System.arraycopy(rest, 0, joined, bytes.length, rest.length);
                    bytes = joined;
                }
            }
        } else {
            bytes = body.readNBytes(limit + 1);
        }
        if (bytes.length > limit) {
            throw new CaptureRejection(413, "image_too_large", "the body is larger than the limit of " + limit + " bytes");
        }
        if (bytes.length == 0) {
            throw CaptureRejection.badRequest("empty_body", "the body is empty; send the image bytes");
        }
        return bytes;
    }

    /** The Content-Length header's value, or -1 when it is absent or not a plain decimal number. */
    static long declaredLength(String header) {
        if (header == null || header.isEmpty() || header.length() > 18) {
            return -1;
        }
        for (int i = 0; i < header.length(); i++) {
            if (header.charAt(i) < '0' || header.charAt(i) > '9') {
                return -1;
            }
        }
        return Long.parseLong(header);
    }

    /** Epoch milliseconds or an ISO-8601 instant; absent means now. */
    private static long capturedAt(String header) {
        if (header == null || header.isBlank()) {
            return System.currentTimeMillis();
        }
        String value = header.trim();
        try {
            return value.chars().allMatch(Character::isDigit) ? Long.parseLong(value) : Instant.parse(value).toEpochMilli();
        } catch (NumberFormatException | DateTimeParseException e) {
            throw CaptureRejection.badRequest("invalid_captured_at",
                    "X-Captured-At must be epoch milliseconds or an ISO-8601 instant, was '" + value + "'");
        }
    }

    private static FrameSource source(String header) {
        try {
            return FrameSource.fromHeader(header);
        } catch (IllegalArgumentException e) {
            throw CaptureRejection.badRequest("invalid_source", "X-Source: " + e.getMessage());
        }
    }
}
