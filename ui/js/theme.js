// Light or dark: the saved setting ("light" | "dark"), or the system's choice when it is null.
// The palette itself is in app.css, keyed on <html data-theme="…">.

const SYSTEM_DARK = "(prefers-color-scheme: dark)";

/** The setting ("light" | "dark" | null, anything else counts as null) → "light" | "dark". */
export function resolveTheme(setting, systemPrefersDark) {
  if (setting === "light" || setting === "dark") return setting;
  return systemPrefersDark ? "dark" : "light";
}

let query = null;
let following = null;

/**
 * Puts the theme on <html> now and, while the setting is null (the system's), follows the
 * system's changes too. Calling it again replaces the earlier call.
 */
export function applyTheme(setting) {
  query ??= globalThis.matchMedia?.(SYSTEM_DARK) ?? null;
  const apply = () => {
    // Without matchMedia there is no system answer: dark, as the app always was.
    document.documentElement.dataset.theme = resolveTheme(setting, query ? query.matches : true);
  };
  if (following) query?.removeEventListener("change", following);
  following = null;
  apply();
  if (query && resolveTheme(setting, true) !== resolveTheme(setting, false)) {
    following = apply;
    query.addEventListener("change", following);
  }
}
