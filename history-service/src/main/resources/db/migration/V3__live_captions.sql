-- The live caption stream (GET /api/v1/history/captions/stream) reads what was just stored: every caption
-- row gets a sequence number (the SSE event id, so a client resumes with Last-Event-ID), and each insert
-- statement that stored rows notifies listeners of its range "min:max" when its transaction commits.
-- Rows of concurrent transactions (several replicas) can interleave inside a range; listeners de-duplicate.
ALTER TABLE captions ADD COLUMN seq bigserial;
CREATE INDEX captions_seq ON captions (seq);

CREATE FUNCTION notify_captions_stored() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    lo bigint;
    hi bigint;
BEGIN
    SELECT min(seq), max(seq) INTO lo, hi FROM stored;
    IF lo IS NOT NULL THEN
        PERFORM pg_notify('sightline_captions', lo || ':' || hi);
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER captions_stored AFTER INSERT ON captions REFERENCING NEW TABLE AS stored
    FOR EACH STATEMENT EXECUTE FUNCTION notify_captions_stored();
