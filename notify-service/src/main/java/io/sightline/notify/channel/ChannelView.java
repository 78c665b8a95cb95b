package io.sightline.notify.channel;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import io.sightline.common.security.SecretMasker;

/** A channel as every read shows it: secrets (webhook secret, MQTT password, ntfy token, URL user-info) masked. */
public record ChannelView(String name, String type, JsonNode config, @JsonProperty("default") boolean isDefault) {

    public static ChannelView of(Channel c) {
        return new ChannelView(c.name(), c.type(), SecretMasker.mask(c.config()), c.isDefault());
    }
}
