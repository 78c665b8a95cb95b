package io.sightline.history.localdb;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.concurrent.CountDownLatch;

/**
 * The local run's database ({@code ./sightline up}): real PostgreSQL binaries resolved from Maven
 * (io.zonky.test), data kept in a directory across restarts, listening on 127.0.0.1 only. Creates the
 * {@code sightline} database when missing, prints {@code READY <jdbc-url>}, and runs until stopped (SIGTERM
 * stops the server cleanly).
 * <p>
 * Usage: {@code java -cp 'history-service/target/quarkus-app/app/*:history-service/target/quarkus-app/lib/main/*'
 * io.sightline.history.localdb.EmbeddedDatabaseMain <data-dir> <port>}
 */
public final class EmbeddedDatabaseMain {

    public static final String DATABASE = "sightline";

    private EmbeddedDatabaseMain() {
    }

    public static void main(String[] args) throws IOException, SQLException, InterruptedException {
        if (args.length != 2) {
            System.err.println("usage: EmbeddedDatabaseMain <data-dir> <port>");
            System.exit(2);
        }
        Path dataDir = Path.of(args[0]).toAbsolutePath();
        int port = Integer.parseInt(args[1]);
        EmbeddedPostgres postgres = start(dataDir, port);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                postgres.close();
            } catch (IOException e) {
                System.err.println("stopping PostgreSQL failed: " + e.getMessage());
            }
            stopped.countDown();
        }, "embedded-postgres-stop"));
        System.out.println("READY jdbc:postgresql://127.0.0.1:" + port + "/" + DATABASE + "?user=postgres");
        System.out.flush();
        stopped.await();
    }

    /** Starts (initialising the directory the first time) and ensures the sightline database exists. */
    public static EmbeddedPostgres start(Path dataDir, int port) throws IOException, SQLException {
        Files.createDirectories(dataDir);
        EmbeddedPostgres postgres = EmbeddedPostgres.builder()
                .setDataDirectory(dataDir)
                .setCleanDataDirectory(false)
                .setPort(port)
                .setServerConfig("listen_addresses", "127.0.0.1")
                .setServerConfig("max_connections", "50")
                .start();
        try (Connection c = postgres.getPostgresDatabase().getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT 1 FROM pg_database WHERE datname = ?")) {
            ps.setString(1, DATABASE);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    try (PreparedStatement create = c.prepareStatement("CREATE DATABASE " + DATABASE)) {
                        create.execute();
                    }
                }
            }
        }
        return postgres;
    }
}
