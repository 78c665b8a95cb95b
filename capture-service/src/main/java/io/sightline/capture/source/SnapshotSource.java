package io.sightline.capture.source;

import io.quarkus.logging.Log;
import io.sightline.capture.camera.SourceSpec;
import io.sightline.capture.image.ImageRejectedException;

import java.io.IOException;
import java.io.InputStream;
import io.sightline.common.net.VettedDestination;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.SocketAddress;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Polls an HTTP(S) snapshot URL (the {@code /snapshot.jpg} many IP cameras expose) at the camera's
 * rate. Every poll vets the URL with the outbound policy and connects to the vetted address only;
 * redirects are not followed, bodies are size-limited, failures back off exponentially.
 */
public final class SnapshotSource extends PulledSource {

    public SnapshotSource(String camera, SourceSpec spec, FrameFeed feed, SourceSettings settings) {
        super(camera, spec, feed, settings);
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

    private byte[] fetch() throws IOException, InterruptedException {
        URI uri = URI.create(spec.url());
        // vetted on every poll and connected to the vetted address only: a DNS answer that changes to a
        // refused address (rebinding) is refused, not followed; Host header and TLS SNI keep the name
        VettedDestination target = settings.outbound().vet(uri);
        boolean tls = "https".equalsIgnoreCase(uri.getScheme());
        String path = (uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath())
                + (uri.getRawQuery() != null ? "?" + uri.getRawQuery() : "");
        RequestOptions options = new RequestOptions()
                .setMethod(HttpMethod.GET)
                .setServer(SocketAddress.inetSocketAddress(target.port(), target.address().getHostAddress()))
                .setHost(target.host())
                .setPort(target.port())
                .setSsl(tls)
                .setURI(path)
                .setFollowRedirects(false)
                .setTimeout(settings.ioTimeout().toMillis())
                .putHeader("Accept", "image/jpeg, image/png");
        if (uri.getUserInfo() != null) {
            // cameras take http://user:pass@host/snapshot.jpg to mean HTTP Basic authentication
            options.putHeader("Authorization", "Basic " + Base64.getEncoder().encodeToString(uri.getUserInfo().getBytes(StandardCharsets.UTF_8)));
        }
        int max = settings.maxBytes();
        CompletableFuture<byte[]> result = new CompletableFuture<>();
        settings.http().request(options).compose(request -> request.send()).compose(response -> {
            if (response.statusCode() != 200) {
                // a 3xx is a failure too: redirects are not followed
                response.request().reset();
                return io.vertx.core.Future.failedFuture(new IOException("HTTP " + response.statusCode()));
            }
            String length = response.getHeader("Content-Length");
            if (length != null && length.trim().matches("\\d{1,18}") && Long.parseLong(length.trim()) > max) {
                response.request().reset();
                return io.vertx.core.Future.failedFuture(new IOException("snapshot larger than " + max + " bytes"));
            }
            return response.body();
        }).onComplete(done -> {
            if (done.failed()) {
                result.completeExceptionally(done.cause());
            } else if (done.result().length() > max) {
                result.completeExceptionally(new IOException("snapshot larger than " + max + " bytes"));
            } else {
                result.complete(done.result().getBytes());
            }
        });
        try {
            return result.get(settings.ioTimeout().toMillis() * 2, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            throw cause instanceof IOException io ? io : new IOException(cause.getMessage() != null ? cause.getMessage()
                    : cause.getClass().getSimpleName(), cause);
        } catch (TimeoutException e) {
            throw new IOException("snapshot not received within " + settings.ioTimeout().multipliedBy(2).toSeconds() + " s");
        }
    }
}
