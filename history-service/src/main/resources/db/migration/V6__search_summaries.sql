-- Search at a million captions (bench/history):
-- 1. "Which events contain this moment?" scanned every earlier event of the camera through
--    events_camera_start (5 ms per search hit at 18k events). A GiST index on the event's span answers it
--    from the index (0.1 ms).
-- 2. The distinct caption texts a camera has shown were found by grouping all its caption rows (100k rows
--    a camera at 1M). camera_texts keeps them per camera: first/last time and count, maintained by statement
--    triggers on captions (inserts add; retention's deletes subtract and drop what reaches 0, so first_at/
--    last_at stay bounds that enclose every remaining row).
CREATE INDEX events_span ON events USING gist (int8range(start_at, end_at, '[]'));

CREATE TABLE camera_texts (
    camera   text   NOT NULL,
    text_id  bigint NOT NULL,
    first_at bigint NOT NULL,
    last_at  bigint NOT NULL,
    n        bigint NOT NULL,
    PRIMARY KEY (camera, text_id)
);
CREATE INDEX camera_texts_last ON camera_texts (camera, last_at DESC);
CREATE INDEX camera_texts_text ON camera_texts (text_id);

INSERT INTO camera_texts (camera, text_id, first_at, last_at, n)
SELECT camera, text_id, min(captured_at), max(captured_at), count(*) FROM captions GROUP BY camera, text_id;

CREATE FUNCTION camera_texts_added() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- in key order, so two replicas' concurrent inserts lock the summary rows in the same order
    INSERT INTO camera_texts AS ct (camera, text_id, first_at, last_at, n)
    SELECT camera, text_id, min(captured_at), max(captured_at), count(*) FROM stored
    GROUP BY camera, text_id ORDER BY camera, text_id
    ON CONFLICT (camera, text_id) DO UPDATE SET first_at = least(ct.first_at, excluded.first_at),
        last_at = greatest(ct.last_at, excluded.last_at), n = ct.n + excluded.n;
    RETURN NULL;
END $$;

CREATE FUNCTION camera_texts_removed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE camera_texts ct SET n = ct.n - gone.n
    FROM (SELECT camera, text_id, count(*) AS n FROM removed GROUP BY camera, text_id ORDER BY camera, text_id) gone
    WHERE ct.camera = gone.camera AND ct.text_id = gone.text_id;
    DELETE FROM camera_texts ct USING (SELECT DISTINCT camera, text_id FROM removed) gone
    WHERE ct.camera = gone.camera AND ct.text_id = gone.text_id AND ct.n <= 0;
    RETURN NULL;
END $$;

CREATE TRIGGER camera_texts_on_insert AFTER INSERT ON captions REFERENCING NEW TABLE AS stored
    FOR EACH STATEMENT EXECUTE FUNCTION camera_texts_added();
CREATE TRIGGER camera_texts_on_delete AFTER DELETE ON captions REFERENCING OLD TABLE AS removed
    FOR EACH STATEMENT EXECUTE FUNCTION camera_texts_removed();
