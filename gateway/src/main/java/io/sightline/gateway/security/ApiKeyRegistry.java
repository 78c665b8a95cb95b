package io.sightline.gateway.security;

import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.sightline.gateway.config.GatewayConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The API keys, held only as SHA-256 digests. Sources: the keys file
 * ({@code sightline.gateway.keys.file}) and inline entries; both use the line format
 * {@code <key or sha256:<64 hex>>:<viewer|operator|admin>[:interactive|watch|batch]} (the last field, also
 * written {@code max_priority=<class>}, is the key's priority entitlement; default interactive). The file is re-read when it changes,
 * so keys can be rotated without a restart. Lookups compare digests with {@link MessageDigest#isEqual}
 * against every entry, so timing says nothing about which key nearly matched.
 */
@ApplicationScoped
public class ApiKeyRegistry {

    private static final String SHA256_PREFIX = "sha256:";

    record Entry(byte[] digest, ApiKey key) {
    }

    private final GatewayConfig config;
    private volatile List<Entry> entries = List.of();
    private volatile FileTime loadedFileTime;
    private ScheduledExecutorService reloader;

    ApiKeyRegistry(GatewayConfig config) {
        this.config = config;
    }

    void onStart(@Observes StartupEvent event) {
        reload();
        if (config.keys().file().isPresent()) {
            reloader = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "api-keys-reload");
                t.setDaemon(true);
                return t;
            });
            long every = config.keys().reloadInterval().toMillis();
            reloader.scheduleWithFixedDelay(this::reloadIfChanged, every, every, TimeUnit.MILLISECONDS);
        }
    }

    void onStop(@Observes ShutdownEvent event) {
        if (reloader != null) {
            reloader.shutdownNow();
        }
    }

    /** The caller behind an {@code Authorization} header value, if it carries a known bearer key. */
    public Optional<ApiKey> authenticate(String authorization) {
        if (authorization == null) {
            return Optional.empty();
        }
        String header = authorization.trim();
        if (header.length() < 7 || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return Optional.empty();
        }
        String token = header.substring(7).trim();
        if (token.isEmpty()) {
            return Optional.empty();
        }
        return authenticateDigest(sha256(token));
    }

    /** The caller whose key has this SHA-256 digest (a console session holds the digest, never the key). */
    public Optional<ApiKey> authenticateDigest(byte[] digest) {
        ApiKey found = null;
        for (Entry entry : entries) {
            if (MessageDigest.isEqual(entry.digest(), digest) && found == null) {
                found = entry.key();
            }
        }
        return Optional.ofNullable(found);
    }

    public int size() {
        return entries.size();
    }

    synchronized void reload() {
        List<Entry> loaded = new ArrayList<>();
        config.keys().inline().ifPresent(lines -> {
            for (int i = 0; i < lines.size(); i++) {
                parse(lines.get(i), "inline key #" + (i + 1)).ifPresent(loaded::add);
            }
        });
        if (config.keys().file().isPresent()) {
            Path file = config.keys().file().get();
            try {
                loadedFileTime = Files.getLastModifiedTime(file);
                warnIfReadableByOthers(file);
                List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
                for (int i = 0; i < lines.size(); i++) {
                    String line = lines.get(i).strip();
                    if (line.isEmpty() || line.startsWith("#")) {
                        continue;
                    }
                    parse(line, file + " line " + (i + 1)).ifPresent(loaded::add);
                }
            } catch (IOException e) {
                Log.errorf("API keys file %s cannot be read (%s); keeping %d keys from before", file, e.getMessage(), entries.size());
                if (!entries.isEmpty()) {
                    return;
                }
            }
        }
        entries = List.copyOf(loaded);
        if (loaded.isEmpty()) {
            Log.warn("No API keys configured: every API request will be refused with 401. "
                    + "Set SIGHTLINE_GATEWAY_KEYS_FILE (see gateway/README.md).");
        } else {
            Log.infof("Loaded %d API keys (%s)", loaded.size(),
                    loaded.stream().map(e -> e.key().id() + "=" + e.key().role().wireName()).toList());
        }
    }

    private void reloadIfChanged() {
        try {
            FileTime now = Files.getLastModifiedTime(config.keys().file().get());
            if (!now.equals(loadedFileTime)) {
                Log.info("API keys file changed; reloading");
                reload();
            }
        } catch (IOException e) {
            Log.warnf("API keys file not readable (%s); keeping the loaded keys", e.getMessage());
        } catch (RuntimeException e) {
            Log.warnf(e, "API keys reload failed; keeping the loaded keys");
        }
    }

    /** One line -> entry; a bad line is reported by position (never by content: it may hold a key) and skipped. */
    Optional<Entry> parse(String line, String where) {
        String[] fields = line.strip().split(":");
        int keyFields = fields.length > 0 && fields[0].equals("sha256") ? 2 : 1;
        if (fields.length < keyFields + 1 || fields.length > keyFields + 2) {
            Log.errorf("API key entry at %s ignored: expected <key or sha256:hex>:<role>[:interactive|watch|batch]", where);
            return Optional.empty();
        }
        Role role;
        try {
            role = Role.parse(fields[keyFields]);
        } catch (IllegalArgumentException e) {
            Log.errorf("API key entry at %s ignored: %s", where, e.getMessage());
            return Optional.empty();
        }
        PriorityClass maxPriority = PriorityClass.defaultFor(role);
        if (fields.length == keyFields + 2) {
            try {
                maxPriority = PriorityClass.parse(fields[keyFields + 1]);
            } catch (IllegalArgumentException e) {
                Log.errorf("API key entry at %s ignored: %s", where, e.getMessage());
                return Optional.empty();
            }
        }
        byte[] digest;
        if (keyFields == 2) {
            try {
                digest = HexFormat.of().parseHex(fields[1].strip());
            } catch (IllegalArgumentException e) {
                digest = new byte[0];
            }
            if (digest.length != 32) {
                Log.errorf("API key entry at %s ignored: %s must be followed by 64 hex digits", where, SHA256_PREFIX);
                return Optional.empty();
            }
        } else {
            String raw = fields[0].strip();
            if (raw.length() < config.keys().minLength()) {
                Log.errorf("API key entry at %s ignored: keys must be at least %d characters", where, config.keys().minLength());
                return Optional.empty();
            }
            digest = sha256(raw);
        }
        String id = HexFormat.of().formatHex(digest, 0, 6);
        return Optional.of(new Entry(digest, new ApiKey(id, role, maxPriority)));
    }

    private static void warnIfReadableByOthers(Path file) {
        try {
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file);
            if (perms.contains(PosixFilePermission.OTHERS_READ)) {
                Log.warnf("API keys file %s is readable by other users; chmod 600 it", file);
            }
        } catch (UnsupportedOperationException | IOException e) {
            // not a POSIX file system: nothing to check
        }
    }

    public static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
