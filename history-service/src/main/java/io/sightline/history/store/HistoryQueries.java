package io.sightline.history.store;

import io.agroal.api.AgroalDataSource;
import io.sightline.common.event.CaptionProduced;
import io.sightline.history.config.HistoryConfig;
import jakarta.enterprise.context.ApplicationScoped;

import java.nio.charset.StandardCharsets;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** Read side of the history database: timeline, counts, captions, thumbnails, cameras and retention. Parameterised SQL only. */
@ApplicationScoped
public class HistoryQueries {

    public static final String THUMBNAIL_PATH = "/api/v1/history/frames/%s/thumbnail.jpg";

    private final AgroalDataSource dataSource;
    private final int defaultRetentionDays;

    HistoryQueries(AgroalDataSource dataSource, HistoryConfig config) {
        this.dataSource = dataSource;
        this.defaultRetentionDays = config.retention().defaultDays();
    }

    /** Maps the current row of a result set to one value. */
    @FunctionalInterface
    interface Row<T> {
        T map(ResultSet rs) throws SQLException;
    }

    /** Every row of the query, mapped; a database failure becomes {@link DatabaseUnavailableException}. */
    private <T> List<T> rows(String sql, List<?> params, Row<T> row) {
        List<T> out = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            bind(ps, params);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(row.map(rs));
                }
            }
        } catch (SQLException e) {
            throw new DatabaseUnavailableException(e);
        }
        return out;
    }

    /** The first row of the query, mapped, or empty. */
    private <T> Optional<T> first(String sql, List<?> params, Row<T> row) {
        List<T> all = rows(sql + " LIMIT 1", params, row);
        return all.isEmpty() ? Optional.empty() : Optional.of(all.get(0));
    }

    /** Throws {@link UnknownCameraException} unless the camera has history. */
    public void requireCamera(String camera) {
        if (first("SELECT 1 FROM cameras WHERE camera = ?", List.of(camera), rs -> true).isEmpty()) {
            throw new UnknownCameraException(camera);
        }
    }

    /** Events overlapping the filter's range, newest start first, {@code limit} per page after {@code cursor}. */
    public HistoryRecords.EventPage events(Filter filter, Optional<String> cursor, int limit, ZoneId zone) {
        List<Object> params = new ArrayList<>();
        String where = filter.onEvents("e", params);
        String after = "";
        if (cursor.isPresent()) {
            long[] position = decodeCursor(cursor.get());
            after = " AND (e.start_at, e.id) < (?, ?)";
            params.add(position[0]);
            params.add(position[1]);
        }
        params.add(limit + 1);
        String sql = """
                SELECT e.id, e.camera, e.kind, e.label, e.text, e.start_at, e.end_at, e.frames, e.peak_frame_id, e.peak_score,
                       e.peak_count,
                       ARRAY(SELECT DISTINCT t.text FROM captions c JOIN caption_texts t ON t.id = c.text_id
                             WHERE c.camera = e.camera AND c.captured_at BETWEEN e.start_at AND e.end_at LIMIT 10) AS captions,
                       EXISTS (SELECT 1 FROM thumbnails th WHERE th.frame_id = e.peak_frame_id) AS has_thumbnail
                FROM events e WHERE %s%s ORDER BY e.start_at DESC, e.id DESC LIMIT ?""".formatted(where, after);
        List<HistoryRecords.EventView> events = rows(sql, params, rs -> event(rs, zone));
        String next = null;
        if (events.size() > limit) {
            events = new ArrayList<>(events.subList(0, limit));
            HistoryRecords.EventView last = events.get(limit - 1);
            next = encodeCursor(last.startAt(), last.id());
        }
        return new HistoryRecords.EventPage(events, events.size(), limit, next);
    }

    private static HistoryRecords.EventView event(ResultSet rs, ZoneId zone) throws SQLException {
        UUID peak = rs.getObject(9, UUID.class);
        double peakScore = rs.getDouble(10);
        Double score = rs.wasNull() ? null : peakScore;
        Array array = rs.getArray(12);
        List<String> captions = array == null ? List.of() : List.of((String[]) array.getArray());
        boolean thumbnail = rs.getBoolean(13);
        long start = rs.getLong(6);
        long end = rs.getLong(7);
        return new HistoryRecords.EventView(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                start, end, local(start, zone), local(end, zone), rs.getInt(8), peak, score, rs.getInt(11), captions,
                thumbnail ? THUMBNAIL_PATH.formatted(peak) : null);
    }

    /** Object events of {@code label} starting in the range, per hour or day of {@code zone}. */
    public HistoryRecords.Counts counts(String label, Filter filter, String bucket, ZoneId zone) {
        List<Object> params = new ArrayList<>();
        params.add(bucket);
        params.add(zone.getId());
        StringBuilder where = new StringBuilder("e.kind = 'object' AND e.label = ?");
        params.add(label);
        filter.camera().ifPresent(cam -> {
            where.append(" AND e.camera = ?");
            params.add(cam);
        });
        filter.since().ifPresent(s -> {
            where.append(" AND e.start_at >= ?");
            params.add(s);
        });
        filter.until().ifPresent(u -> {
            where.append(" AND e.start_at <= ?");
            params.add(u);
        });
        String sql = """
                SELECT to_char(date_trunc(?, to_timestamp(e.start_at / 1000.0) AT TIME ZONE ?), 'YYYY-MM-DD"T"HH24:MI') AS b, count(*)
                FROM events e WHERE %s GROUP BY b ORDER BY b""".formatted(where);
        List<HistoryRecords.Bucket> buckets = rows(sql, params, rs -> new HistoryRecords.Bucket(rs.getString(1), rs.getLong(2)));
        long total = buckets.stream().mapToLong(HistoryRecords.Bucket::events).sum();
        return new HistoryRecords.Counts(label, bucket, zone.getId(), filter.camera().orElse(null), filter.since().orElse(null),
                filter.until().orElse(null), total, buckets);
    }

    /**
     * Watch jobs of the filter's camera whose watching overlaps the range (created before {@code until}, ended - or
     * still running - after {@code since}), newest created first, {@code limit} per page after {@code cursor}.
     */
    public HistoryRecords.WatchJobPage watchJobs(Filter filter, Optional<String> cursor, int limit, ZoneId zone) {
        List<Object> params = new ArrayList<>();
        StringBuilder where = new StringBuilder("TRUE");
        filter.camera().ifPresent(cam -> {
            where.append(" AND w.camera = ?");
            params.add(cam);
        });
        filter.since().ifPresent(since -> {
            where.append(" AND (w.ended_at IS NULL OR w.ended_at >= ?)");
            params.add(since);
        });
        filter.until().ifPresent(until -> {
            where.append(" AND w.created_at <= ?");
            params.add(until);
        });
        if (cursor.isPresent()) {
            String[] position = decodeTextCursor(cursor.get());
            where.append(" AND (w.created_at, w.job_id) < (?, ?)");
            params.add(Long.parseLong(position[0]));
            params.add(position[1]);
        }
        params.add(limit + 1);
        String sql = """
                SELECT w.job_id, w.camera, w.condition, w.labels::text, w.status, w.created_at, w.ended_at, w.iterations, w.vlm_calls,
                       w.last_reasoning, w.last_outcome, coalesce(w.notification_message, w.error), w.last_frame_id, w.removed_at,
                       EXISTS (SELECT 1 FROM thumbnails th WHERE th.frame_id = w.last_frame_id),
                       ARRAY(SELECT t.status || ':' || t.at FROM watch_job_transitions t WHERE t.job_id = w.job_id ORDER BY t.at, t.status)
                FROM watch_jobs w WHERE %s ORDER BY w.created_at DESC, w.job_id DESC LIMIT ?""".formatted(where);
        List<HistoryRecords.WatchJobView> jobs = rows(sql, params, rs -> watchJob(rs, zone));
        String next = null;
        if (jobs.size() > limit) {
            jobs = new ArrayList<>(jobs.subList(0, limit));
            HistoryRecords.WatchJobView last = jobs.get(limit - 1);
            next = Base64.getUrlEncoder().withoutPadding()
                    .encodeToString((last.createdAt() + ":" + last.jobId()).getBytes(StandardCharsets.UTF_8));
        }
        return new HistoryRecords.WatchJobPage(jobs, jobs.size(), limit, next);
    }

    private static HistoryRecords.WatchJobView watchJob(ResultSet rs, ZoneId zone) throws SQLException {
        long created = rs.getLong(6);
        long endedAt = rs.getLong(7);
        Long ended = rs.wasNull() ? null : endedAt;
        UUID frame = rs.getObject(13, UUID.class);
        long removedAt = rs.getLong(14);
        Long removed = rs.wasNull() ? null : removedAt;
        boolean thumbnail = rs.getBoolean(15);
        List<HistoryRecords.Transition> transitions = new ArrayList<>();
        Array array = rs.getArray(16);
        for (String t : array == null ? new String[0] : (String[]) array.getArray()) {
            int colon = t.lastIndexOf(':');
            long at = Long.parseLong(t.substring(colon + 1));
            transitions.add(new HistoryRecords.Transition(t.substring(0, colon), at, local(at, zone)));
        }
        List<String> labels = new ArrayList<>();
        String labelJson = rs.getString(4);
        if (labelJson != null) {
            try {
                new com.fasterxml.jackson.databind.ObjectMapper().readTree(labelJson).forEach(n -> labels.add(n.asText()));
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new SQLException("labels of watch job " + rs.getString(1) + " are not a JSON array", e);
            }
        }
        return new HistoryRecords.WatchJobView(rs.getString(1), rs.getString(2), rs.getString(3), labels, rs.getString(5), created,
                local(created, zone), ended, ended == null ? null : local(ended, zone), rs.getInt(8), rs.getInt(9), rs.getString(10),
                rs.getString(11), rs.getString(12), frame, thumbnail ? THUMBNAIL_PATH.formatted(frame) : null, removed != null,
                removed, transitions);
    }

    private static String[] decodeTextCursor(String cursor) {
        try {
            String text = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
            int colon = text.indexOf(':');
            if (colon <= 0 || colon == text.length() - 1) {
                throw new IllegalArgumentException();
            }
            Long.parseLong(text.substring(0, colon));
            return new String[] {text.substring(0, colon), text.substring(colon + 1)};
        } catch (IllegalArgumentException e) {
            throw new InvalidCursorException();
        }
    }

    /** Captions newest first (the gateway's {@code GET /api/v1/captions}). */
    public HistoryRecords.CaptionPage captions(Filter filter, int limit) {
        List<Object> params = new ArrayList<>();
        String where = filter.onCaptions("c", params);
        params.add(limit);
        String sql = """
                SELECT %s
                FROM captions c JOIN caption_texts t ON t.id = c.text_id
                WHERE %s ORDER BY c.captured_at DESC, c.frame_id LIMIT ?""".formatted(CAPTION_COLUMNS, where);
        List<CaptionProduced> captions = rows(sql, params, rs -> caption(rs, 1));
        return new HistoryRecords.CaptionPage(captions, captions.size(), limit, filter.since().orElse(null),
                filter.until().orElse(null), false);
    }

    /** A stored caption with its sequence number (the live stream's event id). */
    public record SequencedCaption(long seq, CaptionProduced caption) {
    }

    /** The highest caption sequence number stored so far (0 when there is none). */
    public long lastCaptionSeq() {
        return rows("SELECT coalesce(max(seq), 0) FROM captions", List.of(), rs -> rs.getLong(1)).get(0);
    }

    /** Captions with {@code from <= seq <= to} (of one camera, or all), in sequence order, at most {@code limit}. */
    public List<SequencedCaption> captionsBySeq(long from, long to, Optional<String> camera, int limit) {
        String sql = """
                SELECT c.seq, %s
                FROM captions c JOIN caption_texts t ON t.id = c.text_id
                WHERE c.seq BETWEEN ? AND ?%s ORDER BY c.seq LIMIT ?""".formatted(CAPTION_COLUMNS, camera.isPresent() ? " AND c.camera = ?" : "");
        List<Object> params = new ArrayList<>(List.of(from, to));
        camera.ifPresent(params::add);
        params.add(limit);
        return rows(sql, params, rs -> new SequencedCaption(rs.getLong(1), caption(rs, 2)));
    }

    /** The columns {@link #caption} reads, in its order (tables captions c, caption_texts t). */
    private static final String CAPTION_COLUMNS = "c.frame_id, c.camera, c.captured_at, c.captioned_at, c.backend, c.model, t.text, "
            + "c.latency_ms, c.escalated, c.escalation_reason, c.described_frame_id";

    /** A caption from the {@link #CAPTION_COLUMNS} starting at column {@code first}. */
    private static CaptionProduced caption(ResultSet rs, int first) throws SQLException {
        int i = first;
        return new CaptionProduced(CaptionProduced.SCHEMA, rs.getObject(i, UUID.class).toString(), rs.getString(i + 1),
                rs.getLong(i + 2), rs.getLong(i + 3), rs.getString(i + 4), rs.getString(i + 5), rs.getString(i + 6),
                rs.getLong(i + 7), List.of(), rs.getObject(i + 8, Boolean.class), rs.getString(i + 9), null,
                rs.getObject(i + 10) == null ? null : rs.getObject(i + 10, UUID.class).toString());
    }

    public Optional<byte[]> thumbnail(UUID frameId) {
        return first("SELECT jpeg FROM thumbnails WHERE frame_id = ?", List.of(frameId), rs -> rs.getBytes(1));
    }

    /** The columns {@link #retention} reads, in its order (table cameras). */
    private static final String CAMERA_COLUMNS = "camera, retention_days, first_seen_at, last_seen_at, time_zone";

    public List<HistoryRecords.CameraRetention> cameras() {
        return rows("SELECT " + CAMERA_COLUMNS + " FROM cameras ORDER BY camera", List.of(), this::retention);
    }

    /** One camera with its retention and current time zone; {@link UnknownCameraException} unless it has history. */
    public HistoryRecords.CameraRetention camera(String camera) {
        return first("SELECT " + CAMERA_COLUMNS + " FROM cameras WHERE camera = ?", List.of(camera), this::retention)
                .orElseThrow(() -> new UnknownCameraException(camera));
    }

    /** Sets a camera's retention in days; empty = back to the default. */
    public HistoryRecords.CameraRetention setRetention(String camera, Optional<Integer> days) {
        List<Object> params = new ArrayList<>();
        params.add(days.orElse(null));
        params.add(camera);
        return rows("UPDATE cameras SET retention_days = ?::integer WHERE camera = ? RETURNING " + CAMERA_COLUMNS, params, this::retention)
                .stream().findFirst().orElseThrow(() -> new UnknownCameraException(camera));
    }

    private HistoryRecords.CameraRetention retention(ResultSet rs) throws SQLException {
        int days = rs.getInt(2);
        boolean isDefault = rs.wasNull();
        return new HistoryRecords.CameraRetention(rs.getString(1), isDefault ? defaultRetentionDays : days, isDefault,
                rs.getLong(3), rs.getLong(4), rs.getString(5));
    }

    static void bind(PreparedStatement ps, List<?> params) throws SQLException {
        for (int i = 0; i < params.size(); i++) {
            ps.setObject(i + 1, params.get(i));
        }
    }

    public static String local(long millis, ZoneId zone) {
        return Instant.ofEpochMilli(millis).atZone(zone).toOffsetDateTime().toString();
    }

    static String encodeCursor(long startAt, long id) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString((startAt + ":" + id).getBytes(StandardCharsets.UTF_8));
    }

    static long[] decodeCursor(String cursor) {
        try {
            String[] parts = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8).split(":");
            if (parts.length != 2) {
                throw new IllegalArgumentException();
            }
            return new long[] {Long.parseLong(parts[0]), Long.parseLong(parts[1])};
        } catch (IllegalArgumentException e) {
            throw new InvalidCursorException();
        }
    }

    /** A cursor that is not one this service handed out; answered 400. */
    public static class InvalidCursorException extends RuntimeException {
        InvalidCursorException() {
            super("cursor is not a next_cursor of a previous page");
        }
    }
}
