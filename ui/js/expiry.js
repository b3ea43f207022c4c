// How long the provider keeps a result that is not yet in the library. No DOM access here.

export const DAY_MS = 24 * 60 * 60 * 1000;
/** Kling deletes results 30 days after the task was created. */
export const RESULT_KEPT_MS = 30 * DAY_MS;
/** In its last days the countdown is shown in the warning colour. */
const URGENT_DAYS = 3;

/** States in which the video exists (or may exist) at the provider but not yet on this computer. */
const WAITING_FOR_SAVE = new Set(["submitted", "processing", "downloading", "needs_check"]);

/**
 * The days left before the provider deletes the result, or null when that does not matter
 * (already in the library, failed, expired, not yet sent).
 * → {days, lessThanDay, urgent}: days are whole days left (rounded down, never below 0).
 */
export function resultDaysLeft(generation, now) {
  if (!WAITING_FOR_SAVE.has(generation?.status)) return null;
  const created = Number(generation.created_at);
  if (!Number.isFinite(created)) return null;
  const left = Math.max(0, created + RESULT_KEPT_MS - now);
  const days = Math.floor(left / DAY_MS);
  return { days, lessThanDay: days === 0, urgent: left < URGENT_DAYS * DAY_MS };
}

/** The line under the status, through a translator with plural support (t.plural). */
export function daysLeftText(info, t) {
  if (!info) return "";
  if (info.lessThanDay) return t("card.days_left_less");
  return t.plural("card.days_left", info.days, { days: info.days });
}
