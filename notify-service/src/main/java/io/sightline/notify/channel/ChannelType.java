package io.sightline.notify.channel;

import java.util.Locale;
import java.util.Optional;

/** Where a channel delivers: a signed webhook, an MQTT broker (with Home Assistant discovery), an ntfy server. */
public enum ChannelType {
    WEBHOOK, MQTT, NTFY;

    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<ChannelType> of(String text) {
        if (text == null) {
            return Optional.empty();
        }
        for (ChannelType t : values()) {
            if (t.wire().equals(text)) {
                return Optional.of(t);
            }
        }
        return Optional.empty();
    }
}
