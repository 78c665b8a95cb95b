package io.sightline.notify.sender;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sightline.notify.channel.Channel;
import io.sightline.notify.channel.ChannelType;
import io.sightline.notify.config.NotifyConfig;
import jakarta.enterprise.context.ApplicationScoped;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/** JSON POST of the {@link Notice}, signed ({@link WebhookSignature}), idempotency key = notification id. */
@ApplicationScoped
public class WebhookSender implements ChannelSender {

    private final HttpPoster http;
    private final ObjectMapper json;
    private final Duration timeout;
    private final Clock clock = Clock.systemUTC();

    WebhookSender(HttpPoster http, ObjectMapper json, NotifyConfig config) {
        this.http = http;
        this.json = json;
        this.timeout = config.delivery().requestTimeout();
    }

    @Override
    public ChannelType type() {
        return ChannelType.WEBHOOK;
    }

    @Override
    public String destination(Channel channel) {
        URI u = URI.create(channel.text("url"));
        return "webhook:" + u.getHost() + ":" + u.getPort();
    }

    @Override
    public int maxConcurrency(Channel channel, int fallback) {
        return channel.integer("max_concurrency", fallback);
    }

    @Override
    public Outcome send(Channel channel, Notice notice) {
        byte[] body;
        try {
            body = json.writeValueAsBytes(notice);
        } catch (JsonProcessingException e) {
            return Outcome.permanent("could not encode the notification: " + e.getMessage());
        }
        long ts = clock.millis() / 1000;
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Type", "application/json");
        headers.put("User-Agent", "Sightline-Notify/0.1");
        headers.put(WebhookSignature.IDEMPOTENCY_KEY, notice.notificationId());
        headers.put("X-Sightline-Notification-Id", notice.notificationId());
        headers.put(WebhookSignature.TIMESTAMP, Long.toString(ts));
        headers.put(WebhookSignature.SIGNATURE, WebhookSignature.sign(channel.text("secret"), ts, body));
        Duration t = channel.config().hasNonNull("timeout_ms") ? Duration.ofMillis(channel.integer("timeout_ms", 10_000)) : timeout;
        return http.post(URI.create(channel.text("url")), headers, body, t);
    }
}
