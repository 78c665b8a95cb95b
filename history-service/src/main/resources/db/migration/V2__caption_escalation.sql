-- caption-service's escalation pipeline (issue 15): whether the frame itself went to the describing tier, the
-- rule that decided, and the frame whose description the caption repeats. NULL on captions written without it.
ALTER TABLE captions ADD COLUMN escalated boolean;
ALTER TABLE captions ADD COLUMN escalation_reason text;
ALTER TABLE captions ADD COLUMN described_frame_id uuid;
