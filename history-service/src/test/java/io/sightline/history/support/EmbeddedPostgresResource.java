package io.sightline.history.support;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.sightline.history.localdb.EmbeddedDatabaseMain;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.Map;

/**
 * A real PostgreSQL (embedded binaries) for a test class, on a free loopback port with a fresh data
 * directory; {@link #restartable()} lets a test stop and start the same server mid-ingest.
 */
public class EmbeddedPostgresResource implements QuarkusTestResourceLifecycleManager {

    private static volatile Server current;

    /** The running server of this JVM's test class. */
    public static Server restartable() {
        return current;
    }

    @Override
    public Map<String, String> start() {
        try {
            Path dir = Files.createTempDirectory("history-pg-");
            int port;
            try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
                port = s.getLocalPort();
            }
            current = new Server(dir, port);
            current.start();
            return Map.of(
                    "quarkus.datasource.jdbc.url", "jdbc:postgresql://127.0.0.1:" + port + "/" + EmbeddedDatabaseMain.DATABASE,
                    "quarkus.datasource.username", "postgres",
                    "quarkus.datasource.password", "");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void stop() {
        if (current != null) {
            current.stop();
        }
    }

    /** One server: same directory and port across stop/start. */
    public static final class Server {
        private final Path dir;
        private final int port;
        private EmbeddedPostgres postgres;

        Server(Path dir, int port) {
            this.dir = dir;
            this.port = port;
        }

        public synchronized void start() {
            try {
                postgres = EmbeddedDatabaseMain.start(dir, port);
            } catch (IOException | SQLException e) {
                throw new IllegalStateException("embedded PostgreSQL did not start: " + e.getMessage(), e);
            }
        }

        public synchronized void stop() {
            if (postgres != null) {
                try {
                    postgres.close();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                postgres = null;
            }
        }

        public int port() {
            return port;
        }
    }
}
