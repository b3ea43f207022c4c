-- What the user says about a video: kept apart from what the engine writes (see `marks`).
-- Nullable, so a row rebuilt from a damaged catalog (rescue pads missing values with NULL) is valid.
ALTER TABLE generations ADD COLUMN favorite INTEGER;
ALTER TABLE generations ADD COLUMN rejected INTEGER;
ALTER TABLE generations ADD COLUMN title TEXT;

-- Read from the stored request; virtual, so they cost no space and no row layout changes. A
-- request that is not JSON (a damaged row) reads as NULL here, so it cannot fail every query.
ALTER TABLE generations ADD COLUMN prompt TEXT
    GENERATED ALWAYS AS (iif(json_valid(request_json), json_extract(request_json, '$.prompt'), NULL)) VIRTUAL;
ALTER TABLE generations ADD COLUMN negative_prompt TEXT
    GENERATED ALWAYS AS (iif(json_valid(request_json), json_extract(request_json, '$.negative_prompt'), NULL)) VIRTUAL;
ALTER TABLE generations ADD COLUMN model_name TEXT
    GENERATED ALWAYS AS (iif(json_valid(request_json), json_extract(request_json, '$.model_name'), NULL)) VIRTUAL;
ALTER TABLE generations ADD COLUMN aspect_ratio TEXT
    GENERATED ALWAYS AS (iif(json_valid(request_json), json_extract(request_json, '$.aspect_ratio'), NULL)) VIRTUAL;
ALTER TABLE generations ADD COLUMN duration TEXT
    GENERATED ALWAYS AS (iif(json_valid(request_json), json_extract(request_json, '$.duration'), NULL)) VIRTUAL;

-- The gallery's order (newest or oldest first, ties by seq): a page reads only its own rows.
CREATE INDEX generations_created ON generations(created_at, seq);

-- Prefix search over what the user wrote, accents folded (Café finds cafe, Käse finds kase).
CREATE VIRTUAL TABLE generations_search USING fts5(
    prompt, negative_prompt, title,
    content = 'generations', content_rowid = 'seq',
    tokenize = 'unicode61 remove_diacritics 2',
    prefix = '1 2 3'
);
INSERT INTO generations_search(generations_search) VALUES ('rebuild');

CREATE TRIGGER generations_search_insert AFTER INSERT ON generations BEGIN
    INSERT INTO generations_search(rowid, prompt, negative_prompt, title)
        VALUES (new.seq, new.prompt, new.negative_prompt, new.title);
END;
CREATE TRIGGER generations_search_delete AFTER DELETE ON generations BEGIN
    INSERT INTO generations_search(generations_search, rowid, prompt, negative_prompt, title)
        VALUES ('delete', old.seq, old.prompt, old.negative_prompt, old.title);
END;
CREATE TRIGGER generations_search_update AFTER UPDATE OF request_json, title ON generations BEGIN
    INSERT INTO generations_search(generations_search, rowid, prompt, negative_prompt, title)
        VALUES ('delete', old.seq, old.prompt, old.negative_prompt, old.title);
    INSERT INTO generations_search(rowid, prompt, negative_prompt, title)
        VALUES (new.seq, new.prompt, new.negative_prompt, new.title);
END;
