package io.sightline.watch;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/**
 * The thumbnail URL a notification carries, on the gateway (people and receivers reach the gateway, never the
 * services behind it): history-service's thumbnail of the verdict's frame when history-service runs
 * ({@code /api/v1/history/frames/{frame_id}/thumbnail.jpg}), else the camera's latest frame
 * ({@code /api/v1/cameras/{camera}/frame.jpg}). Absolute under {@code links.public-url} when it is set,
 * else the gateway-relative path (a receiver that knows the gateway resolves it).
 */
record WatchLinks(String publicRoot, boolean history) {

    static WatchLinks from(WatchConfig.Links links) {
        return new WatchLinks(links.publicUrl().map(URI::toString).map(WatchLinks::withoutSlash).orElse(""),
                links.historyUrl().isPresent());
    }

    String thumbnailUrl(String camera, String frameId) {
        if (history && frameId != null) {
            return publicRoot + "/api/v1/history/frames/" + encode(frameId) + "/thumbnail.jpg";
        }
        return publicRoot + "/api/v1/cameras/" + encode(camera) + "/frame.jpg";
    }

    private static String encode(String segment) {
        return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static String withoutSlash(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }

}
