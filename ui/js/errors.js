// Errors from the backend: {kind, field, params}. No DOM access here.

/** Turns whatever an invoke rejected with into {kind, field, params}. */
export function toAppError(value) {
  if (value && typeof value === "object" && typeof value.kind === "string") {
    return { kind: value.kind, field: value.field ?? null, params: value.params ?? {} };
  }
  const detail = value instanceof Error ? value.message : value == null ? "" : String(value);
  return { kind: "internal", field: null, params: { detail } };
}

/** The places a message may be worded for: what is on screen around it differs. */
export const PLACES = ["welcome", "settings", "export", "move", "coach"];

/**
 * Plain-language text for an error. Unknown kinds fall back to the generic message;
 * then `code` carries the kind so it can be shown in small text. `present(params, error)` may
 * turn raw parameter values into words (a model name into its label, a field into its label).
 * `place` ("welcome", "settings", "export", "move" or "coach") picks the wording for where the message is
 * shown, when the catalog has one (`error_at.<place>.<kind>`): on the welcome panel "check the key
 * you pasted", not "in Settings"; in Settings, nothing that sends the user to Settings; a full
 * disk during an export or a library move is about that, not a video being saved.
 */
export function describeError(error, t, present = null, place = null) {
  const err = toAppError(error);
  const placed = PLACES.includes(place) ? `error_at.${place}.${err.kind}` : null;
  const key = placed && t.has(placed) ? placed : `error.${err.kind}`;
  const params = present ? present(err.params, err) : err.params;
  if (t.has(key)) return { text: t(key, params), code: null, kind: err.kind, field: err.field };
  return { text: t("error.generic"), code: err.kind, kind: err.kind, field: err.field };
}
