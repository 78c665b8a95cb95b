package io.sightline.capture.camera;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.net.URI;

/**
 * A camera's source: {@code {"type":"rtsp","url":"rtsp://..."}}, {@code {"type":"directory","path":"/x","loop":true}}.
 * {@code url} may hold credentials ({@code rtsp://user:pass@host/...}); {@link #redacted()} masks them for display.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SourceSpec(SourceType type, String url, String path, Boolean loop) {

    public boolean looping() {
        return Boolean.TRUE.equals(loop);
    }

    /** The same source with user info in the URL replaced by {@code ***:***}. */
    public SourceSpec redacted() {
        return new SourceSpec(type, maskCredentials(url), path, loop);
    }

    /** What to show in logs and errors to say which source this is, without secrets. */
    public String describe() {
        return type.jsonName() + " " + (url != null ? maskCredentials(url) : path != null ? path : "");
    }

    /** Removes the URL and its credentials from a message (FFmpeg errors quote the URL they failed on). */
    public String scrub(String message) {
        if (message == null || url == null) {
            return message;
        }
        String scrubbed = message.replace(url, maskCredentials(url));
        String userInfo = userInfo(url);
        if (userInfo != null && !userInfo.isEmpty()) {
            scrubbed = scrubbed.replace(userInfo, "***:***");
        }
        return scrubbed;
    }

    static String userInfo(String url) {
        try {
            return URI.create(url).getRawUserInfo();
        } catch (IllegalArgumentException e) {
            int at = url.indexOf('@');
            int scheme = url.indexOf("://");
            return at > 0 && scheme > 0 && at > scheme ? url.substring(scheme + 3, at) : null;
        }
    }

    public static String maskCredentials(String url) {
        if (url == null) {
            return null;
        }
        String userInfo = userInfo(url);
        if (userInfo == null || userInfo.isEmpty()) {
            return url;
        }
        return url.replace(userInfo + "@", "***:***@");
    }
}
