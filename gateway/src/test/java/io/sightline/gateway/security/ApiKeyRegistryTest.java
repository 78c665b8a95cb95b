package io.sightline.gateway.security;

import io.sightline.gateway.config.GatewayConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class ApiKeyRegistryTest {

    @TempDir
    Path dir;

    /** A config with just the keys section filled in (other sections are not used by the registry). */
    private static GatewayConfig config(Optional<Path> file, List<String> inline) {
        GatewayConfig.Keys keys = new GatewayConfig.Keys() {
            public Optional<Path> file() {
                return file;
            }

            public Optional<List<String>> inline() {
                return inline.isEmpty() ? Optional.empty() : Optional.of(inline);
            }

            public int minLength() {
                return 16;
            }

            public Duration reloadInterval() {
                return Duration.ofSeconds(10);
            }
        };
        return (GatewayConfig) Proxy.newProxyInstance(GatewayConfig.class.getClassLoader(), new Class<?>[] {GatewayConfig.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("keys")) {
                        return keys;
                    }
                    throw new UnsupportedOperationException(method.getName());
                });
    }

    @Test
    void keysFileWithRawAndHashedKeysRolesAndBatchFlag() throws Exception {
        String hashed = "sk-hashed-key-for-operator-01";
        String hex = HexFormat.of().formatHex(ApiKeyRegistry.sha256(hashed));
        Path file = dir.resolve("keys");
        Files.writeString(file, """
                # Sightline gateway keys
                sk-raw-admin-key-000000001:admin

                sha256:%s:operator
                sk-raw-batch-key-000000002:operator:batch
                sk-raw-watch-key-000000003:operator:watch
                sk-raw-maxp-key-0000000004:admin:max_priority=batch
                """.formatted(hex));
        ApiKeyRegistry registry = new ApiKeyRegistry(config(Optional.of(file), List.of()));
        registry.reload();

        assertThat(registry.size()).isEqualTo(5);
        assertThat(registry.authenticate("Bearer sk-raw-admin-key-000000001")).get().extracting(ApiKey::maxPriority)
                .as("default entitlement").isEqualTo(PriorityClass.INTERACTIVE);
        assertThat(registry.authenticate("Bearer sk-raw-watch-key-000000003")).get().extracting(ApiKey::maxPriority).isEqualTo(PriorityClass.WATCH);
        assertThat(registry.authenticate("Bearer sk-raw-maxp-key-0000000004")).get().extracting(ApiKey::maxPriority).isEqualTo(PriorityClass.BATCH);
        assertThat(registry.authenticate("Bearer sk-raw-admin-key-000000001")).get()
                .satisfies(k -> assertThat(k.role()).isEqualTo(Role.ADMIN)).satisfies(k -> assertThat(k.batch()).isFalse());
        assertThat(registry.authenticate("bearer " + hashed)).get().extracting(ApiKey::role).isEqualTo(Role.OPERATOR);
        assertThat(registry.authenticate("Bearer sk-raw-batch-key-000000002")).get().extracting(ApiKey::batch).isEqualTo(true);
        assertThat(registry.authenticate("Bearer " + hex)).as("the hash itself is not a key").isEmpty();
        assertThat(registry.authenticate("Basic sk-raw-admin-key-000000001")).isEmpty();
        assertThat(registry.authenticate(null)).isEmpty();
        assertThat(registry.authenticate("Bearer ")).isEmpty();
    }

    @Test
    void badLinesAreSkippedWithoutTakingGoodKeysDown() throws Exception {
        Path file = dir.resolve("keys");
        Files.writeString(file, """
                short:admin
                sk-valid-viewer-key-0000001:viewer
                sk-unknown-role-key-0000001:root
                sk-bad-flag-key-00000000001:admin:sometimes
                sha256:nothex:admin
                """);
        ApiKeyRegistry registry = new ApiKeyRegistry(config(Optional.of(file), List.of("sk-inline-operator-000000001:operator")));
        registry.reload();
        assertThat(registry.size()).isEqualTo(2);
        assertThat(registry.authenticate("Bearer short")).isEmpty();
        assertThat(registry.authenticate("Bearer sk-unknown-role-key-0000001")).isEmpty();
        assertThat(registry.authenticate("Bearer sk-inline-operator-000000001")).get().extracting(ApiKey::role).isEqualTo(Role.OPERATOR);
    }

    @Test
    void keyIdIsAFingerprintNotTheKey() {
        ApiKeyRegistry registry = new ApiKeyRegistry(config(Optional.empty(), List.of("sk-fingerprint-key-00000001:viewer")));
        registry.reload();
        ApiKey key = registry.authenticate("Bearer sk-fingerprint-key-00000001").orElseThrow();
        assertThat(key.id()).hasSize(12).doesNotContain("sk-").isEqualTo(HexFormat.of().formatHex(ApiKeyRegistry.sha256("sk-fingerprint-key-00000001")).substring(0, 12));
    }

    @Test
    void rolesIncludeTheOnesBelow() {
        assertThat(Role.ADMIN.includes(Role.OPERATOR)).isTrue();
        assertThat(Role.OPERATOR.includes(Role.VIEWER)).isTrue();
        assertThat(Role.VIEWER.includes(Role.OPERATOR)).isFalse();
        assertThat(Role.OPERATOR.includes(Role.ADMIN)).isFalse();
    }
}
