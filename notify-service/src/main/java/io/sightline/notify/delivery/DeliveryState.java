package io.sightline.notify.delivery;

import java.util.Locale;

/** Where a notification, or its delivery to one channel, stands. */
public enum DeliveryState {
    PENDING, DELIVERED, FAILED;

    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }
}
