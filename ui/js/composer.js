// The composer: prompt, live counter, Generate. One click makes one generation.
import * as backend from "./backend.js";
import { describeError } from "./errors.js";
import { showError } from "./dom.js";
import { checkPrompt, PROMPT_MAX } from "./text.js";

const isMac = /Mac|iPhone|iPad/.test(globalThis.navigator?.platform ?? "");

export function createComposer(ctx, { onCreated }) {
  const root = document.getElementById("composer");
  const prompt = document.getElementById("prompt");
  const counter = document.getElementById("prompt-counter");
  const reason = document.getElementById("prompt-reason");
  const errorSlot = document.getElementById("composer-error");
  const button = document.getElementById("generate");
  const buttonLabel = document.getElementById("generate-label");
  let busy = false;
  let lastError = null;

  /** The request sent to `generate`. Options (negative prompt, ratio, duration, mode, model) go here. */
  function buildRequest() {
    return { prompt: prompt.value.trim() };
  }

  function render() {
    const { t } = ctx;
    const check = checkPrompt(prompt.value, PROMPT_MAX);
    counter.textContent = t("composer.counter", { count: check.count, max: check.max });
    counter.setAttribute("aria-label", t("composer.counter_aria", { count: check.count, max: check.max }));
    counter.dataset.state = check.state;
    prompt.classList.toggle("is-over", check.state === "over");
    prompt.setAttribute("aria-invalid", String(check.state === "over" || lastError?.field === "prompt"));

    if (check.problem === "prompt_empty") reason.textContent = t("composer.reason_empty");
    else if (check.problem === "prompt_too_long") reason.textContent = t("composer.reason_too_long", { over: check.over });
    else reason.textContent = t("composer.tip", { shortcut: t(isMac ? "composer.shortcut_mac" : "composer.shortcut_ctrl") });
    reason.dataset.state = check.problem ? (check.problem === "prompt_too_long" ? "over" : "idle") : "ok";

    button.disabled = busy || check.problem !== null;
    button.setAttribute("aria-busy", String(busy));
    buttonLabel.textContent = busy ? t("composer.starting") : t("composer.generate");
  }

  function setError(error) {
    lastError = error;
    showError(errorSlot, error ? describeError(error, ctx.t) : null, ctx.t);
  }

  async function submit() {
    if (busy || checkPrompt(prompt.value, PROMPT_MAX).problem) return;
    busy = true;
    setError(null);
    render();
    try {
      const generation = await backend.generate(buildRequest());
      prompt.value = "";
      onCreated(generation);
      ctx.announce(ctx.t("composer.started"));
    } catch (error) {
      setError(error);
      if (lastError.kind === "key_missing") ctx.refreshKeyStatus();
      prompt.focus();
    } finally {
      busy = false;
      render();
    }
  }

  button.addEventListener("click", submit);
  prompt.addEventListener("input", () => {
    if (lastError) setError(null);
    render();
  });
  prompt.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      submit();
    }
  });

  return {
    buildRequest,
    show(visible) {
      root.hidden = !visible;
    },
    focus() {
      prompt.focus();
    },
    relabel() {
      render();
      if (lastError) setError(lastError);
    },
    render,
  };
}
