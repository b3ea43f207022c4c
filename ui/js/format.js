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
  const tenths = lang === "en" || lang === "de" ? roundedTenths(number) : null;
  // Under a thousand (no grouping) English and German differ only in the decimal sign: written
  // without Intl, whose first use reads the language's data while the first cards are drawn (a
  // clip's length has decimals).
  if (tenths !== null && tenths < 10000) {
    const sign = number < 0 || Object.is(number, -0) ? "-" : "";
    const whole = Math.floor(tenths / 10);
    const decimal = tenths % 10;
    return `${sign}${whole}${decimal ? (lang === "de" ? "," : ".") + decimal : ""}`;
  }
  return formatter(Intl.NumberFormat, lang, { maximumFractionDigits: 1 }).format(number);
}

/**
 * |number| in tenths, rounded half away from zero as Intl rounds: on the shortest decimal that
 * reads back as the number (1.45 is 1.5, though the double is a little less), not on its exact
 * binary value. 0 below 0.01 (which rounds to 0), null from 1,000 on (Intl groups the digits).
 */
function roundedTenths(number) {
  const magnitude = Math.abs(number);
  if (magnitude >= 1000) return null;
  if (magnitude < 0.01) return 0;
  const [whole, fraction = ""] = String(magnitude).split(".");
  const tenths = Number(whole) * 10 + Number(fraction[0] ?? 0);
  return fraction[1] >= "5" ? tenths + 1 : tenths;
}
