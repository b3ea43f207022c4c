CREATE TABLE generations (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    external_task_id TEXT NOT NULL UNIQUE,
    task_id TEXT,
    status TEXT NOT NULL,
    request_json TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    finished_at INTEGER,
    error_json TEXT,
    provider_message TEXT,
    remote_video_url TEXT,
    video_duration TEXT,
    video_file TEXT,
    video_bytes INTEGER
);
CREATE INDEX generations_unfinished ON generations(status)
    WHERE status NOT IN ('ready', 'failed', 'expired');
CREATE TABLE gateways (
    base_url TEXT PRIMARY KEY,
    external_lookup_works INTEGER NOT NULL
);
