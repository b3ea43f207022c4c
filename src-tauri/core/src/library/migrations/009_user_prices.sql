-- Prices the user entered from their own CometAPI bill (`ledger::rate_card`): one per model, mode,
-- duration and sound, winning over the shipped table (`rules::PRICES`) for that row. Sound is 0 or 1.
CREATE TABLE user_prices (
    model TEXT NOT NULL,
    mode TEXT NOT NULL,
    duration TEXT NOT NULL,
    sound INTEGER NOT NULL,
    usd_cents REAL NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (model, mode, duration, sound)
);
