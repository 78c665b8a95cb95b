package io.sightline.capture.source;

import io.quarkus.logging.Log;
import io.sightline.capture.camera.SourceSpec;
import io.sightline.capture.image.ImageRejectedException;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Polls an HTTP(S) snapshot URL (the {@code /snapshot.jpg} many IP cameras expose) at the camera's
 * rate. Redirects are not followed, bodies are size-limited, failures back off exponentially.
 */
public final class SnapshotSource extends PulledSource {

    private final HttpClient client;

    public SnapshotSource(String camera, SourceSpec spec, FrameFeed feed, SourceSettings settings) {
        super(camera, spec, feed, settings);
        this.client = HttpClient.newBuilder()
                .connectTimeout(settings.ioTimeout())
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    @Override
    public void run() {
        Backoff backoff = new Backoff(settings.reconnectInitial(), settings.reconnectMax());
        long interval = intervalMillis(settings.fps());
        boolean failing = false;
        while (!stopping()) {
            long started = System.currentTimeMillis();
            long wait;
            try {
                byte[] body = fetch();
                feed.frameArrived();
                feed.offerEncoded(body, System.currentTimeMillis());
                if (failing || started == 0) {
                    Log.infof("Camera %s: snapshots are coming through again", camera);
                }
                failing = false;
                feed.connected();
                backoff.reset();
                wait = interval - (System.currentTimeMillis() - started);
            } catch (InterruptedException e) {
                return;
            } catch (IOException | ImageRejectedException | RuntimeException e) {
                if (stopping()) {
                    return;
                }
                String message = "snapshot failed: " + spec.scrub(messageOf(e));
                wait = Math.max(interval, backoff.next());
                if (!failing) {
                    Log.warnf("Camera %s: %s; retrying in %d ms", camera, message, wait);
                }
                failing = true;
                feed.failed(message);
            }
            if (!pause(wait)) {
                return;
            }
        }
    }

    private static URI withoutUserInfo(URI uri) {
        if (uri.getRawUserInfo() == null) {
            return uri;
        }
        String text = uri.toString();
        return URI.create(text.replaceFirst(java.util.regex.Pattern.quote(uri.getRawUserInfo() + "@"), ""));
    }

    private byte[] fetch() throws IOException, InterruptedException {
        URI uri = URI.create(spec.url());
        HttpRequest.Builder builder = HttpRequest.newBuilder(withoutUserInfo(uri))
                .timeout(settings.ioTimeout())
                .header("Accept", "image/jpeg, image/png")
                .GET();
        if (uri.getUserInfo() != null) {
            // cameras take http://user:pass@host/snapshot.jpg to mean HTTP Basic authentication
            builder.header("Authorization", "Basic " + Base64.getEncoder().encodeToString(uri.getUserInfo().getBytes(StandardCharsets.UTF_8)));
        }
        HttpRequest request = builder.build();
        HttpResponse<InputStream> response = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream body = response.body()) {
            if (response.statusCode() != 200) {
                throw new IOException("HTTP " + response.statusCode());
            }
            byte[] bytes = body.readNBytes(settings.maxBytes() + 1);
            if (bytes.length > settings.maxBytes()) {
                throw new IOException("snapshot larger than " + settings.maxBytes() + " bytes");
            }
            return bytes;
        }
    }
}
