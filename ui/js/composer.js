// The composer: prompt, live counter, the start and end pictures, the tools under the prompt,
// "More options", the takes, the cost, Generate. One click makes one batch of takes. The option rules live in options.js, their controls in options-form/.
import * as backend from "./backend.js";
import { createComposerPictures } from "./composer-pictures.js";
import { describeError } from "./errors.js";
import { el, showCounter, showError } from "./dom.js";
import { createExamples } from "./examples.js";
import { choiceFromRequest, estimateText, formatPrice, isCustomized, presentError, reasonText } from "./options.js";
import { kindOf, pictureParams } from "./pictures.js";
import { radioGroup } from "./radio-group.js";
import { checkPrompt, PROMPT_MAX } from "./text.js";

const isMac = /Mac|iPhone|iPad/.test(globalThis.navigator?.platform ?? "");
/** How many takes one click may make (core refuses more). */
const TAKES = ["1", "2", "3", "4"];
/** How long the cost line waits for the choice to settle before it asks core again. */
const COST_PAUSE_MS = 150;

/**
 * createOptionsForm and createPromptTools are options-form/index.js's and prompt-tools/index.js's,
 * handed in by main.js (a view does not import another view).
 */
export function createComposer(ctx, { onCreated, createOptionsForm, createPromptTools }) {
  const root = document.getElementById("composer");
  const prompt = document.getElementById("prompt");
  const counter = document.getElementById("prompt-counter");
  const reason = document.getElementById("prompt-reason");
  const promptErrorSlot = document.getElementById("prompt-error");
  const errorSlot = document.getElementById("composer-error");
  const generateReason = document.getElementById("generate-reason");
  const button = document.getElementById("generate");
  const buttonLabel = document.getElementById("generate-label");
  const costLine = document.getElementById("cost");
  let busy = false;
  let lastError = null;
  let takes = 1;
  /** core's CostCheck ({estimate, budget}) for the form as it is; null before the first answer. */
  let cost = null;
  let costTimer = null;
  /** The user chose "Generate anyway" for the form as it is. */
  let budgetConfirmed = false;

  const options = createOptionsForm(ctx, {
    onChange: () => changed(),
  });
  const pictures = createComposerPictures(ctx, { area: document.getElementById("pictures"), composer: root, options });
  const examples = createExamples(ctx, {
    box: document.getElementById("prompt-examples"),
    list: document.getElementById("example-list"),
    prompt,
    onFill: promptFilled,
  });

  function promptFilled() {
    if (lastError) setError(null);
    tools.promptChanged();
    render();
  }
  const tools = createPromptTools(ctx, { prompt, choice: () => options.choice ?? {}, onChange: promptFilled });

  const takesGroup = radioGroup({
    testid: "takes",
    labelledby: "takes-label",
    describedby: "takes-hint",
    className: "segmented takes",
    onPick(value) {
      takes = Number(value);
      changed();
    },
  });
  takesGroup.setItems(TAKES.map((value) => ({ value, content: [value] })));
  document.getElementById("takes-slot").append(takesGroup.element);

  /** Asks core what the form as it is would cost, and whether that passes the monthly budget. */
  function checkCost() {
    clearTimeout(costTimer);
    costTimer = setTimeout(async () => {
      try {
        cost = await backend.costCheck(buildRequest(), -new Date().getTimezoneOffset());
      } catch (error) {
        cost = null;
        console.warn("Kling Desk: cost_check failed", error);
      }
      render();
    }, COST_PAUSE_MS);
  }

  function budgetWarning() {
    const budget = cost?.budget;
    if (budget?.state !== "would_pass" && budget?.state !== "passed") return null;
    return ctx.t(`composer.budget_${budget.state}`, {
      budget: formatPrice(budget.budget_cents, ctx.lang),
      spent: formatPrice(budget.spent_cents, ctx.lang),
    });
  }

  function changed() {
    if (lastError) setError(null);
    budgetConfirmed = false;
    errorSlot.querySelector("[data-testid=budget-warning]")?.remove();
    checkCost();
    render();
  }

  /** The question before a Generate that passes the monthly budget, above Generate. */
  function askAboutBudget() {
    const { t } = ctx;
    const cancel = () => {
      errorSlot.replaceChildren();
      button.focus();
    };
    const box = el("div", { class: "confirm-box", role: "alert", dataset: { testid: "budget-warning" } },
      el("p", { text: budgetWarning() }),
      el("div", { class: "action-row" },
        el("button", {
          type: "button",
          class: "btn btn-warn btn-small",
          dataset: { testid: "budget-confirm" },
          on: { click: () => { budgetConfirmed = true; errorSlot.replaceChildren(); submit(); } },
        }, t("composer.budget_go")),
        el("button", { type: "button", class: "btn btn-quiet btn-small", dataset: { testid: "budget-cancel" }, on: { click: cancel } },
          t("composer.budget_cancel"))));
    errorSlot.replaceChildren(box);
    box.querySelector("button").focus();
  }

  function promptMax() {
    return options.rules?.limits.prompt_max_chars ?? PROMPT_MAX;
  }

  /**
   * The request sent to `generate`: the prompt, then model_name, mode, duration (a string) and
   * aspect_ratio (or the pictures' files, image and image_tail) always, and negative_prompt,
   * cfg_scale, camera_control, sound only when set.
   */
  function buildRequest() {
    return { prompt: prompt.value.trim(), ...options.requestFields(), takes };
  }

  function render() {
    const { t } = ctx;
    const check = checkPrompt(prompt.value, promptMax());
    // A picture alone is enough to make a video from: then the prompt may stay empty.
    if (check.problem === "prompt_empty" && pictures.hasStart) check.problem = null;
    prompt.placeholder = pictures.hasStart ? t("composer.placeholder_picture") : t("composer.placeholder");
    pictures.render();
    showCounter(counter, check, t);
    prompt.classList.toggle("is-over", check.state === "over");
    prompt.setAttribute("aria-invalid", String(check.state === "over" || lastError?.field === "prompt"));

    if (check.problem === "prompt_empty") reason.textContent = t("composer.reason_empty");
    else if (check.problem === "prompt_too_long") reason.textContent = t("composer.reason_too_long", { over: check.over });
    else reason.textContent = t("composer.tip", { shortcut: t(isMac ? "composer.shortcut_mac" : "composer.shortcut_ctrl") });
    reason.dataset.state = check.problem ? (check.problem === "prompt_too_long" ? "over" : "idle") : "ok";
    examples.render();
    tools.render();

    const optionsProblem = options.problem();
    generateReason.hidden = !optionsProblem;
    generateReason.textContent = optionsProblem ? reasonText(options.rules, optionsProblem, t) : "";

    takesGroup.update(String(takes), () => true);
    costLine.hidden = !cost;
    if (cost) {
      const warning = budgetWarning();
      costLine.textContent = estimateText(cost.estimate, t, ctx.lang);
      costLine.dataset.state = warning ? "over-budget" : "ok";
      if (warning) costLine.append(document.createElement("br"), warning);
    }

    button.disabled = busy || check.problem !== null || optionsProblem !== null;
    button.setAttribute("aria-busy", String(busy));
    buttonLabel.textContent = busy ? t("composer.starting") : t("composer.generate");
  }

  /**
   * Shows an error beside the field it names (a picture, or an option, opening "More options" if
   * needed), else above Generate.
   */
  function setError(error) {
    lastError = error;
    for (const slot of [promptErrorSlot, errorSlot]) showError(slot, null, ctx.t);
    options.clearErrors();
    pictures.clearErrors();
    if (!error || pictures.showError(error)) return;
    const present = (params, err) => pictureParams(options.ready ? presentError(options.rules, params, err, ctx.t) : params, ctx.lang);
    const described = describeError(error, ctx.t, present);
    let slot = errorSlot;
    if (described.field === "prompt") slot = promptErrorSlot;
    else if (described.field && options.errorSlot(described.field)) {
      slot = options.errorSlot(described.field);
      options.open();
    }
    showError(slot, described, ctx.t);
  }

  async function submit() {
    if (busy || button.disabled) return;
    // A Generate that passes the monthly budget is asked about once (the cost line already says
    // so): "Generate anyway" goes ahead, a change to the form asks again.
    if (budgetWarning() && !budgetConfirmed) {
      askAboutBudget();
      return;
    }
    budgetConfirmed = false;
    // Generate is disabled while it starts, and again once the box is emptied: the keyboard's
    // place would fall out of the window, so it goes back to the prompt.
    const pressed = document.activeElement === button;
    busy = true;
    setError(null);
    render();
    try {
      const created = await backend.generate(buildRequest());
      prompt.value = "";
      // The pictures belong to the video just started, like its prompt.
      options.setPictures({ image: null, image_tail: null });
      tools.promptChanged();
      for (const generation of created) onCreated(generation);
      ctx.announce(created.length > 1 ? ctx.t("composer.started_takes", { count: created.length }) : ctx.t("composer.started"));
      checkCost();
    } catch (error) {
      setError(error);
      if (lastError.kind === "key_missing") ctx.refreshKeyStatus();
      if (lastError.field === "image" || lastError.field === "image_tail") pictures.focus(lastError.field);
      else if (lastError.field && lastError.field !== "prompt" && options.errorSlot(lastError.field)) options.focusField(lastError.field);
      else prompt.focus();
    } finally {
      busy = false;
      render();
      if (pressed && button.disabled) prompt.focus();
    }
  }

  button.addEventListener("click", submit);
  prompt.addEventListener("input", promptFilled);
  prompt.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      submit();
    }
  });

  return {
    buildRequest,
    /** Called once with the table from `invoke("rules")`; without it only the plain path exists. */
    setRules(rules) {
      options.setRules(rules);
      checkCost();
      render();
    },
    /** The monthly budget or a price changed in Settings. */
    budgetChanged() {
      checkCost();
      render();
    },
    /**
     * "Use these settings": the prompt, the pictures and every option of an earlier generation
     * (`urls`: its image_url and image_tail_url, where the pictures are shown); of a continued
     * clip only its prompt, since model, mode and shape were its parent's.
     */
    reuse(request, urls = {}) {
      prompt.value = request?.prompt ?? "";
      tools.promptChanged();
      setError(null);
      if (options.ready && kindOf(request) !== "extend") {
        const { choice, changes } = choiceFromRequest(options.rules, request ?? {}, urls);
        options.setChoice(choice, changes);
        if (isCustomized(options.rules, options.choice) || changes.length) options.open();
      }
      checkCost();
      render();
      const reduce = globalThis.matchMedia?.("(prefers-reduced-motion: reduce)").matches;
      root.scrollIntoView({ block: "start", behavior: reduce ? "auto" : "smooth" });
      prompt.focus({ preventScroll: true });
      ctx.announce(ctx.t("composer.reused"));
    },
    show(visible) {
      root.hidden = !visible;
    },
    focus() {
      prompt.focus();
    },
    /** The chat model changed in Settings: its price may differ. */
    chatModelChanged: () => tools.chatModelChanged(),
    relabel() {
      options.relabel();
      examples.relabel();
      tools.relabel();
      pictures.relabel();
      render();
      if (lastError) setError(lastError);
    },
    render,
  };
}
