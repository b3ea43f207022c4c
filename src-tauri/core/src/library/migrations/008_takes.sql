-- The takes of one Generate click (`Generation::take`): one batch id for them all, each its own
-- row with its own external id. NULL for a single video, and for every row written before takes.
ALTER TABLE generations ADD COLUMN batch_id TEXT;
ALTER TABLE generations ADD COLUMN take_index INTEGER;
ALTER TABLE generations ADD COLUMN take_count INTEGER;
CREATE INDEX generations_batch ON generations(batch_id) WHERE batch_id IS NOT NULL;
