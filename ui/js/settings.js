// The Settings dialog: API key (the shared key form), language, appearance (light or dark),
// notifications, the prompt coach's chat model, and the Advanced section (API base URL, requests per second, live updates through
// a callback). Every save sends the whole object.
import * as backend from "./backend.js";
import { describeError } from "./errors.js";
import { el, showError } from "./dom.js";
import { copyText } from "./clipboard.js";
import { callbackState, DEFAULT_REQUESTS_PER_SECOND, mergeSettings, readAdvanced } from "./preferences.js";

const DEFAULT_API_BASE = "https://api.cometapi.com";

/** Field → catalog key of its "not usable" message (preferences.js problems). */
const FIELD_PROBLEMS = {
  requests_per_second: { input: "requests-per-second", key: "settings.rate_invalid" },
  callback_port: { input: "callback-port", key: "settings.callback_port_invalid" },
  callback_public_url: { input: "callback-public-url", key: "settings.callback_public_invalid" },
};

export function createSettings(ctx, { onOpen, onClose, onLanguage, onTheme, onChatModel }) {
  const dialog = document.getElementById("settings-dialog");
  const openButton = document.getElementById("open-settings");
  const closeButtons = dialog.querySelectorAll("[data-close]");
  const language = document.getElementById("language");
  const theme = document.getElementById("theme");
  const notifications = document.getElementById("notifications");
  const coachModel = document.getElementById("coach-model");
  const coachModelSave = document.getElementById("coach-model-save");
  const coachModelHint = document.getElementById("coach-model-hint");
  const apiBase = document.getElementById("api-base");
  const rate = document.getElementById("requests-per-second");
  const callbackEnabled = document.getElementById("callback-enabled");
  const callbackPort = document.getElementById("callback-port");
  const publicUrl = document.getElementById("callback-public-url");
  const localBlock = document.getElementById("callback-local");
  const localUrl = document.getElementById("callback-local-url");
  const copyLocal = document.getElementById("callback-copy");
  const callbackStateLine = document.getElementById("callback-state");
  const renew = document.getElementById("callback-renew");
  const renewedNote = document.getElementById("callback-renewed");
  const saveButton = document.getElementById("save-api-base");
  const savedNote = document.getElementById("api-base-saved");
  const errorSlot = document.getElementById("settings-error");
  const about = document.getElementById("settings-about");
  let savedTimer = null;
  let renewedTimer = null;
  let copiedTimer = null;
  let lastError = null;
  let problems = [];
  /** The last callback_info answer; null until one arrived (or when the backend has none). */
  let callback = null;

  function fill() {
    const s = ctx.settings ?? {};
    language.value = s.language ?? "";
    theme.value = s.theme ?? "";
    notifications.checked = s.notifications !== false;
    const defaultModel = ctx.info?.default_chat_model ?? "";
    coachModel.value = s.coach_model ?? "";
    coachModel.placeholder = defaultModel;
    coachModelHint.textContent = ctx.t("coach.model_hint", { model: defaultModel });
    apiBase.value = s.api_base ?? "";
    apiBase.placeholder = DEFAULT_API_BASE;
    // The default core uses when the field is empty (a test checks it against core's).
    rate.placeholder = String(DEFAULT_REQUESTS_PER_SECOND);
    rate.value = s.requests_per_second ?? "";
    callbackEnabled.checked = Boolean(s.callback_enabled);
    callbackPort.value = s.callback_port ?? "";
    publicUrl.value = s.callback_public_url ?? "";
    about.textContent = ctx.t("settings.about", { version: ctx.info?.version ?? "", path: ctx.info?.library_dir ?? ctx.info?.data_dir ?? "" });
    renderCallback();
    renderProblems();
  }

  function renderCallback() {
    const { t } = ctx;
    copyLocal.textContent = t("settings.copy");
    localBlock.hidden = !callback?.local_url;
    localUrl.value = callback?.local_url ?? "";
    const { state, problem } = callbackState(callback);
    callbackStateLine.dataset.state = state;
    callbackStateLine.replaceChildren();
    if (state === "problem") {
      callbackStateLine.append(el("span", { class: "state-dot", "aria-hidden": "true" }),
        el("span", { text: describeError(problem, t, null, "settings").text }));
    } else {
      const params = { port: callback?.port ?? "" };
      callbackStateLine.append(el("span", { class: "state-dot", "aria-hidden": "true" }),
        el("span", { text: t(`settings.callback_state.${state}`, params) }));
    }
    renew.disabled = !callback;
  }

  function renderProblems() {
    for (const [field, { input, key }] of Object.entries(FIELD_PROBLEMS)) {
      const bad = problems.includes(field);
      const node = document.getElementById(input);
      const line = document.getElementById(`${input}-problem`);
      node.setAttribute("aria-invalid", String(bad));
      node.classList.toggle("is-over", bad);
      line.hidden = !bad;
      line.textContent = bad ? ctx.t(key) : "";
    }
  }

  function setError(error) {
    lastError = error;
    showError(errorSlot, error ? describeError(error, ctx.t, null, "settings") : null, ctx.t);
  }

  async function refreshCallback() {
    try {
      callback = await backend.callbackInfo();
    } catch (error) {
      callback = null;
      console.warn("Kling Desk: callback_info failed", error);
    }
    renderCallback();
  }

  async function store(changes) {
    setError(null);
    const next = mergeSettings(ctx.settings, changes);
    try {
      ctx.settings = (await backend.setSettings(next)) ?? next;
      return true;
    } catch (error) {
      setError(error);
      fill();
      return false;
    }
  }

  function open() {
    problems = [];
    fill();
    setError(null);
    savedNote.hidden = true;
    renewedNote.hidden = true;
    onOpen();
    if (!dialog.open) dialog.showModal();
    refreshCallback();
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

  theme.addEventListener("change", async () => {
    const value = theme.value === "" ? null : theme.value;
    if (await store({ theme: value })) onTheme();
  });

  // The backend reads the setting for each notification: saving it is all it takes.
  notifications.addEventListener("change", () => store({ notifications: notifications.checked }));

  async function saveCoachModel() {
    const value = coachModel.value.trim();
    if (await store({ coach_model: value === "" ? null : value })) {
      fill();
      onChatModel();
    }
  }
  coachModelSave.addEventListener("click", saveCoachModel);
  coachModel.addEventListener("keydown", (event) => {
    if (event.key === "Enter") {
      event.preventDefault();
      saveCoachModel();
    }
  });

  /** Saves the whole Advanced section at once, then asks the backend how the callback is doing. */
  async function saveAdvanced() {
    const read = readAdvanced({
      api_base: apiBase.value,
      requests_per_second: rate.value,
      callback_enabled: callbackEnabled.checked,
      callback_port: callbackPort.value,
      callback_public_url: publicUrl.value,
    });
    problems = read.problems;
    renderProblems();
    if (problems.length) {
      document.getElementById(FIELD_PROBLEMS[problems[0]].input).focus();
      return;
    }
    saveButton.disabled = true;
    saveButton.setAttribute("aria-busy", "true");
    if (await store(read.changes)) {
      fill();
      savedNote.hidden = false;
      clearTimeout(savedTimer);
      savedTimer = setTimeout(() => { savedNote.hidden = true; }, 2500);
      await refreshCallback();
    }
    saveButton.disabled = false;
    saveButton.setAttribute("aria-busy", "false");
  }
  saveButton.addEventListener("click", saveAdvanced);
  for (const input of [apiBase, rate, callbackPort, publicUrl]) {
    input.addEventListener("keydown", (event) => {
      if (event.key === "Enter") {
        event.preventDefault();
        saveAdvanced();
      }
    });
    input.addEventListener("input", () => {
      if (!problems.length) return;
      problems = [];
      renderProblems();
    });
  }

  copyLocal.addEventListener("click", async () => {
    const how = await copyText(localUrl.value, localUrl);
    if (how !== "copied") return; // the text is selected instead; the user copies it
    copyLocal.textContent = ctx.t("settings.copied");
    clearTimeout(copiedTimer);
    copiedTimer = setTimeout(() => { copyLocal.textContent = ctx.t("settings.copy"); }, 1800);
  });

  renew.addEventListener("click", async () => {
    setError(null);
    renew.disabled = true;
    renew.setAttribute("aria-busy", "true");
    try {
      callback = await backend.renewCallbackToken();
      renewedNote.hidden = false;
      clearTimeout(renewedTimer);
      renewedTimer = setTimeout(() => { renewedNote.hidden = true; }, 6000);
    } catch (error) {
      setError(error);
    }
    renew.setAttribute("aria-busy", "false");
    renderCallback();
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
