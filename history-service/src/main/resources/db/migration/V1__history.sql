-- Times are epoch milliseconds (bigint), as on the topics. Every row that comes from a record has the
-- record's natural id as its primary key, so a replayed record inserts nothing (ON CONFLICT DO NOTHING).

CREATE TABLE cameras (
    camera         text PRIMARY KEY,
    first_seen_at  bigint NOT NULL,
    last_seen_at   bigint NOT NULL,
    -- null = the service default (sightline.history.retention.default-days)
    retention_days integer CHECK (retention_days BETWEEN 1 AND 3650)
);

-- Distinct caption texts: a static scene repeats the same sentence, so text, full-text vector and
-- embedding are stored (and the embedding computed) once per distinct sentence.
CREATE TABLE caption_texts (
    id        bigserial PRIMARY KEY,
    -- first 128 bits of the text's SHA-256, as a uuid (compact, and uuid[] parameters work)
    text_hash uuid NOT NULL UNIQUE,
    text      text NOT NULL,
    tsv       tsvector GENERATED ALWAYS AS (to_tsvector('english', text)) STORED,
    -- all-MiniLM-L6-v2, 384 floats, L2-normalised
    embedding real[] NOT NULL
);
CREATE INDEX caption_texts_tsv ON caption_texts USING gin (tsv);

CREATE TABLE captions (
    frame_id     uuid PRIMARY KEY,
    camera       text NOT NULL,
    captured_at  bigint NOT NULL,
    captioned_at bigint NOT NULL,
    backend      text,
    model        text,
    text_id      bigint NOT NULL REFERENCES caption_texts (id),
    latency_ms   bigint
);
CREATE INDEX captions_camera_time ON captions (camera, captured_at DESC);
CREATE INDEX captions_time ON captions (captured_at DESC);
CREATE INDEX captions_text ON captions (text_id, captured_at DESC);

CREATE TABLE detections (
    frame_id    uuid PRIMARY KEY,
    camera      text NOT NULL,
    captured_at bigint NOT NULL,
    width       integer,
    height      integer,
    model       text,
    objects     jsonb NOT NULL,
    texts       jsonb NOT NULL
);
CREATE INDEX detections_camera_time ON detections (camera, captured_at DESC);

CREATE TABLE thumbnails (
    frame_id    uuid PRIMARY KEY,
    camera      text NOT NULL,
    captured_at bigint NOT NULL,
    jpeg        bytea NOT NULL
);
CREATE INDEX thumbnails_camera_time ON thumbnails (camera, captured_at);
CREATE INDEX thumbnails_time ON thumbnails (captured_at);

-- Episodes: consecutive frames of one camera showing the same thing (kind object: a label; kind text:
-- the same OCR text; kind notification: a watch job's condition was met).
CREATE TABLE events (
    id            bigserial PRIMARY KEY,
    camera        text NOT NULL,
    kind          text NOT NULL CHECK (kind IN ('object', 'text', 'notification')),
    label         text NOT NULL,
    text          text,
    start_at      bigint NOT NULL,
    end_at        bigint NOT NULL,
    frames        integer NOT NULL,
    peak_frame_id uuid,
    peak_score    real,
    peak_count    integer NOT NULL,
    -- the record an event-less source row came from (notification: job id + time), for idempotency
    source_key    text UNIQUE
);
CREATE INDEX events_camera_start ON events (camera, start_at DESC, id DESC);
CREATE INDEX events_start ON events (start_at DESC, id DESC);
CREATE INDEX events_label_start ON events (label, start_at);
CREATE INDEX events_open ON events (camera, kind, label, end_at DESC);

CREATE TABLE notifications (
    job_id    text NOT NULL,
    at        bigint NOT NULL,
    camera    text NOT NULL,
    condition text,
    message   text,
    reasoning text,
    PRIMARY KEY (job_id, at)
);
CREATE INDEX notifications_camera_at ON notifications (camera, at);

CREATE TABLE lifecycle_events (
    event_id text PRIMARY KEY,
    event    text NOT NULL,
    backend  text,
    endpoint text,
    reason   text,
    instance text,
    at       bigint NOT NULL
);
CREATE INDEX lifecycle_events_at ON lifecycle_events (at);
