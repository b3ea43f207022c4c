-- The user's own snippets: phrases kept at hand to insert into a prompt (`library::snippets`).
-- A text is kept once; saving it again finds the one already there.
CREATE TABLE snippets (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    text TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL
);
