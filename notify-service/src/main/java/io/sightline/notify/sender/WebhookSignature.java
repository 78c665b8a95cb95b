package io.sightline.notify.sender;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;

/**
 * The webhook signature: {@code X-Sightline-Signature: sha256=<hex HMAC-SHA256(secret, timestamp + "." + body)>}
 * with {@code X-Sightline-Timestamp: <epoch seconds>}. A receiver recomputes it over the raw body and refuses
 * stale timestamps (replays); the timestamp is new on every attempt, the idempotency key is not.
 */
public final class WebhookSignature {

    public static final String SIGNATURE = "X-Sightline-Signature";
    public static final String TIMESTAMP = "X-Sightline-Timestamp";
    public static final String IDEMPOTENCY_KEY = "Idempotency-Key";

    private WebhookSignature() {
    }

    public static String sign(String secret, long timestampSeconds, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            mac.update((timestampSeconds + ".").getBytes(StandardCharsets.UTF_8));
            return "sha256=" + HexFormat.of().formatHex(mac.doFinal(body));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }
}
