-- The camera's current IANA time zone, as capture-service sends it with every frame (header time-zone): the zone of
-- the newest frame that carried one wins (time_zone_at), so a replay of older frames does not undo a change.
ALTER TABLE cameras ADD COLUMN time_zone text;
ALTER TABLE cameras ADD COLUMN time_zone_at bigint;
