-- Image to video and continued clips (`rules::GenerationKind`, `continuation`).
-- The provider's id of a ready video: what continuing it names. NULL before it is known, and for
-- every row written before continuing existed (those cannot be continued).
ALTER TABLE generations ADD COLUMN remote_video_id TEXT;

-- Read from the stored request, like the settings in 004: a row written before kinds is text to
-- video, a damaged request reads as NULL.
ALTER TABLE generations ADD COLUMN kind TEXT
    GENERATED ALWAYS AS (iif(json_valid(request_json), coalesce(json_extract(request_json, '$.kind'), 'text_to_video'), NULL)) VIRTUAL;
ALTER TABLE generations ADD COLUMN parent_id TEXT
    GENERATED ALWAYS AS (iif(json_valid(request_json), json_extract(request_json, '$.parent.generation_id'), NULL)) VIRTUAL;

-- A clip's continuations, for the detail view's lineage: found without reading the library.
CREATE INDEX generations_parent ON generations(parent_id) WHERE parent_id IS NOT NULL;
