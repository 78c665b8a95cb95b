package io.sightline.capture.service;

import io.sightline.capture.camera.CameraSpec;
import io.sightline.capture.camera.SourceSpec;
import io.sightline.capture.camera.SourceType;
import io.sightline.common.net.OutboundAddressPolicy;
import io.sightline.common.net.RefusedDestinationException;
import io.sightline.common.security.SecretMasker;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.List;
import java.util.regex.Pattern;

/** Checks a camera before it is accepted: id, source type with its scheme or path, rate and gate overrides. */
final class CameraSpecValidator {

    private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

    private CameraSpecValidator() {
    }

    static void checkId(String id) {
        if (id == null || !ID.matcher(id).matches()) {
            throw CaptureRejection.badRequest("invalid_camera_id",
                    "camera id must be 1-64 characters of letters, digits, '.', '_' or '-', starting with a letter or digit");
        }
    }

    /** The spec with the path's id, or a 400 naming the problem. */
    static CameraSpec validate(String id, CameraSpec body, OutboundAddressPolicy outbound, MediaRoots media) {
        checkId(id);
        if (body == null) {
            throw CaptureRejection.badRequest("invalid_camera", "request body with a camera is required");
        }
        if (body.id() != null && !body.id().equals(id)) {
            throw CaptureRejection.badRequest("invalid_camera", "body id '" + body.id() + "' differs from the path id '" + id + "'");
        }
        SourceSpec source = body.source();
        if (source == null || source.type() == null) {
            throw CaptureRejection.badRequest("invalid_source", "source with a type is required (" + SourceType.names() + ")");
        }
        switch (source.type()) {
            case RTSP -> requireUrl(source, List.of("rtsp", "rtsps"), outbound);
            case MJPEG, SNAPSHOT -> requireUrl(source, List.of("http", "https"), outbound);
            case FILE, DIRECTORY -> requirePath(source);
            case PUSH -> {
                if (source.url() != null || source.path() != null) {
                    throw CaptureRejection.badRequest("invalid_source", "a push source takes no url or path");
                }
            }
            default -> throw new IllegalStateException("unhandled source type " + source.type());
        }
        if (body.fps() != null && !(body.fps() > 0 && body.fps() <= 30)) {
            throw CaptureRejection.badRequest("invalid_fps", "fps must be above 0 and at most 30, was " + body.fps());
        }
        if (body.changeThreshold() != null && !(body.changeThreshold() >= 0 && body.changeThreshold() < 1)) {
            throw CaptureRejection.badRequest("invalid_change_threshold", "change_threshold must be in [0, 1), was " + body.changeThreshold());
        }
        if (body.keepAliveSeconds() != null && !(body.keepAliveSeconds() >= 0.1 && body.keepAliveSeconds() <= 86_400)) {
            throw CaptureRejection.badRequest("invalid_keep_alive", "keep_alive_seconds must be between 0.1 and 86400, was " + body.keepAliveSeconds());
        }
        String zone = null;
        if (body.timeZone() != null) {
            zone = timeZone(body.timeZone(), "time_zone");
        }
        SourceSpec clean = new SourceSpec(source.type(), source.url(),
                source.path() == null ? null : media.resolve(source.path(), source.type() == SourceType.DIRECTORY).toString(),
                source.type() == SourceType.FILE || source.type() == SourceType.DIRECTORY ? source.looping() : null);
        return new CameraSpec(id, clean, body.fps(), body.changeThreshold(), body.keepAliveSeconds(), zone);
    }

    /** An IANA region id (Europe/Berlin) or UTC, normalised; a 400 naming the field otherwise. */
    static String timeZone(String value, String field) {
        String v = value.trim();
        try {
            // region ids only: a fixed offset (+02:00) would be wrong half the year wherever daylight saving applies
            if (!v.equals("UTC") && java.time.ZoneId.of(v) instanceof java.time.ZoneOffset) {
                throw new java.time.DateTimeException("not a region");
            }
            return java.time.ZoneId.of(v).getId();
        } catch (java.time.DateTimeException e) {
            throw CaptureRejection.badRequest("invalid_time_zone", field + " must be an IANA time zone id such as Europe/Berlin, "
                    + "America/Los_Angeles or UTC, was '" + SecretMasker.mask(v.length() > 64 ? v.substring(0, 64) + "..." : v) + "'");
        }
    }

    private static void requireUrl(SourceSpec source, List<String> schemes, OutboundAddressPolicy outbound) {
        String type = source.type().jsonName();
        if (source.url() == null || source.url().isBlank()) {
            throw CaptureRejection.badRequest("invalid_source", "a " + type + " source needs a url (" + String.join(" or ", schemes) + ")");
        }
        if (source.path() != null) {
            throw CaptureRejection.badRequest("invalid_source", "a " + type + " source takes a url, not a path");
        }
        URI uri;
        try {
            uri = new URI(source.url());
        } catch (URISyntaxException e) {
            throw CaptureRejection.badRequest("invalid_url", "the " + type + " url is not a valid URL: " + SecretMasker.mask(e.getReason()));
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!schemes.contains(scheme) || uri.getHost() == null) {
            throw CaptureRejection.badRequest("invalid_url", "a " + type + " url must be " + String.join(" or ", schemes)
                    + "://host/..., was " + SecretMasker.mask(source.url()));
        }
        try {
            // refused here, before anything connects; the source vets again (and pins the address) on every connect
            outbound.vet(uri);
        } catch (RefusedDestinationException e) {
            throw CaptureRejection.badRequest("destination_refused", "the " + type + " url is refused: " + e.getMessage());
        }
    }

    private static void requirePath(SourceSpec source) {
        String type = source.type().jsonName();
        if (source.path() == null || source.path().isBlank()) {
            throw CaptureRejection.badRequest("invalid_source", "a " + type + " source needs a path");
        }
        if (source.url() != null) {
            throw CaptureRejection.badRequest("invalid_source", "a " + type + " source takes a path, not a url");
        }
    }
}
