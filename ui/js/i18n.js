// Message catalogs: lookup of dotted keys in nested JSON with {param} interpolation.
// No DOM access here; main.js does the fetching and the filling of the page.

import { formatter } from "./format.js";

const LANGUAGES = ["en", "de"];

/** Picks the language: the saved setting if valid, else the system locale, else English. */
export function pickLanguage(setting, navigatorLanguage) {
  if (LANGUAGES.includes(setting)) return setting;
  const nav = String(navigatorLanguage ?? "").toLowerCase();
  return nav.startsWith("de") ? "de" : "en";
}

/** Value at a dotted key path, or undefined. */
export function lookup(catalog, key) {
  let node = catalog;
  for (const part of String(key).split(".")) {
    if (node == null || typeof node !== "object" || !Object.hasOwn(node, part)) return undefined;
    node = node[part];
  }
  return node;
}

/** A parameter as text: an array becomes a comma list ("std, pro"). */
function paramText(value) {
  return Array.isArray(value) ? value.map(String).join(", ") : String(value);
}

/** Replaces {name} with params.name; unknown placeholders stay as they are. */
export function interpolate(template, params = {}) {
  return String(template).replace(/\{(\w+)\}/g, (whole, name) =>
    params != null && Object.hasOwn(params, name) && params[name] != null ? paramText(params[name]) : whole,
  );
}

/** Every leaf key of a nested catalog, dotted, sorted. */
export function flattenKeys(catalog, prefix = "") {
  const keys = [];
  for (const [name, value] of Object.entries(catalog)) {
    const key = prefix ? `${prefix}.${name}` : name;
    if (value !== null && typeof value === "object") keys.push(...flattenKeys(value, key));
    else keys.push(key);
  }
  return keys.sort();
}

/** The CLDR plural category of a count ("one", "other", …) in a language. */
export function pluralCategory(lang, count) {
  const number = Number(count);
  // English and German whole numbers: "one" for 1 (and -1), else "other" (CLDR). Known without Intl, whose
  // first use reads the language's data while the first cards are drawn.
  if ((lang === "en" || lang === "de") && Number.isInteger(number)) return Math.abs(number) === 1 ? "one" : "other";
  try {
    return formatter(Intl.PluralRules, lang).select(number);
  } catch {
    return Number(count) === 1 ? "one" : "other";
  }
}

/**
 * A translate function over a catalog, falling back to a second catalog (English) and
 * finally to the key itself, so a missing text is visible but never breaks the page.
 * t.plural("quit.message", n, params) picks quit.message.one / .other (…) by the language's rules.
 */
export function createTranslator(catalog, fallback = null, lang = "en") {
  const t = (key, params) => {
    let text = lookup(catalog, key);
    if (typeof text !== "string" && fallback) text = lookup(fallback, key);
    if (typeof text !== "string") return key;
    return interpolate(text, params);
  };
  t.has = (key) => typeof lookup(catalog, key) === "string" || (fallback != null && typeof lookup(fallback, key) === "string");
  t.plural = (key, count, params = {}) => {
    const exact = `${key}.${pluralCategory(lang, count)}`;
    const all = { count, ...params };
    return t.has(exact) ? t(exact, all) : t(`${key}.other`, all);
  };
  return t;
}
