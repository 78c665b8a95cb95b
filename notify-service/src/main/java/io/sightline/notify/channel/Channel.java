package io.sightline.notify.channel;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A configured delivery channel as stored on {@code notify.channels} (key: name). {@code config} holds the
 * type's fields, secrets included: it never leaves the service unmasked ({@link ChannelView}).
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record Channel(String name, String type, ObjectNode config, @JsonProperty("default") boolean isDefault, long updatedAt) {

    public ChannelType channelType() {
        return ChannelType.of(type).orElseThrow(() -> new IllegalStateException("channel " + name + " has unknown type " + type));
    }

    public String text(String field) {
        return config.hasNonNull(field) ? config.get(field).asText() : null;
    }

    public String text(String field, String fallback) {
        String value = text(field);
        return value == null || value.isEmpty() ? fallback : value;
    }

    public int integer(String field, int fallback) {
        return config.hasNonNull(field) ? config.get(field).asInt(fallback) : fallback;
    }

    public boolean bool(String field, boolean fallback) {
        return config.hasNonNull(field) ? config.get(field).asBoolean(fallback) : fallback;
    }
}
