package io.sightline.gateway.security;

import io.sightline.gateway.config.GatewayConfig;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** Sealed session cookies across gateway replicas: the same secret (or internal token) opens them, nothing else does. */
class ConsoleSessionsTest {

    private static final byte[] DIGEST = ApiKeyRegistry.sha256("sk-some-console-key-0000000001");

    private static ConsoleSessions replica(String secret, String internalToken, Duration ttl) {
        GatewayConfig.Console console = (GatewayConfig.Console) Proxy.newProxyInstance(GatewayConfig.class.getClassLoader(),
                new Class<?>[] {GatewayConfig.Console.class}, (p, m, a) -> switch (m.getName()) {
                    case "sessionSecret" -> Optional.ofNullable(secret);
                    case "sessionTtl" -> ttl;
                    case "secureCookie" -> false;
                    default -> throw new UnsupportedOperationException(m.getName());
                });
        GatewayConfig config = (GatewayConfig) Proxy.newProxyInstance(GatewayConfig.class.getClassLoader(),
                new Class<?>[] {GatewayConfig.class}, (p, m, a) -> switch (m.getName()) {
                    case "console" -> console;
                    case "internalToken" -> Optional.ofNullable(internalToken);
                    default -> throw new UnsupportedOperationException(m.getName());
                });
        return new ConsoleSessions(config);
    }

    @Test
    void aCookieSealedByOneReplicaOpensOnAnotherWithTheSameSecret() {
        ConsoleSessions a = replica("shared-secret-of-the-deployment", null, Duration.ofHours(1));
        ConsoleSessions b = replica("shared-secret-of-the-deployment", null, Duration.ofHours(1));
        ConsoleSessions.Session session = a.open(DIGEST);
        Optional<ConsoleSessions.Session> opened = b.unseal(a.seal(session));
        assertThat(opened).isPresent();
        assertThat(opened.get().keyDigest()).isEqualTo(DIGEST);
        assertThat(opened.get().csrf()).isEqualTo(session.csrf());
        assertThat(replica("another-secret", null, Duration.ofHours(1)).unseal(a.seal(session))).isEmpty();
    }

    @Test
    void withoutASecretReplicasSharingTheInternalTokenAgreeAndOthersDoNot() {
        ConsoleSessions a = replica(null, "internal-token-0123456789", Duration.ofHours(1));
        ConsoleSessions b = replica(null, "internal-token-0123456789", Duration.ofHours(1));
        String cookie = a.seal(a.open(DIGEST));
        assertThat(b.unseal(cookie)).isPresent();
        assertThat(replica("internal-token-0123456789", null, Duration.ofHours(1)).unseal(cookie)).as("token used as secret").isEmpty();
        assertThat(replica(null, null, Duration.ofHours(1)).unseal(cookie)).as("random per-process key").isEmpty();
        assertThat(cookie).doesNotContain("internal-token");
    }

    @Test
    void anExpiredOrGarbledCookieOpensToNothing() {
        ConsoleSessions expired = replica("s", null, Duration.ofSeconds(-1));
        assertThat(expired.unseal(expired.seal(expired.open(DIGEST)))).isEmpty();
        ConsoleSessions live = replica("s", null, Duration.ofHours(1));
        assertThat(live.unseal("")).isEmpty();
        assertThat(live.unseal("%%%not-base64")).isEmpty();
        assertThat(live.unseal("A".repeat(600))).isEmpty();
        String cookie = live.seal(live.open(DIGEST));
        assertThat(live.unseal(cookie.substring(0, cookie.length() - 4))).isEmpty();
    }

    @Test
    void theCsrfTokenMustMatchExactly() {
        ConsoleSessions live = replica("s", null, Duration.ofHours(1));
        ConsoleSessions.Session session = live.open(DIGEST);
        assertThat(ConsoleSessions.csrfMatches(session, session.csrf())).isTrue();
        assertThat(ConsoleSessions.csrfMatches(session, null)).isFalse();
        assertThat(ConsoleSessions.csrfMatches(session, session.csrf() + "x")).isFalse();
        assertThat(ConsoleSessions.csrfMatches(session, live.open(DIGEST).csrf())).isFalse();
    }
}
