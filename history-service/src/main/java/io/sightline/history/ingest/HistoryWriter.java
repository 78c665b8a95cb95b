package io.sightline.history.ingest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.agroal.api.AgroalDataSource;
import io.sightline.common.event.CaptionProduced;
import io.sightline.common.event.DetectionsProduced;
import io.sightline.common.event.LifecycleEvent;
import io.sightline.common.event.NotificationRaised;
import io.sightline.history.config.HistoryConfig;
import io.sightline.history.episode.EpisodeTracker;
import io.sightline.history.search.CaptionEmbedder;
import jakarta.enterprise.context.ApplicationScoped;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;

/**
 * Stores one {@link IngestBatch} in one transaction, idempotently: every row is keyed by its record's
 * id and inserted with ON CONFLICT DO NOTHING, and only detections that were actually inserted (not
 * replays) feed the episodes. Batched statements, one round of each kind per batch. Used by the one
 * ingest thread only.
 */
@ApplicationScoped
public class HistoryWriter {

    private static final int TEXT_CACHE = 50_000;

    private final AgroalDataSource dataSource;
    private final CaptionEmbedder embedder;
    private final ObjectMapper json;
    private final EpisodeTracker episodes;
    /** key of a caption text ({@link #hash}) -> caption_texts.id; only ids of committed rows. */
    private final Map<String, Long> textIds = new LinkedHashMap<>(1024, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
            return size() > TEXT_CACHE;
        }
    };

    HistoryWriter(AgroalDataSource dataSource, CaptionEmbedder embedder, ObjectMapper json, HistoryConfig config) {
        this.dataSource = dataSource;
        this.embedder = embedder;
        this.json = json;
        this.episodes = new EpisodeTracker(config.episodes().gap(), config.episodes().minScore());
    }

    /** What one write changed: new rows (replays count zero). */
    public record Written(int captions, int detections, int thumbnails, int notifications, int lifecycle, int episodesTouched,
                          int watchJobs) {
    }

    public Written write(IngestBatch batch) throws SQLException {
        try {
            return writeOnce(batch);
        } catch (AssertionError e) {
            throw new SQLException("the database connection broke during a batch: " + e.getMessage(), "08006", e);
        }
    }

    private Written writeOnce(IngestBatch batch) throws SQLException {
        Map<String, Long> newTextIds = new HashMap<>();
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                upsertCameras(c, batch);
                int captions = insertCaptions(c, batch.captions(), newTextIds);
                List<EpisodeTracker.Episode> touched = new ArrayList<>();
                int detections = insertDetections(c, batch.detections(), touched);
                storeEpisodes(c, touched);
                int thumbnails = insertThumbnails(c, batch.thumbnails());
                int notifications = insertNotifications(c, batch.notifications());
                int lifecycle = insertLifecycle(c, batch.lifecycle());
                int watchJobs = storeWatchJobs(c, batch.watchJobs(), batch.watchJobsRemoved());
                c.commit();
                textIds.putAll(newTextIds);
                return new Written(captions, detections, thumbnails, notifications, lifecycle, touched.size(), watchJobs);
            } catch (SQLException | RuntimeException | AssertionError e) {
                // AssertionError: pgjdbc raises one from a batch whose connection died mid-way
                episodes.clear();
                try {
                    c.rollback();
                } catch (SQLException ignored) {
                    // the connection is gone; nothing was committed
                }
                throw e;
            }
        }
    }

    /** True when a fresh connection answers: the database is back. */
    public boolean databaseAnswers() {
        try (Connection c = dataSource.getConnection()) {
            return c.isValid(2);
        } catch (SQLException e) {
            return false;
        }
    }

    /** Forget cached state (episodes, text ids) after a failure or a rebalance. */
    public void reset() {
        episodes.clear();
    }

    private static void upsertCameras(Connection c, IngestBatch batch) throws SQLException {
        Map<String, long[]> seen = new TreeMap<>(); // sorted: replicas lock camera rows in the same order
        batch.captions().forEach(x -> see(seen, x.camera(), x.capturedAt()));
        batch.detections().forEach(x -> see(seen, x.camera(), x.capturedAt()));
        batch.thumbnails().forEach(x -> see(seen, x.camera(), x.capturedAt()));
        batch.notifications().forEach(x -> see(seen, x.camera(), x.at()));
        batch.watchJobs().forEach(x -> see(seen, x.camera(), x.createdAt()));
        if (seen.isEmpty()) {
            return;
        }
        // per camera the zone of its newest frame that named one
        Map<String, IngestBatch.Thumbnail> zoned = new HashMap<>();
        for (IngestBatch.Thumbnail t : batch.thumbnails()) {
            if (t.timeZone() != null) {
                zoned.merge(t.camera(), t, (a, b) -> b.capturedAt() >= a.capturedAt() ? b : a);
            }
        }
        try (PreparedStatement ps = c.prepareStatement("""
                INSERT INTO cameras (camera, first_seen_at, last_seen_at, time_zone, time_zone_at) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (camera) DO UPDATE SET
                  first_seen_at = least(cameras.first_seen_at, excluded.first_seen_at),
                  last_seen_at = greatest(cameras.last_seen_at, excluded.last_seen_at),
                  time_zone = CASE WHEN excluded.time_zone_at IS NOT NULL
                                    AND (cameras.time_zone_at IS NULL OR excluded.time_zone_at >= cameras.time_zone_at)
                                   THEN excluded.time_zone ELSE cameras.time_zone END,
                  time_zone_at = greatest(cameras.time_zone_at, excluded.time_zone_at)""")) {
            for (Map.Entry<String, long[]> e : seen.entrySet()) {
                ps.setString(1, e.getKey());
                ps.setLong(2, e.getValue()[0]);
                ps.setLong(3, e.getValue()[1]);
                IngestBatch.Thumbnail z = zoned.get(e.getKey());
                ps.setString(4, z == null ? null : z.timeZone());
                ps.setObject(5, z == null ? null : z.capturedAt(), java.sql.Types.BIGINT);
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    private static void see(Map<String, long[]> seen, String camera, long at) {
        seen.merge(camera, new long[] {at, at}, (a, b) -> new long[] {Math.min(a[0], b[0]), Math.max(a[1], b[1])});
    }

    private int insertCaptions(Connection c, List<CaptionProduced> captions, Map<String, Long> newTextIds) throws SQLException {
        if (captions.isEmpty()) {
            return 0;
        }
        Map<String, String> textByHash = new LinkedHashMap<>();
        for (CaptionProduced caption : captions) {
            textByHash.putIfAbsent(hash(caption.text()), caption.text());
        }
        Map<String, Long> ids = new HashMap<>();
        List<String> unknown = new ArrayList<>();
        for (String h : textByHash.keySet()) {
            Long id = textIds.get(h);
            if (id != null) {
                ids.put(h, id);
            } else {
                unknown.add(h);
            }
        }
        if (!unknown.isEmpty()) {
            ids.putAll(selectTextIds(c, unknown));
            List<String> missing = unknown.stream().filter(h -> !ids.containsKey(h)).toList();
            if (!missing.isEmpty()) {
                float[][] vectors = embeddings(missing.stream().map(textByHash::get).toList());
                try (PreparedStatement ps = c.prepareStatement(
                        "INSERT INTO caption_texts (text_hash, text, embedding) VALUES (?, ?, ?) ON CONFLICT (text_hash) DO NOTHING")) {
                    for (int i = 0; i < missing.size(); i++) {
                        ps.setObject(1, UUID.fromString(missing.get(i)));
                        ps.setString(2, textByHash.get(missing.get(i)));
                        ps.setArray(3, floats(c, vectors[i]));
                        ps.addBatch();
                    }
                    ps.executeBatch();
                }
                ids.putAll(selectTextIds(c, missing));
            }
            for (String h : unknown) {
                newTextIds.put(h, ids.get(h));
            }
        }
        try (PreparedStatement ps = c.prepareStatement("""
                INSERT INTO captions (frame_id, camera, captured_at, captioned_at, backend, model, text_id, latency_ms,
                                      escalated, escalation_reason, described_frame_id)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (frame_id) DO NOTHING""")) {
            for (CaptionProduced caption : captions) {
                ps.setObject(1, UUID.fromString(caption.frameId()));
                ps.setString(2, caption.camera());
                ps.setLong(3, caption.capturedAt());
                ps.setLong(4, caption.captionedAt());
                ps.setString(5, caption.backend());
                ps.setString(6, caption.model());
                ps.setLong(7, ids.get(hash(caption.text())));
                ps.setLong(8, caption.latencyMs());
                ps.setObject(9, caption.escalated(), java.sql.Types.BOOLEAN);
                ps.setString(10, caption.escalationReason());
                ps.setObject(11, caption.describedFrameId() == null ? null : UUID.fromString(caption.describedFrameId()),
                        java.sql.Types.OTHER);
                ps.addBatch();
            }
            return inserted(ps.executeBatch());
        }
    }

    private static Map<String, Long> selectTextIds(Connection c, List<String> hashes) throws SQLException {
        Map<String, Long> found = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT id, text_hash FROM caption_texts WHERE text_hash = ANY (?)")) {
            ps.setArray(1, c.createArrayOf("uuid", hashes.stream().map(UUID::fromString).toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    found.put(rs.getObject(2, UUID.class).toString(), rs.getLong(1));
                }
            }
        }
        return found;
    }

    private int insertDetections(Connection c, List<DetectionsProduced> detections, List<EpisodeTracker.Episode> touched) throws SQLException {
        if (detections.isEmpty()) {
            return 0;
        }
        int[] counts;
        try (PreparedStatement ps = c.prepareStatement("""
                INSERT INTO detections (frame_id, camera, captured_at, width, height, model, objects, texts)
                VALUES (?, ?, ?, ?, ?, ?, ?::jsonb, ?::jsonb) ON CONFLICT (frame_id) DO NOTHING""")) {
            for (DetectionsProduced d : detections) {
                ps.setObject(1, UUID.fromString(d.frameId()));
                ps.setString(2, d.camera());
                ps.setLong(3, d.capturedAt());
                ps.setInt(4, d.width());
                ps.setInt(5, d.height());
                ps.setString(6, d.model());
                ps.setString(7, toJson(d.detections()));
                ps.setString(8, toJson(d.texts()));
                ps.addBatch();
            }
            counts = ps.executeBatch();
        }
        Set<EpisodeTracker.Episode> unique = new LinkedHashSet<>();
        EpisodeTracker.Loader loader = key -> latestEpisode(c, key);
        EpisodeTracker.Ids ids = () -> nextEpisodeId(c);
        for (int i = 0; i < detections.size(); i++) {
            if (counts[i] > 0) { // a replayed frame inserted nothing and must not extend an episode again
                unique.addAll(episodes.apply(detections.get(i), loader, ids));
            }
        }
        touched.addAll(unique);
        return inserted(counts);
    }

    private static Optional<EpisodeTracker.Episode> latestEpisode(Connection c, EpisodeTracker.Key key) {
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT id, start_at, end_at, frames, peak_frame_id, peak_score, peak_count FROM events
                WHERE camera = ? AND kind = ? AND label = ? AND text IS NOT DISTINCT FROM ?
                ORDER BY end_at DESC LIMIT 1""")) {
            ps.setString(1, key.camera());
            ps.setString(2, key.kind());
            ps.setString(3, key.label());
            ps.setString(4, key.text());
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                return Optional.of(new EpisodeTracker.Episode(key, rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getInt(4),
                        rs.getObject(5, UUID.class), rs.getDouble(6), rs.getInt(7)));
            }
        } catch (SQLException e) {
            throw new DatabaseFailure(e);
        }
    }

    private static long nextEpisodeId(Connection c) {
        try (PreparedStatement ps = c.prepareStatement("SELECT nextval('events_id_seq')"); ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw new DatabaseFailure(e);
        }
    }

    private static void storeEpisodes(Connection c, List<EpisodeTracker.Episode> touched) throws SQLException {
        if (touched.isEmpty()) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement("""
                INSERT INTO events (id, camera, kind, label, text, start_at, end_at, frames, peak_frame_id, peak_score, peak_count)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (id) DO UPDATE SET start_at = excluded.start_at, end_at = excluded.end_at, frames = excluded.frames,
                  peak_frame_id = excluded.peak_frame_id, peak_score = excluded.peak_score, peak_count = excluded.peak_count""")) {
            for (EpisodeTracker.Episode e : touched) {
                ps.setLong(1, e.id());
                ps.setString(2, e.key().camera());
                ps.setString(3, e.key().kind());
                ps.setString(4, e.key().label());
                ps.setString(5, e.key().text());
                ps.setLong(6, e.startAt());
                ps.setLong(7, e.endAt());
                ps.setInt(8, e.frames());
                ps.setObject(9, e.peakFrameId());
                ps.setDouble(10, e.peakScore());
                ps.setInt(11, e.peakCount());
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    private static int insertThumbnails(Connection c, List<IngestBatch.Thumbnail> all) throws SQLException {
        List<IngestBatch.Thumbnail> thumbnails = all.stream().filter(t -> t.jpeg() != null).toList(); // null: thumbnails are off
        if (thumbnails.isEmpty()) {
            return 0;
        }
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO thumbnails (frame_id, camera, captured_at, jpeg) VALUES (?, ?, ?, ?) ON CONFLICT (frame_id) DO NOTHING")) {
            for (IngestBatch.Thumbnail t : thumbnails) {
                ps.setObject(1, t.frameId());
                ps.setString(2, t.camera());
                ps.setLong(3, t.capturedAt());
                ps.setBytes(4, t.jpeg());
                ps.addBatch();
            }
            return inserted(ps.executeBatch());
        }
    }

    private static int insertNotifications(Connection c, List<NotificationRaised> notifications) throws SQLException {
        if (notifications.isEmpty()) {
            return 0;
        }
        try (PreparedStatement ps = c.prepareStatement("""
                INSERT INTO notifications (job_id, at, camera, condition, message, reasoning) VALUES (?, ?, ?, ?, ?, ?)
                ON CONFLICT (job_id, at) DO NOTHING""");
             PreparedStatement ev = c.prepareStatement("""
                INSERT INTO events (camera, kind, label, text, start_at, end_at, frames, peak_count, source_key)
                VALUES (?, 'notification', 'notification', ?, ?, ?, 0, 0, ?) ON CONFLICT (source_key) DO NOTHING""")) {
            for (NotificationRaised n : notifications) {
                ps.setString(1, n.jobId());
                ps.setLong(2, n.at());
                ps.setString(3, n.camera());
                ps.setString(4, n.condition());
                ps.setString(5, n.message());
                ps.setString(6, n.reasoning());
                ps.addBatch();
                ev.setString(1, n.camera());
                ev.setString(2, n.message() != null ? n.message() : n.condition());
                ev.setLong(3, n.at());
                ev.setLong(4, n.at());
                ev.setString(5, "notification:" + n.jobId() + ":" + n.at());
                ev.addBatch();
            }
            int n = inserted(ps.executeBatch());
            ev.executeBatch();
            return n;
        }
    }

    /**
     * Watch-job states: a row per job, replaced only by a newer state (a finished status beats running and is final;
     * between two records of the same kind the later updated_at wins), so a replay, a duplicate or a compacted topic
     * changes nothing. Transitions (running at created_at, the final status at ended_at) are keyed by job and status.
     * A job that fired becomes a 'watch' event. Tombstones mark the row removed and keep it.
     */
    private int storeWatchJobs(Connection c, List<WatchJobState> jobs, List<WatchJobState.Removed> removed) throws SQLException {
        int changed = 0;
        if (!jobs.isEmpty()) {
            try (PreparedStatement ps = c.prepareStatement("""
                    INSERT INTO watch_jobs (job_id, camera, condition, labels, status, created_at, expires_at, ended_at, iterations,
                                            vlm_calls, last_reasoning, last_outcome, notification_message, error, last_frame_id, updated_at)
                    VALUES (?, ?, ?, ?::jsonb, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT (job_id) DO UPDATE SET camera = excluded.camera, condition = excluded.condition,
                      labels = excluded.labels, status = excluded.status, created_at = excluded.created_at,
                      expires_at = excluded.expires_at, ended_at = excluded.ended_at, iterations = excluded.iterations,
                      vlm_calls = excluded.vlm_calls, last_reasoning = excluded.last_reasoning, last_outcome = excluded.last_outcome,
                      notification_message = excluded.notification_message, error = excluded.error,
                      last_frame_id = coalesce(excluded.last_frame_id, watch_jobs.last_frame_id), updated_at = excluded.updated_at
                    WHERE (watch_jobs.status = 'running' AND excluded.status <> 'running')
                       OR ((watch_jobs.status = 'running') = (excluded.status = 'running') AND excluded.updated_at > watch_jobs.updated_at)""");
                 PreparedStatement tr = c.prepareStatement(
                         "INSERT INTO watch_job_transitions (job_id, status, at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING");
                 PreparedStatement ev = c.prepareStatement("""
                    INSERT INTO events (camera, kind, label, text, start_at, end_at, frames, peak_frame_id, peak_count, source_key)
                    VALUES (?, 'watch', 'watch', ?, ?, ?, 0, ?, 0, ?) ON CONFLICT (source_key) DO NOTHING""")) {
                for (WatchJobState w : jobs) {
                    ps.setString(1, w.id());
                    ps.setString(2, w.camera());
                    ps.setString(3, w.condition());
                    ps.setString(4, toJson(w.labels()));
                    ps.setString(5, w.status());
                    ps.setLong(6, w.createdAt());
                    ps.setObject(7, w.expiresAt(), java.sql.Types.BIGINT);
                    ps.setObject(8, w.endedAt(), java.sql.Types.BIGINT);
                    ps.setInt(9, w.iterations());
                    ps.setInt(10, w.vlmCalls());
                    ps.setString(11, w.lastReasoning());
                    ps.setString(12, w.lastOutcome());
                    ps.setString(13, w.notificationMessage());
                    ps.setString(14, w.error());
                    UUID frame = w.history().isEmpty() ? null : UUID.fromString(w.history().get(0).frameId());
                    ps.setObject(15, frame, java.sql.Types.OTHER);
                    ps.setLong(16, w.updatedAt());
                    ps.addBatch();
                    tr.setString(1, w.id());
                    tr.setString(2, "running");
                    tr.setLong(3, w.createdAt());
                    tr.addBatch();
                    if (w.finished()) {
                        tr.setString(1, w.id());
                        tr.setString(2, w.status());
                        tr.setLong(3, w.endedAt());
                        tr.addBatch();
                    }
                    if ("success".equals(w.status())) {
                        ev.setString(1, w.camera());
                        ev.setString(2, w.notificationMessage() != null ? w.notificationMessage() : w.condition());
                        ev.setLong(3, w.createdAt());
                        ev.setLong(4, w.endedAt());
                        ev.setObject(5, frame, java.sql.Types.OTHER);
                        ev.setString(6, "watch:" + w.id());
                        ev.addBatch();
                    }
                }
                // rows first (transitions reference them), in the batch's order: a later record of a job sees the earlier
                changed += inserted(ps.executeBatch());
                tr.executeBatch();
                ev.executeBatch();
            }
        }
        if (!removed.isEmpty()) {
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE watch_jobs SET removed_at = ? WHERE job_id = ? AND removed_at IS NULL");
                 PreparedStatement tr = c.prepareStatement("""
                    INSERT INTO watch_job_transitions (job_id, status, at) SELECT job_id, 'removed', ? FROM watch_jobs WHERE job_id = ?
                    ON CONFLICT DO NOTHING""")) {
                for (WatchJobState.Removed r : removed) {
                    ps.setLong(1, r.at());
                    ps.setString(2, r.jobId());
                    ps.addBatch();
                    tr.setLong(1, r.at());
                    tr.setString(2, r.jobId());
                    tr.addBatch();
                }
                changed += inserted(ps.executeBatch());
                tr.executeBatch();
            }
        }
        return changed;
    }

    private static int insertLifecycle(Connection c, List<LifecycleEvent> events) throws SQLException {
        if (events.isEmpty()) {
            return 0;
        }
        try (PreparedStatement ps = c.prepareStatement("""
                INSERT INTO lifecycle_events (event_id, event, backend, endpoint, reason, instance, at) VALUES (?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (event_id) DO NOTHING""")) {
            for (LifecycleEvent l : events) {
                ps.setString(1, l.eventId());
                ps.setString(2, l.event());
                ps.setString(3, l.backend());
                ps.setString(4, l.endpoint());
                ps.setString(5, l.reason());
                ps.setString(6, l.instance());
                ps.setLong(7, l.at());
                ps.addBatch();
            }
            return inserted(ps.executeBatch());
        }
    }

    private String toJson(Object value) {
        try {
            return json.writeValueAsString(value).replace("\\u0000", "");
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static Array floats(Connection c, float[] v) throws SQLException {
        Float[] boxed = new Float[v.length];
        for (int i = 0; i < v.length; i++) {
            boxed[i] = v[i];
        }
        return c.createArrayOf("float4", boxed);
    }

    private static int inserted(int[] counts) {
        int n = 0;
        for (int count : counts) {
            if (count > 0) {
                n += count;
            }
        }
        return n;
    }

    /** The text's key: the first 128 bits of its SHA-256 as a UUID string. */
    static String hash(String text) {
        try {
            ByteBuffer digest = ByteBuffer.wrap(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
            return new UUID(digest.getLong(), digest.getLong()).toString();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A database error raised inside a callback that cannot throw SQLException. */
    static final class DatabaseFailure extends RuntimeException {
        DatabaseFailure(SQLException cause) {
            super(cause.getMessage(), cause);
        }
    }

    /** MiniLM vectors of the texts; an empty caption (the none tier) has nothing to embed and gets a zero vector. */
    private float[][] embeddings(List<String> texts) {
        List<String> nonBlank = texts.stream().filter(t -> !t.isBlank()).toList();
        float[][] embedded = embedder.embedAll(nonBlank);
        float[][] vectors = new float[texts.size()][];
        for (int i = 0, j = 0; i < texts.size(); i++) {
            vectors[i] = texts.get(i).isBlank() ? new float[CaptionEmbedder.DIMENSIONS] : embedded[j++];
        }
        return vectors;
    }
}
