package io.sightline.notify.sender;

import io.quarkus.runtime.ShutdownEvent;
import io.sightline.common.net.OutboundAddressPolicy;
import io.sightline.common.net.RefusedDestinationException;
import io.sightline.common.net.VettedDestination;
import io.sightline.common.security.SecretMasker;
import io.sightline.notify.config.NotifyConfig;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.SocketAddress;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One HTTP POST to a user-given URL, the way the SSRF rules want it: the host is vetted by
 * {@link OutboundAddressPolicy} at every attempt and the connection goes to the vetted address only (Host header
 * and SNI keep the name), redirects are not followed, the whole exchange is bounded by a timeout (a receiver that
 * accepts and never answers is an attempt that failed). 2xx is delivered; 408/425/429/5xx, timeouts and
 * connection errors are retried; other answers are final.
 */
@ApplicationScoped
public class HttpPoster {

    private final OutboundAddressPolicy outbound;
    private final HttpClient client;
    private final NotifyConfig.Delivery config;

    HttpPoster(OutboundAddressPolicy outbound, Vertx vertx, NotifyConfig config) {
        this.outbound = outbound;
        this.config = config.delivery();
        this.client = vertx.createHttpClient(new HttpClientOptions()
                .setConnectTimeout((int) config.delivery().connectTimeout().toMillis())
                .setKeepAlive(true)
                .setMaxPoolSize(32)
                .setVerifyHost(true)
                .setForceSni(true));
    }

    void onStop(@Observes ShutdownEvent event) {
        client.close();
    }

    public Outcome post(URI url, Map<String, String> headers, byte[] body, Duration timeout) {
        VettedDestination target;
        try {
            target = outbound.vet(url);
        } catch (RefusedDestinationException e) {
            // a name that does not resolve may resolve later; a refused address stays refused
            return e.getMessage().contains("cannot be resolved") ? Outcome.retry(e.getMessage()) : Outcome.permanent(e.getMessage());
        }
        boolean https = "https".equals(url.getScheme().toLowerCase(Locale.ROOT));
        String path = (url.getRawPath() == null || url.getRawPath().isEmpty() ? "/" : url.getRawPath())
                + (url.getRawQuery() == null ? "" : "?" + url.getRawQuery());
        long ms = Math.max(1, timeout.toMillis());
        RequestOptions options = new RequestOptions()
                .setMethod(HttpMethod.POST)
                .setServer(SocketAddress.inetSocketAddress(target.port(), target.address().getHostAddress()))
                .setHost(target.host())
                .setPort(target.port())
                .setSsl(https)
                .setURI(path)
                .setFollowRedirects(false)
                .setConnectTimeout(Math.min(ms, config.connectTimeout().toMillis()))
                .setIdleTimeout(ms);
        headers.forEach((k, v) -> options.putHeader(k, headerValue(v)));
        try {
            int status = client.request(options)
                    .compose(req -> req.send(Buffer.buffer(body)))
                    .compose(resp -> resp.body().map(b -> resp.statusCode()))
                    .toCompletionStage().toCompletableFuture()
                    .get(ms + 500, TimeUnit.MILLISECONDS);
            if (status >= 200 && status < 300) {
                return Outcome.delivered();
            }
            String why = "HTTP " + status + " from " + SecretMasker.mask(url.toString());
            return status == 408 || status == 425 || status == 429 || status >= 500 ? Outcome.retry(why) : Outcome.permanent(why);
        } catch (TimeoutException e) {
            return Outcome.retry("timed out after " + ms + " ms waiting for " + SecretMasker.mask(url.toString()));
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            String message = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
            if (message.toLowerCase(Locale.ROOT).contains("timeout") || message.toLowerCase(Locale.ROOT).contains("timed out")) {
                return Outcome.retry("timed out after " + ms + " ms waiting for " + SecretMasker.mask(url.toString()));
            }
            return Outcome.retry(SecretMasker.scrub(cause.getClass().getSimpleName() + ": " + message, url.toString()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Outcome.retry("interrupted");
        }
    }

    /** Header values without control characters (no header injection from a condition or message). */
    static String headerValue(String v) {
        StringBuilder b = new StringBuilder(v.length());
        for (char c : v.toCharArray()) {
            b.append(c < 0x20 || c == 0x7f ? ' ' : c > 0x7e ? '?' : c);
        }
        return b.length() > 1000 ? b.substring(0, 1000) : b.toString();
    }
}
