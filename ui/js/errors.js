// Errors from the backend: {kind, field, params}. No DOM access here.

/** Turns whatever an invoke rejected with into {kind, field, params}. */
export function toAppError(value) {
  if (value && typeof value === "object" && typeof value.kind === "string") {
    return { kind: value.kind, field: value.field ?? null, params: value.params ?? {} };
  }
  const detail = value instanceof Error ? value.message : value == null ? "" : String(value);
  return { kind: "internal", field: null, params: { detail } };
}

/**
 * Plain-language text for an error. Unknown kinds fall back to the generic message;
 * then `code` carries the kind so it can be shown in small text. `present(params, error)` may
 * turn raw parameter values into words (a model name into its label, a field into its label).
 */
export function describeError(error, t, present = null) {
  const err = toAppError(error);
  const key = `error.${err.kind}`;
  const params = present ? present(err.params, err) : err.params;
  if (t.has(key)) return { text: t(key, params), code: null, kind: err.kind, field: err.field };
  return { text: t("error.generic"), code: err.kind, kind: err.kind, field: err.field };
}
