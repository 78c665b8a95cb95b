package io.sightline.common.vlm;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * Who is waiting, most urgent first: a person ({@link #INTERACTIVE}: queries, {@code /v1} calls of
 * interactive keys), a watch job ({@link #WATCH}), a background job ({@link #BATCH}: captions, {@code /v1}
 * calls of batch keys). vlm-service's queue serves waiting classes in this order, with aging.
 *
 * <p>The contract with vlm-service: the caller names its class in {@value #HEADER}; the gateway names the
 * caller key's highest allowed class in {@value #ENTITLEMENT_HEADER}. A request may lower its class below
 * the entitlement, never raise it above.
 */
public enum Priority {
    INTERACTIVE, WATCH, BATCH;

    /** The class a request asks for: {@code interactive}, {@code watch} or {@code batch}. */
    public static final String HEADER = "X-Sightline-Priority-Class";
    /** The highest class the caller is entitled to (the gateway sets it from the API key; absent = interactive for internal callers). */
    public static final String ENTITLEMENT_HEADER = "X-Sightline-Priority-Entitlement";

    /** Name on the wire and in metrics. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<Priority> fromId(String value) {
        if (value == null || value.isBlank()) {
            return Optional.empty();
        }
        String wanted = value.trim().toLowerCase(Locale.ROOT);
        return Arrays.stream(values()).filter(c -> c.id().equals(wanted)).findFirst();
    }

    /** This class, lowered to {@code entitlement} when it asks for more. */
    public Priority atMost(Priority entitlement) {
        return ordinal() >= entitlement.ordinal() ? this : entitlement;
    }

    /**
     * OpenAI-endpoint convention ({@code X-Priority}): 1 = interactive ... 10 = batch, in the bands of the
     * gateway's key entitlements: 1-5 interactive, 6-8 watch, 9-10 batch.
     */
    public static Priority fromLevel(int level) {
        if (level < 1 || level > 10) {
            throw new IllegalArgumentException("priority must be between 1 (interactive) and 10 (batch), was " + level);
        }
        return level <= 5 ? INTERACTIVE : level <= 8 ? WATCH : BATCH;
    }
}
