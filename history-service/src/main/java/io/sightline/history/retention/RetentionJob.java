package io.sightline.history.retention;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import io.agroal.api.AgroalDataSource;
import io.quarkus.logging.Log;
import io.quarkus.scheduler.Scheduled;
import io.sightline.history.config.HistoryConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import jakarta.enterprise.context.ApplicationScoped;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Enforces retention: per camera, everything captured before {@code now - retention days} (the camera's
 * own setting, else {@code default-days}) is deleted, thumbnails included; then the size caps (live
 * thumbnail bytes, caption rows) delete the oldest rows beyond them; then caption texts no caption uses
 * any more. Deleted space is reused by PostgreSQL (autovacuum); the files do not shrink.
 */
@ApplicationScoped
public class RetentionJob {

    /** What one run deleted, per table. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Report(Map<String, Long> deleted, long thumbnailBytes, long captions, long databaseBytes, long tookMs) {
    }

    private static final String[][] BY_CAMERA = {
            {"captions", "captured_at"}, {"detections", "captured_at"}, {"thumbnails", "captured_at"},
            {"events", "end_at"}, {"notifications", "at"},
            {"watch_jobs", "updated_at"}};
    private static final int CHUNK = 5000;

    private final AgroalDataSource dataSource;
    private final HistoryConfig.Retention config;
    private final Clock clock;
    private final ReentrantLock running = new ReentrantLock();
    private final MeterRegistry registry;

    RetentionJob(AgroalDataSource dataSource, HistoryConfig config, MeterRegistry registry) {
        this.dataSource = dataSource;
        this.config = config.retention();
        this.clock = Clock.systemUTC();
        this.registry = registry;
    }

    /** Rows deleted, by table and why (age/size cap, or disk: the full-disk guard). */
    private void count(String table, String reason, long rows) {
        if (rows > 0) {
            Counter.builder("sightline.history.retention.deleted").tag("table", table).tag("reason", reason)
                    .description("Rows the retention job deleted").register(registry).increment(rows);
        }
    }

