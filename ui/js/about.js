// The About dialog: version, where the videos and the library are, where the key is kept, the API
// address in use, and how old the price list is.
import { formatMonth } from "./options.js";

export function createAbout(ctx) {
  const dialog = document.getElementById("about-dialog");
  const openButton = document.getElementById("open-about");
  const version = document.getElementById("about-version");
  const library = document.getElementById("about-library");
  const key = document.getElementById("about-key");
  const api = document.getElementById("about-api");
  const prices = document.getElementById("about-prices");

  function fill() {
    const { t } = ctx;
    const info = ctx.info ?? {};
    version.textContent = t("about.version", { version: info.version ?? "" });
    library.textContent = info.library_dir ?? info.data_dir ?? "";
    const entry = info.keychain_entry ?? "";
    const ks = ctx.keyStatus ?? {};
    if (ks.set && ks.storage === "session") key.textContent = t("about.key_session");
    else if (ks.set) key.textContent = t("about.key_keychain", { entry });
    else key.textContent = t("about.key_none", { entry });
    api.textContent = info.api_base ?? "";
    prices.textContent = t("about.prices", { date: formatMonth(ctx.rules?.prices_as_of ?? "2025-12", ctx.lang) });
  }

  function open() {
    fill();
    if (!dialog.open) dialog.showModal();
  }

  openButton.addEventListener("click", open);
  for (const button of dialog.querySelectorAll("[data-close]")) button.addEventListener("click", () => dialog.close());
  dialog.addEventListener("close", () => openButton.focus());
  dialog.addEventListener("click", (event) => {
    if (event.target === dialog) dialog.close();
  });

  return {
    open,
    relabel() {
      if (dialog.open) fill();
    },
  };
}
