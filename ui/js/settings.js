// The Settings dialog: API key (the shared key form), language, advanced API base URL.
import * as backend from "./backend.js";
import { describeError } from "./errors.js";
import { showError } from "./dom.js";

export const DEFAULT_API_BASE = "https://api.cometapi.com";

export function createSettings(ctx, { onOpen, onClose, onLanguage }) {
  const dialog = document.getElementById("settings-dialog");
  const openButton = document.getElementById("open-settings");
  const closeButtons = dialog.querySelectorAll("[data-close]");
  const language = document.getElementById("language");
  const apiBase = document.getElementById("api-base");
  const saveBase = document.getElementById("save-api-base");
  const savedNote = document.getElementById("api-base-saved");
  const errorSlot = document.getElementById("settings-error");
  const about = document.getElementById("settings-about");
  let savedTimer = null;
  let lastError = null;

  function fill() {
    const s = ctx.settings ?? {};
    language.value = s.language ?? "";
    apiBase.value = s.api_base ?? "";
    apiBase.placeholder = DEFAULT_API_BASE;
    about.textContent = ctx.t("settings.about", { version: ctx.info?.version ?? "", path: ctx.info?.data_dir ?? "" });
  }

  function setError(error) {
    lastError = error;
    showError(errorSlot, error ? describeError(error, ctx.t) : null, ctx.t);
  }

  async function store(changes) {
    setError(null);
    const next = { api_base: ctx.settings?.api_base ?? null, language: ctx.settings?.language ?? null, ...changes };
    try {
      ctx.settings = await backend.setSettings(next);
      return true;
    } catch (error) {
      setError(error);
      fill();
      return false;
    }
  }

  function open() {
    fill();
    setError(null);
    savedNote.hidden = true;
    onOpen();
    if (!dialog.open) dialog.showModal();
  }

  function close() {
    if (dialog.open) dialog.close();
  }

  openButton.addEventListener("click", open);
  for (const button of closeButtons) button.addEventListener("click", close);
  dialog.addEventListener("close", () => {
    onClose();
    openButton.focus();
  });
  // A click on the backdrop (the dialog element itself, outside its panel) closes it.
  dialog.addEventListener("click", (event) => {
    if (event.target === dialog) close();
  });

  language.addEventListener("change", async () => {
    const value = language.value === "" ? null : language.value;
    if (await store({ language: value })) await onLanguage();
  });

  async function saveApiBase() {
    const value = apiBase.value.trim();
    saveBase.disabled = true;
    if (await store({ api_base: value === "" ? null : value })) {
      fill();
      savedNote.hidden = false;
      clearTimeout(savedTimer);
      savedTimer = setTimeout(() => { savedNote.hidden = true; }, 2500);
    }
    saveBase.disabled = false;
  }
  saveBase.addEventListener("click", saveApiBase);
  apiBase.addEventListener("keydown", (event) => {
    if (event.key === "Enter") {
      event.preventDefault();
      saveApiBase();
    }
  });

  return {
    open,
    close,
    get isOpen() {
      return dialog.open;
    },
    relabel() {
      fill();
      if (lastError) setError(lastError);
    },
  };
}
