// "More options": model, aspect ratio, duration, mode, what to avoid, creativity, camera, sound.
// The rules live in options.js; this module draws them, keeps the current choice and reports
// every change. A value the chosen model does not allow is disabled with a one-line reason.
import { parseRatio } from "./card.js";
import { el } from "./dom.js";
import {
  analyze, AXIS_STEP, CAMERA_CUSTOM, cameraText, CFG_STEP, changesText, defaultChoice,
  durationText, modeText, optionsProblem, ratioShape, reasonText, requestFields, setAxis, snapChoice,
  summaryText,
} from "./options.js";
import { counterState } from "./text.js";

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

/**
 * A group of radio buttons (role=radiogroup) with a roving tab stop and arrow keys that move the
 * choice, skipping disabled values.
 */
function radioGroup({ testid, labelledby, describedby, className, onPick }) {
  let items = [];
  const element = el("div", {
    class: `radio-group ${className}`,
    role: "radiogroup",
    "aria-labelledby": labelledby,
    "aria-describedby": describedby,
    dataset: { testid },
  });
  const steps = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1 };
  element.addEventListener("keydown", (event) => {
    const enabled = items.filter((item) => !item.button.disabled);
    if (!enabled.length) return;
    const at = enabled.findIndex((item) => item.button === document.activeElement);
    let target = null;
    if (Object.hasOwn(steps, event.key)) target = enabled[(Math.max(at, 0) + steps[event.key] + enabled.length) % enabled.length];
    else if (event.key === "Home") target = enabled[0];
    else if (event.key === "End") target = enabled[enabled.length - 1];
    if (!target) return;
    event.preventDefault();
    target.button.focus();
    onPick(target.value);
  });
  return {
    element,
    /** list: [{value, content: [nodes]}] */
    setItems(list) {
      items = list.map(({ value, content }) => ({
        value,
        button: el("button", {
          type: "button",
          role: "radio",
          class: "radio",
          dataset: { testid: `${testid}-option`, value },
          on: { click: () => onPick(value) },
        }, ...content),
      }));
      element.replaceChildren(...items.map((item) => item.button));
    },
    update(value, isEnabled) {
      for (const item of items) {
        item.button.setAttribute("aria-checked", String(item.value === value));
        item.button.disabled = !isEnabled(item.value);
      }
      const stop = items.find((item) => item.value === value && !item.button.disabled)
        ?? items.find((item) => !item.button.disabled);
      for (const item of items) item.button.tabIndex = item === stop ? 0 : -1;
      element.setAttribute("aria-disabled", String(!stop));
    },
  };
}

