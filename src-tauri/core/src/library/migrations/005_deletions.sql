-- Videos the user deleted: their files are already in the OS trash, the row is hidden from every
-- list and kept here for Undo until the undo window passes, then purged (`library::deletion`).
-- A table of its own, so the layout of `generations` (which `rescue` reads) does not change.
CREATE TABLE deletions (
    seq INTEGER PRIMARY KEY,
    deleted_at INTEGER NOT NULL
);
CREATE INDEX deletions_at ON deletions(deleted_at);
