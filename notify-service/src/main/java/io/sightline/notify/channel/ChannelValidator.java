package io.sightline.notify.channel;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sightline.common.net.OutboundAddressPolicy;
import io.sightline.common.net.RefusedDestinationException;
import io.sightline.common.security.SecretMasker;
import jakarta.enterprise.context.ApplicationScoped;

import java.net.URI;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Turns a {@code PUT /api/v1/notification-channels/{name}} body into a {@link Channel}, or refuses it with the
 * field at fault. Destinations pass the same SSRF rules as camera URLs ({@link OutboundAddressPolicy}); they are
 * vetted again at every attempt, since DNS answers change. A secret given back as {@code ***} (as every read shows
 * it) keeps the stored one, so a client can edit a channel it read.
 */
@ApplicationScoped
public class ChannelValidator {

    public static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9_-]{0,62}");
    private static final Pattern NTFY_TOPIC = Pattern.compile("[A-Za-z0-9_-]{1,64}");
    private static final Pattern MQTT_PREFIX = Pattern.compile("[A-Za-z0-9_-]+(/[A-Za-z0-9_-]+)*");
    private static final Set<String> TOP = Set.of("type", "config", "default");
    private static final Map<ChannelType, Set<String>> FIELDS = Map.of(
            ChannelType.WEBHOOK, Set.of("url", "secret", "timeout_ms", "max_concurrency"),
            ChannelType.MQTT, Set.of("url", "username", "password", "topic_prefix", "discovery", "discovery_prefix", "client_id"),
            ChannelType.NTFY, Set.of("url", "topic", "token", "priority"));
    private static final Map<ChannelType, String> SECRET = Map.of(
            ChannelType.WEBHOOK, "secret", ChannelType.MQTT, "password", ChannelType.NTFY, "token");

    private final OutboundAddressPolicy outbound;

    ChannelValidator(OutboundAddressPolicy outbound) {
        this.outbound = outbound;
    }

    public Channel validate(String name, JsonNode body, Optional<Channel> existing, long now) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new InvalidChannelException("name", "must match " + NAME.pattern());
        }
        if (body == null || !body.isObject()) {
            throw new InvalidChannelException("body", "must be a JSON object {\"type\",\"config\",\"default\"}");
        }
        for (Iterator<String> it = body.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!TOP.contains(f)) {
                throw new InvalidChannelException(f, "unknown field (expected type, config, default)");
            }
        }
        JsonNode typeNode = body.get("type");
        if (typeNode == null || !typeNode.isTextual()) {
            throw new InvalidChannelException("type", "is required: webhook, mqtt or ntfy");
        }
        ChannelType type = ChannelType.of(typeNode.asText())
                .orElseThrow(() -> new InvalidChannelException("type", "must be webhook, mqtt or ntfy, not '" + typeNode.asText() + "'"));
        JsonNode configNode = body.get("config");
        if (configNode == null || !configNode.isObject()) {
            throw new InvalidChannelException("config", "is required and must be an object");
        }
        JsonNode def = body.get("default");
        if (def != null && !def.isNull() && !def.isBoolean()) {
            throw new InvalidChannelException("default", "must be true or false");
        }
        ObjectNode config = ((ObjectNode) configNode).deepCopy();
        for (Iterator<String> it = config.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!FIELDS.get(type).contains(f)) {
                throw new InvalidChannelException("config." + f, "unknown field for a " + type.wire() + " channel (known: "
                        + String.join(", ", FIELDS.get(type).stream().sorted().toList()) + ")");
            }
        }
        keepMaskedSecret(type, config, existing);
        switch (type) {
            case WEBHOOK -> {
                httpUrl(config, "config.url");
                String secret = string(config, "secret", true);
                if (secret.length() < 16) {
                    throw new InvalidChannelException("config.secret", "must be at least 16 characters (it keys the HMAC-SHA256 signature)");
                }
                range(config, "timeout_ms", 100, 120_000);
                range(config, "max_concurrency", 1, 64);
            }
            case NTFY -> {
                httpUrl(config, "config.url");
                String topic = string(config, "topic", true);
                if (!NTFY_TOPIC.matcher(topic).matches()) {
                    throw new InvalidChannelException("config.topic", "must match " + NTFY_TOPIC.pattern());
                }
                string(config, "token", false);
                range(config, "priority", 1, 5);
            }
            case MQTT -> {
                mqttUrl(config);
                string(config, "username", false);
                string(config, "password", false);
                String prefix = string(config, "topic_prefix", false);
                if (prefix != null && (prefix.length() > 100 || !MQTT_PREFIX.matcher(prefix).matches())) {
                    throw new InvalidChannelException("config.topic_prefix", "must be topic levels of [A-Za-z0-9_-] separated by '/' (no wildcards)");
                }
                String discoveryPrefix = string(config, "discovery_prefix", false);
                if (discoveryPrefix != null && (discoveryPrefix.length() > 100 || !MQTT_PREFIX.matcher(discoveryPrefix).matches())) {
                    throw new InvalidChannelException("config.discovery_prefix", "must be topic levels of [A-Za-z0-9_-] separated by '/'");
                }
                JsonNode discovery = config.get("discovery");
                if (discovery != null && !discovery.isNull() && !discovery.isBoolean()) {
                    throw new InvalidChannelException("config.discovery", "must be true or false");
                }
                String clientId = string(config, "client_id", false);
                if (clientId != null && (clientId.isEmpty() || clientId.length() > 64)) {
                    throw new InvalidChannelException("config.client_id", "must be 1-64 characters");
                }
            }
        }
        return new Channel(name, type.wire(), config, def != null && def.asBoolean(false), now);
    }

    /** The field holding this type's secret. */
    public static String secretField(ChannelType type) {
        return SECRET.get(type);
    }

    private static void keepMaskedSecret(ChannelType type, ObjectNode config, Optional<Channel> existing) {
        String field = SECRET.get(type);
        JsonNode given = config.get(field);
        if (given != null && given.isTextual() && SecretMasker.MASK.equals(given.asText())) {
            String kept = existing.filter(c -> c.type().equals(type.wire())).map(c -> c.text(field)).orElse(null);
            if (kept == null) {
                throw new InvalidChannelException("config." + field, "'***' keeps the stored secret, but this channel has none");
            }
            config.set(field, JsonNodeFactory.instance.textNode(kept));
        }
    }

    private void httpUrl(ObjectNode config, String field) {
        URI uri = uri(string(config, "url", true), field);
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new InvalidChannelException(field, "must be an http or https URL");
        }
        if (uri.getRawUserInfo() != null) {
            throw new InvalidChannelException(field, "must not carry user-info; use the channel's secret or token field");
        }
        vet(uri.getHost(), uri.getPort() > 0 ? uri.getPort() : scheme.equals("https") ? 443 : 80, field);
    }

    private void mqttUrl(ObjectNode config) {
        URI uri = uri(string(config, "url", true), "config.url");
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!Set.of("tcp", "mqtt", "ssl", "mqtts").contains(scheme)) {
            throw new InvalidChannelException("config.url", "must be a tcp://, mqtt://, ssl:// or mqtts:// broker URL");
        }
        if (uri.getRawUserInfo() != null) {
            throw new InvalidChannelException("config.url", "must not carry user-info; use username and password");
        }
        vet(uri.getHost(), mqttPort(uri), "config.url");
    }

    public static int mqttPort(URI uri) {
        if (uri.getPort() > 0) {
            return uri.getPort();
        }
        String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
        return scheme.equals("ssl") || scheme.equals("mqtts") ? 8883 : 1883;
    }

    private void vet(String host, int port, String field) {
        if (host == null || host.isEmpty()) {
            throw new InvalidChannelException(field, "names no host");
        }
        try {
            outbound.vet(host, port);
        } catch (RefusedDestinationException e) {
            throw new InvalidChannelException(field, e.getMessage());
        }
    }

    private static URI uri(String text, String field) {
        try {
            URI uri = new URI(text);
            if (!uri.isAbsolute() || uri.getHost() == null) {
                throw new InvalidChannelException(field, "must be an absolute URL with a host");
            }
            return uri;
        } catch (java.net.URISyntaxException e) {
            throw new InvalidChannelException(field, "is not a valid URL: " + e.getReason());
        }
    }

    private static String string(ObjectNode config, String name, boolean required) {
        JsonNode node = config.get(name);
        if (node == null || node.isNull()) {
            if (required) {
                throw new InvalidChannelException("config." + name, "is required");
            }
            return null;
        }
        if (!node.isTextual() || (required && node.asText().isBlank())) {
            throw new InvalidChannelException("config." + name, "must be a non-empty string");
        }
        if (node.asText().length() > 2048) {
            throw new InvalidChannelException("config." + name, "is longer than 2048 characters");
        }
        return node.asText();
    }

    private static void range(ObjectNode config, String name, int min, int max) {
        JsonNode node = config.get(name);
        if (node == null || node.isNull()) {
            return;
        }
        if (!node.isIntegralNumber() || node.asLong() < min || node.asLong() > max) {
            throw new InvalidChannelException("config." + name, "must be an integer from " + min + " to " + max);
        }
    }
}
