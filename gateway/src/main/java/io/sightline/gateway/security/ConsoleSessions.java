package io.sightline.gateway.security;

import io.quarkus.logging.Log;
import io.sightline.gateway.config.GatewayConfig;
import jakarta.enterprise.context.ApplicationScoped;

import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;

/**
 * Console sign-in sessions as sealed, stateless cookies: AES-256-GCM over {@code (key digest, CSRF token,
 * expiry)} with a key derived from {@code sightline.gateway.console.session-secret} (or, unset, from the internal
 * token every replica already shares). No session store, so any gateway replica accepts the cookie; the cookie holds the SHA-256 digest of the API key
 * (never the key), and every request looks that digest up in the keys file again, so removing a key from the
 * file ends its sessions within a reload. A cookie that was tampered with, sealed under another secret or has
 * expired opens to nothing.
 */
@ApplicationScoped
public class ConsoleSessions {

    /** Name of the session cookie. */
    public static final String COOKIE = "sightline_session";
    /** Header that must carry the session's CSRF token on every state-changing request made with the cookie. */
    public static final String CSRF_HEADER = "X-CSRF-Token";
    /** Routing-context attribute under which the guard leaves the open session for the session resource. */
    public static final String ATTRIBUTE = "sightline.console-session";

    private static final byte[] AAD = "sightline-console-session-v1".getBytes(StandardCharsets.US_ASCII);
    private static final int IV_BYTES = 12;

    /** An open session: whose key (by digest), its CSRF token and when it ends (epoch ms). */
    public record Session(byte[] keyDigest, String csrf, long expiresAt) {
    }

    private final SecretKeySpec key;
    private final Duration ttl;
    private final boolean secureCookie;
    private final SecureRandom random = new SecureRandom();

    ConsoleSessions(GatewayConfig config) {
        byte[] material;
        Optional<String> secret = config.console().sessionSecret().filter(s -> !s.isBlank());
        Optional<String> internalToken = config.internalToken().filter(s -> !s.isBlank());
        if (secret.isPresent()) {
            material = ApiKeyRegistry.sha256("sightline console session key:" + secret.get());
        } else if (internalToken.isPresent()) {
            // every replica already shares the internal token; a key derived from it under its own label is not the token
            material = ApiKeyRegistry.sha256("sightline console session key from the internal token:" + internalToken.get());
        } else {
            material = new byte[32];
            new SecureRandom().nextBytes(material);
            Log.info("Neither sightline.gateway.console.session-secret nor an internal token: console sessions are sealed with a "
                    + "random key of this process (they end at restart and are not accepted by other replicas)");
        }
        this.key = new SecretKeySpec(material, "AES");
        this.ttl = config.console().sessionTtl();
        this.secureCookie = config.console().secureCookie();
    }

    public Duration ttl() {
        return ttl;
    }

    public boolean forceSecureCookie() {
        return secureCookie;
    }

    /** A new session for the key with this digest. */
    public Session open(byte[] keyDigest) {
        byte[] token = new byte[24];
        random.nextBytes(token);
        return new Session(keyDigest.clone(), Base64.getUrlEncoder().withoutPadding().encodeToString(token),
                System.currentTimeMillis() + ttl.toMillis());
    }

    /** The cookie value carrying the session. */
    public String seal(Session session) {
        byte[] plain = (HexFormat.of().formatHex(session.keyDigest()) + "." + session.csrf() + "." + session.expiresAt())
                .getBytes(StandardCharsets.US_ASCII);
        try {
            byte[] iv = new byte[IV_BYTES];
            random.nextBytes(iv);
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(128, iv));
            cipher.updateAAD(AAD);
            byte[] sealed = cipher.doFinal(plain);
            return Base64.getUrlEncoder().withoutPadding().encodeToString(ByteBuffer.allocate(iv.length + sealed.length)
                    .put(iv).put(sealed).array());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot seal a console session", e);
        }
    }

    /** The session in a cookie value, if it was sealed by this secret and has not expired. */
    public Optional<Session> unseal(String cookie) {
        if (cookie == null || cookie.isEmpty() || cookie.length() > 512) {
            return Optional.empty();
        }
        try {
            byte[] raw = Base64.getUrlDecoder().decode(cookie);
            if (raw.length <= IV_BYTES + 16) {
                return Optional.empty();
            }
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(128, raw, 0, IV_BYTES));
            cipher.updateAAD(AAD);
            String[] fields = new String(cipher.doFinal(raw, IV_BYTES, raw.length - IV_BYTES), StandardCharsets.US_ASCII).split("\\.");
            if (fields.length != 3) {
                return Optional.empty();
            }
            long expiresAt = Long.parseLong(fields[2]);
            if (expiresAt < System.currentTimeMillis()) {
                return Optional.empty();
            }
            return Optional.of(new Session(HexFormat.of().parseHex(fields[0]), fields[1], expiresAt));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** Whether a request's CSRF header matches the session's token (constant time). */
    public static boolean csrfMatches(Session session, String header) {
        return header != null && MessageDigest.isEqual(session.csrf().getBytes(StandardCharsets.US_ASCII),
                header.getBytes(StandardCharsets.US_ASCII));
    }
}
