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

/**
 * The final states: nothing happens to such a generation any more by itself. The one place the
 * UI writes this set (the backend's is generation::Status::FINAL).
 */
export const FINAL_STATES = Object.freeze(["ready", "failed", "expired"]);

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
/** Pro takes longer by nature, so it gets twice the time before it counts as slow. */
export const SLOW_AFTER_PRO_MS = 30 * 60 * 1000;

/** The slow threshold for a request mode ("std" or "pro"); anything else counts as std. */
export function slowAfterMs(mode) {
  return mode === "pro" ? SLOW_AFTER_PRO_MS : SLOW_AFTER_MS;
}

function isKnownStatus(status) {
  return STATES.includes(status);
}

export function isFinished(status) {
  return FINAL_STATES.includes(status);
}

/** States whose card shows the reason from error.kind. */
export function showsError(status) {
  return status === "failed" || status === "expired" || status === "needs_check";
}

export function statusTone(status) {
  return TONES[status] ?? "pending";
}

function statusLabelKey(status) {
  return isKnownStatus(status) ? `status.${status}.label` : "status.unknown.label";
}

function statusHintKey(status) {
  return isKnownStatus(status) ? `status.${status}.hint` : "status.unknown.hint";
}

/** Label and hint for a status, through a translate function. */
export function statusText(status, t) {
  return { label: t(statusLabelKey(status)), hint: t(statusHintKey(status)), tone: statusTone(status) };
}

/** True when an unfinished generation has been running for longer than usual for its mode. */
export function isSlow(generation, now) {
  // needs_check waits for the user and queued for a free slot, not for the provider.
  const status = generation.status;
  if (isFinished(status) || status === "needs_check" || status === "queued") return false;
  return now - generation.created_at > slowAfterMs(generation.request?.mode);
}

/**
 * What a card offers besides "Use these settings", in the order shown: core decides and sends the
 * list with every record (needs_check → check again, send again, discard; queued → cancel; a
 * download that gave up or an expired result → download again).
 */
export function cardActions(generation) {
  return Array.isArray(generation?.actions) ? generation.actions.filter((action) => Object.hasOwn(ACTION_COMMANDS, action)) : [];
}

/** The backend command behind a card action. */
export const ACTION_COMMANDS = {
  check_again: "check_again",
  post_again: "post_again",
  discard: "discard",
  cancel: "discard",
  download_again: "download_again",
};

/** Catalog key of the delivery line on a running card (submitted, processing), or null. */
export function deliveryKey(generation) {
  if (generation.status !== "submitted" && generation.status !== "processing") return null;
  if (generation.delivery === "callback") return "card.delivery_callback";
  if (generation.delivery === "polling") return "card.delivery_polling";
  return null;
}

/**
 * A passing problem on a card that is still on its way (a failed download being retried, a full
 * disk): shown as a soft warning, not as a failure. null when there is none.
 */
export function passingProblem(generation) {
  if (isFinished(generation.status) || showsError(generation.status)) return null;
  const kind = generation.error?.kind;
  // A queued card already says it waits for a free slot.
  if (!kind || (generation.status === "queued" && kind === "concurrency_limit")) return null;
  return generation.error;
}
