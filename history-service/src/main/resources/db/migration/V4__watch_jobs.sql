-- Watch-job state from the compacted topic watch.jobs (key = job id, value = the job's latest state, a tombstone once
-- watch-service forgets a finished job). One row per job, updated only by a newer state (a finished status is final;
-- otherwise the later updated_at wins), so replays, duplicates and compaction change nothing. A tombstone marks the
-- row removed (removed_at) and keeps it: the past stays.
CREATE TABLE watch_jobs (
    job_id               text PRIMARY KEY,
    camera               text NOT NULL,
    condition            text,
    labels               jsonb NOT NULL DEFAULT '[]',
    status               text NOT NULL CHECK (status IN ('running', 'success', 'failed', 'cancelled')),
    created_at           bigint NOT NULL,
    expires_at           bigint,
    ended_at             bigint,
    iterations           integer NOT NULL,
    vlm_calls            integer NOT NULL,
    last_reasoning       text,
    last_outcome         text,
    notification_message text,
    error                text,
    -- the frame of the job's last look (the one that met the condition, for a job that fired)
    last_frame_id        uuid,
    updated_at           bigint NOT NULL,
    removed_at           bigint
);
CREATE INDEX watch_jobs_camera_created ON watch_jobs (camera, created_at DESC, job_id DESC);
CREATE INDEX watch_jobs_created ON watch_jobs (created_at DESC, job_id DESC);

-- State transitions with their times: running at created_at, the final status at ended_at, removed at the
-- tombstone's record time. Every state record carries created_at (and ended_at once finished), so a job read only
-- from its compacted last record still gets every transition; (job_id, status) keys make them idempotent.
CREATE TABLE watch_job_transitions (
    job_id text NOT NULL REFERENCES watch_jobs (job_id) ON DELETE CASCADE,
    status text NOT NULL,
    at     bigint NOT NULL,
    PRIMARY KEY (job_id, status)
);

-- A job that fired (status success) is an event of kind 'watch' on its camera's timeline, spanning the time it watched.
ALTER TABLE events DROP CONSTRAINT events_kind_check;
ALTER TABLE events ADD CONSTRAINT events_kind_check CHECK (kind IN ('object', 'text', 'notification', 'watch'));
