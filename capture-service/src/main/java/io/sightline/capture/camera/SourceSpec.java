package io.sightline.capture.camera;

import com.fasterxml.jackson.annotation.JsonInclude;

import io.sightline.common.security.SecretMasker;

/**
 * A camera's source: {@code {"type":"rtsp","url":"rtsp://..."}}, {@code {"type":"directory","path":"/x","loop":true}}.
 * {@code url} may hold credentials ({@code rtsp://user:pass@host/...}); {@link #redacted()} masks them for display.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SourceSpec(SourceType type, String url, String path, Boolean loop) {

    public boolean looping() {
        return Boolean.TRUE.equals(loop);
    }

    /** The same source with credentials in the URL masked (user-info and secret query parameters). */
    public SourceSpec redacted() {
        return new SourceSpec(type, SecretMasker.mask(url), path, loop);
    }

    /** What to show in logs and errors to say which source this is, without secrets. */
    public String describe() {
        return type.jsonName() + " " + (url != null ? SecretMasker.mask(url) : path != null ? path : "");
    }

    /** Removes the URL's credentials from a message (FFmpeg errors quote the URL they failed on, possibly rewritten). */
    public String scrub(String message) {
        return SecretMasker.scrub(message, url);
    }
}
