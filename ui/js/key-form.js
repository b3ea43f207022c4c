// The API key form. There is exactly one instance; it is mounted in the welcome panel on
// first run and in the Settings dialog otherwise, so its test ids are never on screen twice.
import * as backend from "./backend.js";
import { describeError } from "./errors.js";
import { el, icon, showError } from "./dom.js";

export function createKeyForm(ctx) {
  let busy = false;
  let revealed = false;
  let mode = "welcome";
  let lastError = null;

  const input = el("input", {
    id: "api-key",
    class: "input input-key",
    type: "password",
    autocomplete: "off",
    autocapitalize: "off",
    spellcheck: "false",
    dataset: { testid: "api-key" },
    "aria-describedby": "api-key-privacy",
  });
  const label = el("label", { class: "field-label", for: "api-key" });
  const toggle = el("button", { type: "button", class: "btn btn-quiet btn-toggle", "aria-controls": "api-key", dataset: { testid: "toggle-key" } });
  const toggleIcon = el("span", { class: "toggle-icon" });
  const toggleText = el("span");
  toggle.append(toggleIcon, toggleText);
  const status = el("p", { class: "key-status", dataset: { testid: "key-status" } });
  const unverified = el("p", { class: "field-hint" });
  const privacy = el("p", { class: "field-hint", id: "api-key-privacy" });
  const errorSlot = el("div", { class: "error-slot" });
  const saveLabel = el("span");
  const save = el("button", { type: "submit", class: "btn btn-primary", dataset: { testid: "save-key" } }, saveLabel);
  const remove = el("button", { type: "button", class: "btn btn-danger-quiet", dataset: { testid: "remove-key" } });
  const form = el("form", { class: "key-form", novalidate: true },
    status,
    unverified,
    label,
    el("div", { class: "input-row" }, input, toggle),
    privacy,
    errorSlot,
    el("div", { class: "actions" }, save, remove),
  );

  function render() {
    const { t } = ctx;
    const ks = ctx.keyStatus ?? { set: false };
    const inSettings = mode === "settings";
    label.textContent = inSettings && ks.set ? t("key.replace_label") : t("key.label");
    input.placeholder = t("key.placeholder");
    input.type = revealed ? "text" : "password";
    toggleText.textContent = revealed ? t("key.hide") : t("key.show");
    toggle.setAttribute("aria-label", revealed ? t("key.hide_aria") : t("key.show_aria"));
    toggle.setAttribute("aria-pressed", String(revealed));
    toggleIcon.replaceChildren(icon(revealed ? "eyeOff" : "eye", "icon icon-sm"));
    privacy.textContent = t("key.privacy");
    saveLabel.textContent = busy ? t("key.checking") : t("key.save");
    save.disabled = busy;
    remove.textContent = t("key.remove");
    remove.disabled = busy;
    remove.hidden = !(inSettings && ks.set);

    status.hidden = !inSettings;
    status.replaceChildren(icon("key", "icon icon-sm"), el("span", { text: statusText(ks, t) }));
    status.classList.toggle("is-set", Boolean(ks.set));
    unverified.textContent = t("key.unverified");
    unverified.hidden = !(inSettings && ks.set && ks.verified === false);
  }

  function statusText(ks, t) {
    if (!ks.set) return t("key.status_none");
    const last4 = ks.last4 ?? "····";
    return ks.storage === "session" ? t("key.status_session", { last4 }) : t("key.status_keychain", { last4 });
  }

  function setError(error) {
    lastError = error;
    if (!error) {
      showError(errorSlot, null, ctx.t);
      return;
    }
    // Worded for where the form is: on the welcome panel the key just pasted, not "in Settings".
    const described = describeError(error, ctx.t, null, mode);
    const extra = [];
    if (described.kind === "keychain_unavailable") {
      extra.push(el("button", {
        type: "button",
        class: "btn btn-secondary btn-small",
        dataset: { testid: "keep-session" },
        on: { click: () => submit("session") },
        text: ctx.t("key.keep_session"),
      }));
    }
    showError(errorSlot, described, ctx.t, extra);
  }

  async function submit(scope) {
    if (busy) return;
    busy = true;
    setError(null);
    render();
    try {
      const result = await backend.saveKey(input.value.trim(), scope);
      input.value = "";
      revealed = false;
      ctx.setKeyStatus(result);
      ctx.announce(ctx.t("key.saved"));
    } catch (error) {
      setError(error);
      input.focus();
    } finally {
      busy = false;
      render();
    }
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    submit("keychain");
  });
  toggle.addEventListener("click", () => {
    revealed = !revealed;
    render();
    input.focus();
  });
  input.addEventListener("input", () => {
    if (errorSlot.firstChild) setError(null);
  });
  remove.addEventListener("click", async () => {
    if (busy) return;
    busy = true;
    setError(null);
    render();
    try {
      ctx.setKeyStatus(await backend.clearKey());
      ctx.announce(ctx.t("key.removed"));
    } catch (error) {
      setError(error);
    } finally {
      busy = false;
      render();
    }
  });

  return {
    element: form,
    /** Moves the one form into slot; mode is "welcome" or "settings". */
    mountIn(slot, nextMode) {
      mode = nextMode;
      if (form.parentNode !== slot) slot.append(form);
      render();
    },
    focus() {
      input.focus();
    },
    relabel() {
      render();
      setError(lastError);
    },
    render,
  };
}
