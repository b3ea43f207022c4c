// Numbers and dates as the UI's language writes them. No DOM access here.

/** The locale a UI language formats with. */
export function localeOf(lang) {
  return lang === "de" ? "de-DE" : "en-US";
}

const formatters = new Map();

/**
 * `new Kind(localeOf(lang), options)` (an Intl number or date format, or plural rules), made once per kind, language and
 * options: each one made reads the locale's data again, and cards format on every draw.
 */
export function formatter(Kind, lang, options = {}) {
  const key = `${Kind.name} ${lang} ${JSON.stringify(options)}`;
  let made = formatters.get(key);
  if (!made) {
    made = new Kind(localeOf(lang), options);
    formatters.set(key, made);
  }
  return made;
}

/**
 * A duration in seconds or a camera amount: at most one decimal, in the language's way
 * (7.5 in English, 7,5 in German). Anything that is not a number is shown as it is.
 */
export function formatDecimal(value, lang) {
  const number = Number(value);
  if (!Number.isFinite(number)) return String(value);
  // Whole numbers under a thousand read the same in English and German, without Intl (whose first
  // use reads the language's data while the first cards are drawn).
  if (Number.isInteger(number) && Math.abs(number) < 1000) return String(number);
  return formatter(Intl.NumberFormat, lang, { maximumFractionDigits: 1 }).format(number);
}