    /**
     * The full-disk guard's emergency pass: deletes the oldest thumbnails (the bulk) until about {@code bytes} are freed,
     * then - when no thumbnails are left to delete - the oldest captions and detections a chunk at a time, and VACUUMs
     * what it deleted from so the space is reused at once. Returns the JPEG bytes freed (rows, for captions).
     */
    public Report freeSpace(long bytes) throws SQLException {
        running.lock();
        long start = System.nanoTime();
        try (Connection c = dataSource.getConnection()) {
            Map<String, Long> deleted = new LinkedHashMap<>();
            long freed = 0;
            long rows = 0;
            while (freed < bytes) {
                long chunkFreed = 0;
                int chunkRows = 0;
                try (PreparedStatement ps = c.prepareStatement("""
                        WITH old AS (SELECT frame_id, octet_length(jpeg) AS n,
                                            sum(octet_length(jpeg)) OVER (ORDER BY captured_at, frame_id) AS upto
                                     FROM thumbnails ORDER BY captured_at, frame_id LIMIT ?)
                        DELETE FROM thumbnails t USING old WHERE t.frame_id = old.frame_id AND old.upto - old.n < ? RETURNING old.n""")) {
                    ps.setInt(1, CHUNK);
                    ps.setLong(2, bytes - freed);
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            chunkFreed += rs.getLong(1);
                            chunkRows++;
                        }
                    }
                }
                if (chunkRows == 0) {
                    break;
                }
                freed += chunkFreed;
                rows += chunkRows;
            }
            deleted.put("thumbnails", rows);
            count("thumbnails", "disk", rows);
            if (freed < bytes) {
                // no thumbnails left: the oldest frames' captions and detections, a chunk each
                long captions = update(c, "DELETE FROM captions WHERE frame_id IN (SELECT frame_id FROM captions ORDER BY captured_at LIMIT "
                        + CHUNK + ")");
                long detections = update(c, "DELETE FROM detections WHERE frame_id IN (SELECT frame_id FROM detections ORDER BY captured_at LIMIT "
                        + CHUNK + ")");
                deleted.put("captions", captions);
                deleted.put("detections", detections);
                count("captions", "disk", captions);
                count("detections", "disk", detections);
            }
            c.setAutoCommit(true);
            for (String table : List.of("thumbnails", "captions", "detections")) {
                if (deleted.getOrDefault(table, 0L) > 0) {
                    update(c, "VACUUM " + table); // constant names; makes the deleted space reusable now
                }
            }
            if (deleted.values().stream().mapToLong(Long::longValue).sum() > 0) {
                Log.warnf("disk nearly full: retention deleted the oldest %s (%d MB of thumbnails) in %d ms", deleted,
                        freed / (1024 * 1024), (System.nanoTime() - start) / 1_000_000);
            }
            return new Report(deleted, scalar(c, "SELECT coalesce(sum(octet_length(jpeg)), 0) FROM thumbnails"),
                    scalar(c, "SELECT count(*) FROM captions"), scalar(c, "SELECT pg_database_size(current_database())"),
                    (System.nanoTime() - start) / 1_000_000);
        } finally {
            running.unlock();
        }
    }

    @Scheduled(every = "${sightline.history.retention.interval:1h}", delayed = "30s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void scheduled() {
        try {
            Report report = run();
            if (report.deleted().values().stream().mapToLong(Long::longValue).sum() > 0) {
                Log.infof("retention deleted %s in %d ms", report.deleted(), report.tookMs());
            }
        } catch (SQLException e) {
            Log.warnf("retention job failed (database unavailable?): %s", e.getMessage());
        }
    }

    /** One pass now (also from the admin route). */
    public Report run() throws SQLException {
        running.lock();
        long start = System.nanoTime();
        try (Connection c = dataSource.getConnection()) {
            Map<String, Long> deleted = new LinkedHashMap<>();
            long now = clock.millis();
            try (PreparedStatement ps = c.prepareStatement("SELECT camera, coalesce(retention_days, ?) FROM cameras")) {
                ps.setInt(1, config.defaultDays());
                try (ResultSet rs = ps.executeQuery()) {
                    Map<String, Integer> cameras = new LinkedHashMap<>();
                    while (rs.next()) {
                        cameras.put(rs.getString(1), rs.getInt(2));
                    }
                    for (Map.Entry<String, Integer> camera : cameras.entrySet()) {
                        long cutoff = now - Duration.ofDays(camera.getValue()).toMillis();
                        for (String[] table : BY_CAMERA) {
                            long n = deleteOlder(c, table[0], table[1], camera.getKey(), cutoff);
                            deleted.merge(table[0], n, Long::sum);
                            count(table[0], "age", n);
                        }
                    }
                }
            }
            long cappedThumbnails = capThumbnails(c);
            long cappedCaptions = capCaptions(c);
            count("thumbnails", "size_cap", cappedThumbnails);
            count("captions", "size_cap", cappedCaptions);
            deleted.merge("thumbnails", cappedThumbnails, Long::sum);
            deleted.merge("captions", cappedCaptions, Long::sum);
            deleted.put("caption_texts", update(c, """
                    DELETE FROM caption_texts t WHERE NOT EXISTS (SELECT 1 FROM captions c WHERE c.text_id = t.id)"""));
            deleted.put("cameras", update(c, """
                    DELETE FROM cameras k WHERE NOT EXISTS (SELECT 1 FROM captions c WHERE c.camera = k.camera)
                      AND NOT EXISTS (SELECT 1 FROM events e WHERE e.camera = k.camera)
                      AND NOT EXISTS (SELECT 1 FROM thumbnails th WHERE th.camera = k.camera)
                      AND NOT EXISTS (SELECT 1 FROM detections d WHERE d.camera = k.camera)
                      AND NOT EXISTS (SELECT 1 FROM watch_jobs w WHERE w.camera = k.camera)
                      AND k.retention_days IS NULL"""));
            return new Report(deleted, scalar(c, "SELECT coalesce(sum(octet_length(jpeg)), 0) FROM thumbnails"),
                    scalar(c, "SELECT count(*) FROM captions"), scalar(c, "SELECT pg_database_size(current_database())"),
                    (System.nanoTime() - start) / 1_000_000);
        } finally {
            running.unlock();
        }
    }

    private static long deleteOlder(Connection c, String table, String column, String camera, long cutoff) throws SQLException {
        // table and column come from BY_CAMERA, never from input
        String sql = "DELETE FROM " + table + " WHERE camera = ? AND " + column + " < ?";
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, camera);
            ps.setLong(2, cutoff);
            return ps.executeLargeUpdate();
        }
    }

    private long capThumbnails(Connection c) throws SQLException {
        long total = scalar(c, "SELECT coalesce(sum(octet_length(jpeg)), 0) FROM thumbnails");
        long deleted = 0;
        while (total > config.maxThumbnailBytes()) {
            try (PreparedStatement ps = c.prepareStatement("""
                    WITH old AS (SELECT frame_id, octet_length(jpeg) AS n FROM thumbnails ORDER BY captured_at LIMIT ?)
                    DELETE FROM thumbnails t USING old WHERE t.frame_id = old.frame_id RETURNING old.n""")) {
                ps.setInt(1, CHUNK);
                long freed = 0; // oldest first, a chunk at a time: may free up to a chunk more than needed
                int rows = 0;
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        freed += rs.getLong(1);
                        rows++;
                    }
                }
                if (rows == 0) {
                    break;
                }
                deleted += rows;
                total = scalar(c, "SELECT coalesce(sum(octet_length(jpeg)), 0) FROM thumbnails");
            }
        }
        return deleted;
    }

    private long capCaptions(Connection c) throws SQLException {
        long excess = scalar(c, "SELECT count(*) FROM captions") - config.maxCaptions();
        if (excess <= 0) {
            return 0;
        }
        try (PreparedStatement ps = c.prepareStatement("""
                DELETE FROM captions WHERE frame_id IN (SELECT frame_id FROM captions ORDER BY captured_at LIMIT ?)""")) {
            ps.setLong(1, excess);
            return ps.executeLargeUpdate();
        }
    }

    private static long update(Connection c, String sql) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            return ps.executeLargeUpdate();
        }
    }

    private static long scalar(Connection c, String sql) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql); ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
