package io.sightline.common.kafka;

import org.eclipse.microprofile.config.spi.ConfigSource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;

/**
 * Supplies {@value #KEY}: the identity of this replica, stable across restarts, used as the static
 * consumer group member id ({@code group.instance.id}) of every committing consumer group. A replica that
 * is killed and restarted with the same id takes its partitions back at once instead of waiting for the
 * dead member's session to time out; a replica gone for good is replaced after {@code session.timeout.ms}.
 *
 * <p>Resolution: {@code SIGHTLINE_REPLICA_ID} (Kubernetes: the pod name through the downward API), else
 * a UUID persisted in {@code $SIGHTLINE_STATE_DIR/replica-id} (the local run and the e2e tests give each
 * service its own state directory), else a fresh UUID per process (no restart identity: a restart then
 * waits for the session timeout, as a replaced pod does). Two live processes must never share an id:
 * the broker fences the older one.
 */
public final class ReplicaIdConfigSource implements ConfigSource {

    public static final String KEY = "sightline.replica-id";
    static final String FILE = "replica-id";

    private final Function<String, String> env;
    private volatile String id;

    public ReplicaIdConfigSource() {
        this(System::getenv);
    }

    ReplicaIdConfigSource(Function<String, String> env) {
        this.env = env;
    }

    @Override
    public Set<String> getPropertyNames() {
        return Set.of(KEY);
    }

    @Override
    public Map<String, String> getProperties() {
        return Map.of(KEY, getValue(KEY));
    }

    @Override
    public String getValue(String propertyName) {
        if (!KEY.equals(propertyName)) {
            return null;
        }
        String current = id;
        if (current == null) {
            synchronized (this) {
                if (id == null) {
                    id = resolve();
                }
                current = id;
            }
        }
        return current;
    }

    private String resolve() {
        String configured = env.apply("SIGHTLINE_REPLICA_ID");
        if (configured != null && !configured.isBlank()) {
            return configured.trim();
        }
        String stateDir = env.apply("SIGHTLINE_STATE_DIR");
        if (stateDir != null && !stateDir.isBlank()) {
            return persisted(Path.of(stateDir).resolve(FILE));
        }
        return UUID.randomUUID().toString();
    }

    private static String persisted(Path file) {
        try {
            if (Files.isRegularFile(file)) {
                String stored = Files.readString(file, StandardCharsets.UTF_8).trim();
                if (!stored.isEmpty()) {
                    return stored;
                }
            }
            Files.createDirectories(file.getParent());
            String fresh = UUID.randomUUID().toString();
            Path tmp = Files.createTempFile(file.getParent(), FILE, ".tmp");
            Files.writeString(tmp, fresh + "\n", StandardCharsets.UTF_8);
            Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            return fresh;
        } catch (IOException e) {
            throw new UncheckedIOException("could not read or create the replica id in " + file, e);
        }
    }

    @Override
    public int getOrdinal() {
        // below application.properties (250): an explicit sightline.replica-id there or in env wins
        return 150;
    }

    @Override
    public String getName() {
        return "sightline-replica-id";
    }
}
