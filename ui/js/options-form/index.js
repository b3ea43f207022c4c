// "More options": model, aspect ratio, duration, mode, what to avoid, creativity, camera, sound;
// the start and end pictures, shown beside the prompt (composer), are part of the same choice.
// The rules live in options.js; each section here draws its part of them, and this module keeps
// the current choice and reports every change. A value the chosen model does not allow is
// disabled with a one-line reason.
import { analyze, changesText, defaultChoice, optionsProblem, requestFields, snapChoice, summaryText } from "../options.js";
import { createAspectSection } from "./aspect.js";
import { createCameraSection } from "./camera.js";
import { createCreativitySection } from "./creativity.js";
import { createDurationSection, createModeSection } from "./duration-mode.js";
import { createModelSection } from "./model.js";
import { createNegativeSection } from "./negative.js";
import { createSoundSection } from "./sound.js";

/** The sections, in the order they stand in the form. */
const SECTIONS = [
  createModelSection,
  createAspectSection,
  createDurationSection,
  createModeSection,
  createNegativeSection,
  createCreativitySection,
  createCameraSection,
  createSoundSection,
];

const OPEN_KEY = "kling-desk.options-open";

/** The disclosure remembers whether it was open; storage may be unavailable, then it stays closed. */
function readOpen() {
  try {
    return globalThis.localStorage?.getItem(OPEN_KEY) === "1";
  } catch {
    return false;
  }
}

function writeOpen(open) {
  try {
    globalThis.localStorage?.setItem(OPEN_KEY, open ? "1" : "0");
  } catch {
    // Not remembered this time; nothing else depends on it.
  }
}

export function createOptionsForm(ctx, { onChange }) {
  const details = document.getElementById("options");
  const summaryLine = document.getElementById("options-line");
  const body = document.getElementById("options-body");
  let rules = null;
  let choice = null;
  /** The last snap, kept as data so the note can be said again in another language. */
  let snapped = null;
  /** The sections on screen; built from the rules table, again after a language change. */
  let sections = [];

  details.open = readOpen();
  details.addEventListener("toggle", () => writeOpen(details.open));

  function update(patch, { modelChanged = false } = {}) {
    const result = snapChoice(rules, { ...choice, ...patch });
    choice = result.choice;
    snapped = result.changes.length ? { changes: result.changes, model: modelChanged ? choice.model_name : null } : null;
    render();
    if (snapped) ctx.announce(noteText());
    onChange();
  }

  function noteText() {
    return snapped ? changesText(rules, snapped.changes, ctx.t, snapped.model) : "";
  }

  function build() {
    sections = SECTIONS.map((create) => create({ ctx, rules, choice, update }));
    body.replaceChildren(...sections.map((section) => section.element));
  }

  function render() {
    if (!rules || !sections.length) return;
    summaryLine.textContent = summaryText(rules, choice, ctx.t);
    const state = { rules, choice, analysis: analyze(rules, choice), note: snapped ? noteText() : null };
    for (const section of sections) section.render(state);
  }

  const sectionFor = (field) => sections.find((section) => section.field === field) ?? null;

  return {
    /** Called once with the rules table the first screen brought (backend.boot). */
    setRules(table) {
      rules = table;
      choice = defaultChoice(rules);
      build();
      details.hidden = false;
      render();
    },
    get ready() {
      return rules != null;
    },
    get choice() {
      return choice;
    },
    get rules() {
      return rules;
    },
    /** The option fields of the request; nothing when the rules could not be loaded. */
    requestFields() {
      return rules ? requestFields(rules, choice) : {};
    },
    /** What keeps Generate disabled, or null. */
    problem() {
      return rules ? optionsProblem(rules, choice) : null;
    },
    /**
     * Sets or takes away a picture ({image} or {image_tail}: a kept picture, or null), which may
     * narrow the models and options like any other change.
     */
    setPictures(patch) {
      if (rules) update(patch);
    },
    /** Replaces the whole choice (reuse); changes are the adjustments today's rules made. */
    setChoice(next, changes = []) {
      const result = snapChoice(rules, next);
      choice = result.choice;
      const all = [...changes, ...result.changes];
      snapped = all.length ? { changes: all, model: null } : null;
      render();
    },
    open() {
      details.open = true;
    },
    /** The error slot beside a field, when that field is on screen; else null. */
    errorSlot(field) {
      const section = sectionFor(field);
      return section && !section.element.hidden ? section.slot : null;
    },
    clearErrors() {
      for (const section of sections) section.slot.replaceChildren();
    },
    /** Puts the cursor into a field after an error there. */
    focusField(field) {
      const section = sectionFor(field);
      const target = section?.focusTarget ?? section?.element.querySelector("[tabindex='0'], input, select, textarea");
      target?.focus();
    },
    relabel() {
      if (!rules) return;
      build();
      render();
    },
    render,
  };
}
