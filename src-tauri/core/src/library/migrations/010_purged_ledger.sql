-- A deleted video was still paid for: when its row is purged (`library::deletion`), what the spend
-- ledger reads of it stays here, so a delete never lowers what the month cost (`library::spent`).
CREATE TABLE purged_ledger (
    id TEXT PRIMARY KEY,
    task_id TEXT,
    status TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    model TEXT,
    mode TEXT,
    duration TEXT,
    sound TEXT,
    error_kind TEXT
);
