package io.sightline.history.disk;

import io.agroal.api.AgroalDataSource;
import io.quarkus.logging.Log;
import io.sightline.history.config.HistoryConfig;
import jakarta.enterprise.context.ApplicationScoped;

import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Watches the room the database has left, before the disk is full. What it watches: the server's data directory
 * (WAL, catalog) and the database's tablespace when they are paths on this machine (the embedded server, a server on
 * the same host), plus {@code disk.paths}; for a server elsewhere, its size against {@code disk.max-database-bytes}.
 * <p>
 * Room = free bytes of the file system + the space deleted rows left inside the database for reuse. PostgreSQL does not
 * give deleted space back to the file system (a plain VACUUM marks it reusable; only trailing pages are truncated), so
 * after retention deletes the oldest rows the file system's free bytes barely move while new rows go into the freed
 * space: that space is counted. It is estimated for the thumbnails (the bulk: allocated bytes of the table and its
 * TOAST minus the live JPEG bytes, less 10% page and chunk overhead) and measured only when the file system alone is
 * short, so the usual check is one statfs per path.
 */
@ApplicationScoped
public class DiskGuard {

    private static final long MB = 1024 * 1024;

    private final AgroalDataSource dataSource;
    private final HistoryConfig.Disk config;
    private volatile long measuredAt;
    private volatile Optional<String> last = Optional.empty();

    DiskGuard(AgroalDataSource dataSource, HistoryConfig config) {
        this.dataSource = dataSource;
        this.config = config.disk();
    }

    /** One watched place and how much room it has. */
    public record Room(String where, long free, long reusable, long needed) {
        boolean short_() {
            return free + reusable < needed;
        }

        String reason() {
            return "disk nearly full: " + (free / MB) + " MB free on " + where + (reusable > 0 ? " (+" + (reusable / MB)
                    + " MB reusable inside the database)" : "") + ", need " + (needed / MB) + " MB";
        }
    }

    /** Why ingest must wait, or empty when there is room; the measurement is reused for {@code check-interval}. */
    public Optional<String> pressure() {
        long now = System.nanoTime();
        if (now - measuredAt < config.checkInterval().toNanos()) {
            return last;
        }
        return measure();
    }

    /** A fresh measurement (while paused, and after the emergency retention). */
    public Optional<String> measure() {
        Optional<String> result;
        try {
            result = shortest().filter(Room::short_).map(Room::reason);
        } catch (SQLException e) {
            // the database does not answer: the write will fail and the database-down path takes over
            result = Optional.empty();
        }
        last = result;
        measuredAt = System.nanoTime();
        return result;
    }

    /** How many bytes must be freed (beyond the minimum, by {@code free-target-bytes}) for ingest to go on. */
    public long bytesToFree() throws SQLException {
        Optional<Room> room = shortest();
        return room.map(r -> Math.max(0, r.needed() + config.freeTargetBytes() - r.free() - r.reusable())).orElse(0L);
    }

    /** The watched place with the least room relative to its need. */
    Optional<Room> shortest() throws SQLException {
        List<Room> rooms = new ArrayList<>();
        try (Connection c = dataSource.getConnection()) {
            Locations where = locations(c);
            long reusable = -1;
            for (Path p : where.local()) {
                FileStore store;
                long free;
                long total;
                try {
                    store = Files.getFileStore(p);
                    free = store.getUsableSpace();
                    total = store.getTotalSpace();
                } catch (IOException e) {
                    Log.debugf("disk guard: %s not readable (%s)", p, e.getMessage());
                    continue;
                }
                long needed = Math.max(config.minFreeBytes(), (long) (total * config.minFreePercent() / 100.0));
                long inside = 0;
                if (free < needed && p.equals(where.tablespace())) {
                    if (reusable < 0) {
                        reusable = reusable(c);
                    }
                    inside = reusable;
                }
                rooms.add(new Room(p.toString(), free, inside, needed));
            }
            if (config.maxDatabaseBytes().isPresent() && where.local().isEmpty()) {
                long size = scalar(c, "SELECT pg_database_size(current_database())");
                long max = config.maxDatabaseBytes().get();
                long inside = size >= max - config.minFreeBytes() ? reusable(c) : 0;
                rooms.add(new Room("the database server (size cap " + (max / MB) + " MB)", Math.max(0, max - size), inside,
                        Math.min(config.minFreeBytes(), max / 10)));
            }
        }
        return rooms.stream().min((a, b) -> Long.compare(a.free() + a.reusable() - a.needed(), b.free() + b.reusable() - b.needed()));
    }

    private record Locations(List<Path> local, Path tablespace) {
    }

    /** The data directory and the database's tablespace, when this process can see them; plus the configured paths. */
    private Locations locations(Connection c) {
        Set<Path> paths = new LinkedHashSet<>();
        Path tablespace = null;
        try {
            Path data = Path.of(scalar(c, "SELECT current_setting('data_directory')", String.class));
            String location = scalar(c, """
                    SELECT pg_tablespace_location(dattablespace) FROM pg_database WHERE datname = current_database()""", String.class);
            tablespace = location == null || location.isBlank() ? data : Path.of(location);
            for (Path p : List.of(tablespace, data)) {
                if (Files.isDirectory(p)) {
                    paths.add(p);
                }
            }
            if (!paths.contains(tablespace)) {
                tablespace = null;
            }
        } catch (SQLException e) {
            // not a superuser (data_directory is hidden): a server elsewhere, watched by its size
        }
        config.paths().ifPresent(list -> list.stream().map(Path::of).filter(Files::isDirectory).forEach(paths::add));
        return new Locations(List.copyOf(paths), tablespace);
    }

    /** Space deleted thumbnails left for reuse inside the database (estimate, see the class comment). */
    private static long reusable(Connection c) throws SQLException {
        long allocated = scalar(c, "SELECT pg_total_relation_size('thumbnails')");
        long live = scalar(c, "SELECT coalesce(sum(octet_length(jpeg)), 0) FROM thumbnails");
        return Math.max(0, allocated - (long) (live * 1.10));
    }

    private static long scalar(Connection c, String sql) throws SQLException {
        Long v = scalar(c, sql, Long.class);
        return v == null ? 0 : v;
    }

    private static <T> T scalar(Connection c, String sql, Class<T> type) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql); ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getObject(1, type);
        }
    }
}
