// Elapsed-time formatting, "1 min 12 s". No DOM access here.

/** Splits milliseconds into whole hours, minutes and seconds (negative counts as 0). */
export function splitDuration(ms) {
  const total = Math.max(0, Math.floor((Number(ms) || 0) / 1000));
  return { h: Math.floor(total / 3600), m: Math.floor((total % 3600) / 60), s: total % 60 };
}

/** "12 s", "1 min 12 s", "2 h 5 min" through the catalog's time.* keys. */
export function formatElapsed(ms, t) {
  const { h, m, s } = splitDuration(ms);
  if (h > 0) return t("time.hours", { h, m });
  if (m > 0) return t("time.minutes", { m, s });
  return t("time.seconds", { s });
}

/** Milliseconds a generation has run: until finished_at when it has one, else until now. */
export function elapsedMs(generation, now) {
  const end = generation.finished_at ?? now;
  return Math.max(0, end - generation.created_at);
}
