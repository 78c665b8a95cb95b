package io.sightline.history.support;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.sightline.history.localdb.EmbeddedDatabaseMain;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real PostgreSQL whose {@code sightline} database lives on a small tmpfs (a tablespace on a file system mounted for
 * the test), so the disk really fills up. Needs root and {@code mount -t tmpfs} (as on the build box and in CI); when
 * mount is refused the test fails saying so, it is not skipped. The tmpfs is unmounted by its mount point on stop.
 */
public class TmpfsPostgresResource implements QuarkusTestResourceLifecycleManager {

    /** Size of the tmpfs holding the database (the catalog copy takes about 8 MB of it). */
    public static final int SIZE_MB = 48;
    public static final long MIN_FREE_BYTES = 12L * 1024 * 1024;

    private static volatile Path mount;
    private EmbeddedPostgres postgres;
    private Path base;

    /** Where the database's tablespace is mounted. */
    public static Path mountPoint() {
        return mount;
    }

    @Override
    public Map<String, String> start() {
        try {
            base = Files.createTempDirectory("history-disk-");
            Path point = base.resolve("tmpfs");
            Files.createDirectories(point);
            run(List.of("mount", "-t", "tmpfs", "-o", "size=" + SIZE_MB + "m", "tmpfs", point.toString()),
                    "the full-disk test needs a small tmpfs for the database: run it as root on a box that allows "
                            + "mount -t tmpfs (the build box and CI do)");
            mount = point;
            int port;
            try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
                port = s.getLocalPort();
            }
            Path data = base.resolve("data");
            postgres = EmbeddedDatabaseMain.start(data, port);
            Path tablespace = point.resolve("pg");
            Files.createDirectories(tablespace);
            Files.setOwner(tablespace, Files.getOwner(data));
            try (Connection c = postgres.getPostgresDatabase().getConnection(); Statement st = c.createStatement()) {
                // test-owned constant path (no input); the whole database moves before the service connects
                st.execute("CREATE TABLESPACE history_small LOCATION '" + tablespace + "'");
                st.execute("ALTER DATABASE " + EmbeddedDatabaseMain.DATABASE + " SET TABLESPACE history_small");
            }
            return Map.of(
                    "quarkus.datasource.jdbc.url", "jdbc:postgresql://127.0.0.1:" + port + "/" + EmbeddedDatabaseMain.DATABASE,
                    "quarkus.datasource.username", "postgres",
                    "quarkus.datasource.password", "",
                    "sightline.history.disk.min-free-bytes", Long.toString(MIN_FREE_BYTES),
                    "sightline.history.disk.min-free-percent", "0",
                    "sightline.history.disk.free-target-bytes", Long.toString(6L * 1024 * 1024),
                    "sightline.history.disk.check-interval", "PT0.1S",
                    "sightline.history.ingest.max-poll-records", "10");
        } catch (Exception e) {
            stop();
            throw new IllegalStateException("full-disk test setup failed: " + e.getMessage(), e);
        }
    }

    @Override
    public void stop() {
        try {
            if (postgres != null) {
                postgres.close();
                postgres = null;
            }
        } catch (IOException e) {
            // the unmount below still runs
        } finally {
            if (mount != null) {
                try {
                    run(List.of("umount", mount.toString()), "unmounting the test's tmpfs failed");
                } catch (IOException | InterruptedException e) {
                    System.err.println("could not unmount " + mount + ": " + e.getMessage());
                }
                mount = null;
            }
        }
    }

    private static void run(List<String> command, String hint) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException(String.join(" ", command) + " did not finish in 30 s; " + hint);
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (p.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " failed (exit " + p.exitValue() + ": " + out + "); " + hint);
        }
    }
}