export function createOptionsForm(ctx, { onChange }) {
  const details = document.getElementById("options");
  const summaryLine = document.getElementById("options-line");
  const body = document.getElementById("options-body");
  let rules = null;
  let choice = null;
  /** The last snap, kept as data so the note can be said again in another language. */
  let snapped = null;
  let view = null;

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

  /** Builds the controls from the rules table; called again after a language change. */
  function build() {
    const { t } = ctx;
    const slots = {};
    const errorSlot = (field) => (slots[field] = el("div", { class: "error-slot error-slot-field", dataset: { field } }));
    const reasonLine = (id, testid) => el("p", { id, class: "option-reason", dataset: { testid } });

    // Model
    const model = el("select", { id: "model", class: "input select", dataset: { testid: "model" } },
      ...rules.models.map((m) => el("option", { value: m.name, text: m.label })));
    model.addEventListener("change", () => update({ model_name: model.value }, { modelChanged: true }));
    const note = el("p", { id: "options-note", class: "options-note", dataset: { testid: "options-note" } });
    const modelBox = el("div", { class: "option" },
      el("label", { class: "field-label", for: "model", text: t("options.model_label") }),
      model, note, errorSlot("model_name"));

    // Aspect ratio
    const ratios = radioGroup({ testid: "aspect-ratio", labelledby: "aspect-label", className: "ratio-grid", onPick: (value) => update({ aspect_ratio: value }) });
    ratios.setItems(rules.limits.aspect_ratios.map((value) => {
      const ratio = parseRatio(value);
      const shape = el("span", { class: "ratio-shape" });
      shape.style.setProperty("--ar", ratio.css);
      shape.style.setProperty("--ar-value", String(ratio.value));
      return {
        value,
        content: [
          el("span", { class: "ratio-frame", "aria-hidden": "true" }, shape),
          el("span", { class: "ratio-name", text: value }),
          el("span", { class: "ratio-word", text: t(`options.shape.${ratioShape(value)}`) }),
        ],
      };
    }));
    const ratioBox = el("div", { class: "option" },
      el("span", { id: "aspect-label", class: "field-label", text: t("options.aspect_label") }),
      ratios.element, errorSlot("aspect_ratio"));

    // Duration and mode: segmented buttons with what each means.
    const segment = (label, hintKey) => [
      el("span", { class: "seg-label", text: label }),
      t.has(hintKey) ? el("span", { class: "seg-hint", text: t(hintKey) }) : null,
    ];
    const durations = radioGroup({ testid: "duration", labelledby: "duration-label", describedby: "duration-reason", className: "segmented", onPick: (value) => update({ duration: value }) });
    durations.setItems(rules.limits.durations.map((value) => ({ value, content: segment(durationText(value, t), `options.duration_hint.${value}`) })));
    const durationReason = reasonLine("duration-reason", "duration-reason");
    const durationBox = el("div", { class: "option" },
      el("span", { id: "duration-label", class: "field-label", text: t("options.duration_label") }),
      durations.element, durationReason, errorSlot("duration"));

    const modes = radioGroup({ testid: "mode", labelledby: "mode-label", describedby: "mode-reason", className: "segmented", onPick: (value) => update({ mode: value }) });
    modes.setItems(rules.limits.modes.map((value) => ({ value, content: segment(modeText(value, t), `options.mode.${value}.hint`) })));
    const modeReason = reasonLine("mode-reason", "mode-reason");
    const modeBox = el("div", { class: "option" },
      el("span", { id: "mode-label", class: "field-label", text: t("options.mode_label") }),
      modes.element, modeReason, errorSlot("mode"));

    // What to avoid
    const negative = el("textarea", {
      id: "negative-prompt",
      class: "input negative-input",
      rows: "2",
      placeholder: t("options.negative_placeholder"),
      "aria-describedby": "negative-counter negative-reason",
      dataset: { testid: "negative-prompt" },
    });
    negative.addEventListener("input", () => update({ negative_prompt: negative.value }));
    const negativeCounter = el("span", { id: "negative-counter", class: "counter", dataset: { testid: "negative-counter" } });
    const negativeReason = el("span", { id: "negative-reason", class: "reason" });
    const negativeBox = el("div", { class: "option" },
      el("label", { class: "field-label", for: "negative-prompt", text: t("options.negative_label") }),
      negative,
      el("div", { class: "prompt-meta prompt-meta-tight" }, negativeReason, negativeCounter),
      errorSlot("negative_prompt"));

    // Creativity ↔ relevance (cfg_scale), only for models that take it.
    const { limits } = rules;
    const cfg = el("input", {
      id: "cfg-scale",
      class: "range",
      type: "range",
      min: String(limits.cfg_scale_min),
      max: String(limits.cfg_scale_max),
      step: String(CFG_STEP),
      dataset: { testid: "cfg-scale" },
    });
    cfg.addEventListener("input", () => update({ cfg_scale: Number(cfg.value), cfg_set: true }));
    const cfgReset = el("button", { type: "button", class: "link-button", dataset: { testid: "cfg-reset" }, text: t("options.cfg_reset"), on: { click: () => update({ cfg_scale: limits.cfg_scale_default, cfg_set: false }) } });
    const cfgControls = el("div", { class: "cfg-controls" },
      el("div", { class: "option-head" },
        el("label", { class: "field-label", for: "cfg-scale", text: t("options.cfg_label") }),
        cfgReset),
      cfg,
      el("div", { class: "range-ends", "aria-hidden": "true" },
        el("span", { text: t("options.cfg_creative") }),
        el("span", { text: t("options.cfg_relevant") })));
    const cfgNote = el("p", { class: "option-reason", dataset: { testid: "cfg-note" } });
    const cfgBox = el("div", { class: "option" },
      cfgControls,
      el("div", { class: "cfg-off" }, el("span", { class: "field-label", text: t("options.cfg_label") }), cfgNote),
      errorSlot("cfg_scale"));

    // Camera movement
    const camera = radioGroup({ testid: "camera", labelledby: "camera-label", describedby: "camera-reason", className: "camera-grid", onPick: (value) => update({ camera: value }) });
    camera.setItems(analyze(rules, choice).camera.choices.map((value) => ({
      value,
      content: [
        el("span", { class: "camera-name", text: cameraText(value, t) }),
        t.has(`options.camera.${value}.hint`) ? el("span", { class: "camera-hint", text: t(`options.camera.${value}.hint`) }) : null,
      ],
    })));
    const cameraReason = reasonLine("camera-reason", "camera-reason");
    const axisInputs = {};
    const axisValues = {};
    const axisRows = rules.camera_axes.map((axis) => {
      const input = el("input", {
        id: `axis-${axis}`,
        class: "range range-centered",
        type: "range",
        min: String(limits.camera_axis_min),
        max: String(limits.camera_axis_max),
        step: String(AXIS_STEP),
        dataset: { testid: "camera-axis", axis },
      });
      input.addEventListener("input", () => update({ axes: setAxis(rules, axis, Number(input.value)) }));
      axisInputs[axis] = input;
      axisValues[axis] = el("output", { class: "axis-value", for: `axis-${axis}` });
      return el("div", { class: "axis" },
        el("div", { class: "option-head" },
          el("label", { class: "axis-label", for: `axis-${axis}`, text: t(`options.axis.${axis}.label`) }),
          axisValues[axis]),
        input,
        el("div", { class: "range-ends", "aria-hidden": "true" },
          el("span", { text: t(`options.axis.${axis}.neg`) }),
          el("span", { text: t(`options.axis.${axis}.pos`) })));
    });
    const custom = el("div", { class: "camera-custom", dataset: { testid: "camera-custom" } },
      el("p", { class: "option-hint", text: t("options.camera_one_at_a_time") }), ...axisRows);
    const cameraBox = el("div", { class: "option" },
      el("span", { id: "camera-label", class: "field-label", text: t("options.camera_label") }),
      camera.element, cameraReason, custom, errorSlot("camera_control"));

    // Sound, only where the model has it.
    const sound = el("input", { id: "sound", class: "switch-input", type: "checkbox", role: "switch", "aria-describedby": "sound-hint sound-reason", dataset: { testid: "sound" } });
    sound.addEventListener("change", () => update({ sound: sound.checked }));
    const soundReason = reasonLine("sound-reason", "sound-reason");
    const soundBox = el("div", { class: "option" },
      el("div", { class: "switch-row" },
        el("label", { class: "switch-label", for: "sound", text: t("options.sound_label") }),
        el("span", { class: "switch" }, sound, el("span", { class: "switch-track", "aria-hidden": "true" }))),
      el("p", { id: "sound-hint", class: "option-hint", text: t("options.sound_hint") }),
      soundReason, errorSlot("sound"));

    body.replaceChildren(modelBox, ratioBox, durationBox, modeBox, negativeBox, cfgBox, cameraBox, soundBox);
    view = {
      slots, model, note, ratios, durations, durationReason, modes, modeReason,
      negative, negativeCounter, negativeReason, cfg, cfgReset, cfgControls, cfgNote, cfgBox,
      camera, cameraReason, custom, axisInputs, axisValues, sound, soundReason, soundBox,
      sections: { model_name: modelBox, aspect_ratio: ratioBox, duration: durationBox, mode: modeBox, negative_prompt: negativeBox, cfg_scale: cfgBox, camera_control: cameraBox, sound: soundBox },
    };
  }

  function axisValueText(axis, value) {
    const { t } = ctx;
    const number = new Intl.NumberFormat(ctx.lang === "de" ? "de-DE" : "en-US", { maximumFractionDigits: 1 }).format(Math.abs(value));
    if (value === 0) return number;
    return t("options.axis_value", { word: t(`options.axis.${axis}.${value < 0 ? "neg" : "pos"}`), amount: number });
  }

  function render() {
    if (!rules || !view) return;
    const { t } = ctx;
    const a = analyze(rules, choice);
    const v = view;

    summaryLine.textContent = summaryText(rules, choice, t);
    v.note.textContent = noteText();
    v.note.hidden = !snapped;

    if (v.model.value !== choice.model_name) v.model.value = choice.model_name;
    v.ratios.update(choice.aspect_ratio, () => true);

    v.durations.update(choice.duration, (value) => a.durations.find((d) => d.value === value)?.enabled);
    v.durationReason.textContent = reasonText(rules, a.durationReason, t);
    v.durationReason.hidden = !a.durationReason;
    v.modes.update(choice.mode, (value) => a.modes.find((m) => m.value === value)?.enabled);
    v.modeReason.textContent = reasonText(rules, a.modeReason, t);
    v.modeReason.hidden = !a.modeReason;

    if (v.negative.value !== choice.negative_prompt) v.negative.value = choice.negative_prompt;
    const neg = a.negative;
    const negState = counterState(neg.count, neg.max);
    v.negativeCounter.textContent = t("composer.counter", { count: neg.count, max: neg.max });
    v.negativeCounter.setAttribute("aria-label", t("composer.counter_aria", { count: neg.count, max: neg.max }));
    v.negativeCounter.dataset.state = negState;
    v.negative.classList.toggle("is-over", negState === "over");
    v.negative.setAttribute("aria-invalid", String(negState === "over"));
    v.negativeReason.textContent = neg.over > 0 ? t("options.negative_too_long", { over: neg.over }) : t("options.negative_hint");
    v.negativeReason.dataset.state = neg.over > 0 ? "over" : "ok";

    v.cfgControls.hidden = !a.cfg.shown;
    v.cfgNote.parentElement.hidden = a.cfg.shown;
    v.cfgNote.textContent = reasonText(rules, a.cfg.note, t);
    if (Number(v.cfg.value) !== choice.cfg_scale) v.cfg.value = String(choice.cfg_scale);
    v.cfg.setAttribute("aria-valuetext", t("options.cfg_value", { value: choice.cfg_scale }));
    v.cfgReset.hidden = !choice.cfg_set;

    v.camera.update(choice.camera, () => a.camera.enabled);
    v.cameraReason.textContent = reasonText(rules, a.camera.reason, t);
    v.cameraReason.hidden = !a.camera.reason;
    v.custom.hidden = !(choice.camera === CAMERA_CUSTOM && a.camera.enabled);
    for (const axis of rules.camera_axes) {
      const value = Number(choice.axes[axis] ?? 0);
      if (Number(v.axisInputs[axis].value) !== value) v.axisInputs[axis].value = String(value);
      const text = axisValueText(axis, value);
      v.axisValues[axis].textContent = text;
      v.axisValues[axis].dataset.moved = String(value !== 0);
      v.axisInputs[axis].setAttribute("aria-valuetext", text);
    }

    v.soundBox.hidden = !a.sound.shown;
    v.sound.checked = choice.sound;
    v.sound.disabled = !a.sound.enabled;
    v.soundReason.textContent = reasonText(rules, a.sound.reason, t);
    v.soundReason.hidden = !a.sound.reason;
  }

  return {
    /** Called once with the table from `invoke("rules")`. */
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
      if (!view || !Object.hasOwn(view.slots, field)) return null;
      const section = view.sections[field];
      if (section?.hidden) return null;
      return view.slots[field];
    },
    clearErrors() {
      for (const slot of Object.values(view?.slots ?? {})) slot.replaceChildren();
    },
    /** Puts the cursor into a field after an error there. */
    focusField(field) {
      const target = {
        model_name: view?.model,
        negative_prompt: view?.negative,
        cfg_scale: view?.cfg,
        sound: view?.sound,
      }[field] ?? view?.sections[field]?.querySelector("[tabindex='0'], input, select, textarea");
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
