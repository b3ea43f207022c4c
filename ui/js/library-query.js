// What the gallery asks core for: the search box and the filters as one value (the shape of
// kling-core's LibraryQuery), and how matches are marked in a card's text. Core does all the
// finding; this module only keeps the window's side of it. No DOM access here.
import { KINDS } from "./pictures.js";

export const DEFAULT_QUERY = Object.freeze({
  text: "",
  status: "any",
  marks: "not_rejected",
  model_name: null,
  aspect_ratio: null,
  duration: null,
  kind: null,
  made: "any",
  order: "newest_first",
});

/** The choices of each filter, in the order the toolbar offers them (the first is the default). */
export const FILTER_CHOICES = Object.freeze({
  status: ["any", "ready", "running", "failed"],
  marks: ["not_rejected", "favorites", "rejected", "everything"],
  made: ["any", "today", "this_week", "this_month"],
  order: ["newest_first", "oldest_first"],
});

const OPEN_CHOICES = ["model_name", "aspect_ratio", "duration"];

/** A saved query (from an older version, or hand-edited) made whole: unknown values fall back. */
export function normalizeQuery(saved) {
  const query = { ...DEFAULT_QUERY };
  if (!saved || typeof saved !== "object") return query;
  if (typeof saved.text === "string") query.text = saved.text.slice(0, 200);
  for (const [name, choices] of Object.entries(FILTER_CHOICES)) {
    if (choices.includes(saved[name])) query[name] = saved[name];
  }
  for (const name of OPEN_CHOICES) {
    if (typeof saved[name] === "string" && saved[name] !== "") query[name] = saved[name];
  }
  if (KINDS.includes(saved.kind)) query.kind = saved.kind;
  return query;
}

/** Do two queries ask for the same cards? (Their UTC offsets aside, which only "made" uses.) */
export function sameQuery(a, b) {
  return Object.keys(DEFAULT_QUERY).every((name) => (a?.[name] ?? null) === (b?.[name] ?? null));
}

/** The query as sent: with the window's offset from UTC, so "today" starts at local midnight. */
export function forBackend(query, now = new Date()) {
  return { ...query, utc_offset_minutes: -now.getTimezoneOffset() };
}

/** How many filters differ from their default (the search words and the order not counted). */
export function activeFilters(query) {
  return ["status", "marks", "made", "kind", ...OPEN_CHOICES].filter((name) => query[name] !== DEFAULT_QUERY[name]).length;
}

/** Is anything narrowing the gallery: words or a filter? */
export function isNarrowed(query) {
  return query.text.trim() !== "" || activeFilters(query) > 0;
}

/** The query with the words and every filter back to their defaults; the order stays. */
export function cleared(query) {
  return { ...DEFAULT_QUERY, order: query.order };
}

const WORD = /[\p{L}\p{N}]+/gu;

/** One character as the catalog's search compares it: lower case, accents removed. */
function foldChar(char) {
  return char.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase();
}

function fold(text) {
  return [...text].map(foldChar).join("");
}

/** The typed words as the catalog's search takes them (see LibraryQuery::match_expression). */
export function searchWords(text) {
  return [...new Set((String(text ?? "").match(WORD) ?? []).map(fold))].slice(0, 12);
}

/**
 * `text` cut into [{text, match}] parts: each word that starts with a typed word has that start
 * marked ("beac" marks "Beac" of "Beach", "cafe" marks "Café"), the rest is plain.
 */
export function highlightParts(text, typed) {
  const source = String(text ?? "");
  const words = searchWords(typed);
  if (!words.length || !source) return [{ text: source, match: false }];
  const parts = [];
  let plainFrom = 0;
  for (const found of source.matchAll(WORD)) {
    const chars = [...found[0]];
    const folded = chars.map(foldChar);
    const whole = folded.join("");
    const longest = words.filter((w) => whole.startsWith(w)).reduce((a, b) => (b.length > a.length ? b : a), "");
    if (!longest) continue;
    // How many of the word's own characters cover the typed start.
    let taken = 0;
    let covered = 0;
    while (covered < longest.length && taken < chars.length) covered += folded[taken++].length;
    const markedText = chars.slice(0, taken).join("");
    if (found.index > plainFrom) parts.push({ text: source.slice(plainFrom, found.index), match: false });
    parts.push({ text: markedText, match: true });
    plainFrom = found.index + markedText.length;
  }
  if (plainFrom < source.length) parts.push({ text: source.slice(plainFrom), match: false });
  return parts;
}
