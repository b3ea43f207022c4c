// Preferences (the get_settings / set_settings object): defaults, merging, and checking what the
// Advanced section's fields hold. No DOM access here.

export const DEFAULT_REQUESTS_PER_SECOND = 2;
export const REQUESTS_PER_SECOND = { min: 0.5, max: 10, step: 0.5 };
const CALLBACK_PORT = { min: 1024, max: 65535 };

/** The fields this UI knows; any other saved field is kept as it is. */
export const DEFAULT_SETTINGS = Object.freeze({
  api_base: null,
  language: null,
  requests_per_second: null,
  callback_enabled: false,
  callback_port: null,
  callback_public_url: null,
  /** "light" | "dark"; null follows the system. */
  theme: null,
  /** Desktop notifications while the window is in the background; null (never chosen) is on. */
  notifications: null,
});

/**
 * The whole object to send to set_settings: the defaults, then everything saved (including fields
 * this UI does not know), then the changes.
 */
export function mergeSettings(saved, changes = {}) {
  return { ...DEFAULT_SETTINGS, ...(saved ?? {}), ...changes };
}

const blank = (text) => String(text ?? "").trim() === "";

/** "2", "1,5" or "0.5" → a number on the 0.5 grid from 0.5 to 10; empty → null (the default). */
export function parseRequestsPerSecond(text) {
  if (blank(text)) return { value: null, problem: null };
  const value = Number(String(text).trim().replace(",", "."));
  const { min, max, step } = REQUESTS_PER_SECOND;
  const onGrid = Number.isFinite(value) && Math.abs(value / step - Math.round(value / step)) < 1e-9;
  if (!onGrid || value < min || value > max) return { value: null, problem: "requests_per_second" };
  return { value, problem: null };
}

/** A whole port number from 1024 to 65535; empty → null (the default). */
export function parsePort(text) {
  if (blank(text)) return { value: null, problem: null };
  const trimmed = String(text).trim();
  const value = Number(trimmed);
  const { min, max } = CALLBACK_PORT;
  if (!/^\d+$/.test(trimmed) || value < min || value > max) return { value: null, problem: "callback_port" };
  return { value, problem: null };
}

/** An http(s) address with a host; empty → null (no public URL, nothing is sent to Kling). */
export function parsePublicUrl(text) {
  if (blank(text)) return { value: null, problem: null };
  const trimmed = String(text).trim();
  try {
    const url = new URL(trimmed);
    if ((url.protocol === "https:" || url.protocol === "http:") && url.hostname) return { value: trimmed, problem: null };
  } catch {
    // Not a URL at all.
  }
  return { value: null, problem: "callback_public_url" };
}

/**
 * Reads the Advanced fields (as typed) into settings changes.
 * → {changes, problems}: problems names each field whose text is not usable; then nothing is saved.
 */
export function readAdvanced(fields) {
  const rate = parseRequestsPerSecond(fields.requests_per_second);
  const port = parsePort(fields.callback_port);
  const url = parsePublicUrl(fields.callback_public_url);
  const base = String(fields.api_base ?? "").trim();
  const problems = [rate.problem, port.problem, url.problem].filter(Boolean);
  return {
    changes: {
      api_base: base === "" ? null : base,
      requests_per_second: rate.value,
      callback_enabled: Boolean(fields.callback_enabled),
      callback_port: port.value,
      callback_public_url: url.value,
    },
    problems,
  };
}

/**
 * What the callback status line says, from callback_info:
 * "off", "listening", "problem" (with the problem), or "not_listening".
 */
export function callbackState(info) {
  if (!info) return { state: "unknown", problem: null };
  if (info.problem?.kind) return { state: "problem", problem: info.problem };
  if (!info.enabled) return { state: "off", problem: null };
  return { state: info.listening ? "listening" : "not_listening", problem: null };
}
