// Generation states: one list for the catalog, the events, data-status and the labels.
// No DOM access here.

export const STATES = [
  "queued",
  "submitting",
  "needs_check",
  "submitted",
  "processing",
  "downloading",
  "ready",
  "failed",
  "expired",
];

const FINISHED = new Set(["ready", "failed", "expired"]);

/** Tone of the status pill, a CSS modifier. */
const TONES = {
  queued: "pending",
  submitting: "pending",
  needs_check: "warn",
  submitted: "pending",
  processing: "active",
  downloading: "active",
  ready: "ok",
  failed: "bad",
  expired: "muted",
};

/** After this long without an end, a card says "taking longer than usual" (it is still checked). */
export const SLOW_AFTER_MS = 15 * 60 * 1000;

export function isKnownStatus(status) {
  return STATES.includes(status);
}

export function isFinished(status) {
  return FINISHED.has(status);
}

/** States whose card shows the reason from error.kind. */
export function showsError(status) {
  return status === "failed" || status === "expired" || status === "needs_check";
}

export function statusTone(status) {
  return TONES[status] ?? "pending";
}

export function statusLabelKey(status) {
  return isKnownStatus(status) ? `status.${status}.label` : "status.unknown.label";
}

export function statusHintKey(status) {
  return isKnownStatus(status) ? `status.${status}.hint` : "status.unknown.hint";
}

/** Label and hint for a status, through a translate function. */
export function statusText(status, t) {
  return { label: t(statusLabelKey(status)), hint: t(statusHintKey(status)), tone: statusTone(status) };
}

/** True when an unfinished generation has been running for longer than usual. */
export function isSlow(generation, now) {
  // needs_check waits for the user, not for the provider.
  if (isFinished(generation.status) || generation.status === "needs_check") return false;
  return now - generation.created_at > SLOW_AFTER_MS;
}
