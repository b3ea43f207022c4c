// Numbers as the UI's language writes them. No DOM access here.

/**
 * A duration in seconds or a camera amount: at most one decimal, in the language's way
 * (7.5 in English, 7,5 in German). Anything that is not a number is shown as it is.
 */
export function formatDecimal(value, lang) {
  const number = Number(value);
  if (!Number.isFinite(number)) return String(value);
  return new Intl.NumberFormat(lang === "de" ? "de-DE" : "en-US", { maximumFractionDigits: 1 }).format(number);
}
