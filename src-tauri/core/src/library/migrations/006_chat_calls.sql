-- Each answered call of the prompt coach (`library::chat_calls`): what it used and what it cost,
-- for the spend ledger. Tokens are the provider's count; the cents are an estimate from the
-- price row of the day, NULL when the model had none.
CREATE TABLE chat_calls (
    id INTEGER PRIMARY KEY,
    made_at INTEGER NOT NULL,
    model TEXT NOT NULL,
    prompt_tokens INTEGER,
    completion_tokens INTEGER,
    usd_cents REAL
);
CREATE INDEX chat_calls_made_at ON chat_calls(made_at);
