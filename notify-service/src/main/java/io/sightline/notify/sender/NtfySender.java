package io.sightline.notify.sender;

import io.sightline.notify.channel.Channel;
import io.sightline.notify.channel.ChannelType;
import io.sightline.notify.config.NotifyConfig;
import jakarta.enterprise.context.ApplicationScoped;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * ntfy-style push: a plain POST of the message to {@code <url>/<topic>} with Title, Attach/Click (the thumbnail)
 * and Tags headers, the optional token as a bearer; the same retries as the webhook.
 */
@ApplicationScoped
public class NtfySender implements ChannelSender {

    private final HttpPoster http;
    private final Duration timeout;

    NtfySender(HttpPoster http, NotifyConfig config) {
        this.http = http;
        this.timeout = config.delivery().requestTimeout();
    }

    @Override
    public ChannelType type() {
        return ChannelType.NTFY;
    }

    @Override
    public String destination(Channel channel) {
        URI u = URI.create(channel.text("url"));
        return "ntfy:" + u.getHost() + ":" + u.getPort();
    }

    @Override
    public int maxConcurrency(Channel channel, int fallback) {
        return fallback;
    }

    @Override
    public Outcome send(Channel channel, Notice notice) {
        String base = channel.text("url");
        URI url = URI.create((base.endsWith("/") ? base : base + "/") + channel.text("topic"));
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Type", "text/plain; charset=utf-8");
        headers.put("User-Agent", "Sightline-Notify/0.1");
        headers.put("Title", "Sightline " + notice.camera() + ": " + (notice.condition() == null ? "condition met" : notice.condition()));
        headers.put("Tags", "camera," + notice.camera());
        headers.put("X-Sightline-Notification-Id", notice.notificationId());
        if (notice.thumbnailUrl() != null) {
            headers.put("Attach", notice.thumbnailUrl());
            headers.put("Click", notice.thumbnailUrl());
        }
        if (channel.config().hasNonNull("priority")) {
            headers.put("Priority", Integer.toString(channel.integer("priority", 3)));
        }
        String token = channel.text("token");
        if (token != null) {
            headers.put("Authorization", "Bearer " + token);
        }
        String message = notice.message() == null || notice.message().isBlank() ? "Condition met" : notice.message();
        return http.post(url, headers, message.getBytes(StandardCharsets.UTF_8), timeout);
    }
}
