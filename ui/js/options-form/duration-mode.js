// Duration and mode: segmented buttons with what each value means; a value the chosen model does
// not allow is disabled, and one line says why.
import { el } from "../dom.js";
import { durationText, modeText } from "../options.js";
import { radioGroup } from "../radio-group.js";
import { errorSlot, reasonLine, showReason } from "./section.js";

/** A segment's content: its label, and its hint when the catalog has one. */
function segment(t, label, hintKey) {
  return [
    el("span", { class: "seg-label", text: label }),
    t.has(hintKey) ? el("span", { class: "seg-hint", text: t(hintKey) }) : null,
  ];
}

const enabledIn = (list) => (value) => list.find((item) => item.value === value)?.enabled;

export function createDurationSection({ ctx, rules, update }) {
  const { t } = ctx;
  const slot = errorSlot("duration");
  const durations = radioGroup({ testid: "duration", labelledby: "duration-label", describedby: "duration-reason", className: "segmented", onPick: (value) => update({ duration: value }) });
  durations.setItems(rules.limits.durations.map((value) => ({ value, content: segment(t, durationText(value, t), `options.duration_hint.${value}`) })));
  const reason = reasonLine("duration-reason", "duration-reason");
  const element = el("div", { class: "option" },
    el("span", { id: "duration-label", class: "field-label", text: t("options.duration_label") }),
    durations.element, reason, slot);

  return {
    field: "duration",
    element,
    slot,
    render({ choice, analysis }) {
      durations.update(choice.duration, enabledIn(analysis.durations));
      showReason(reason, rules, analysis.durationReason, ctx.t);
    },
  };
}

export function createModeSection({ ctx, rules, update }) {
  const { t } = ctx;
  const slot = errorSlot("mode");
  const modes = radioGroup({ testid: "mode", labelledby: "mode-label", describedby: "mode-reason", className: "segmented", onPick: (value) => update({ mode: value }) });
  modes.setItems(rules.limits.modes.map((value) => ({ value, content: segment(t, modeText(value, t), `options.mode.${value}.hint`) })));
  const reason = reasonLine("mode-reason", "mode-reason");
  const element = el("div", { class: "option" },
    el("span", { id: "mode-label", class: "field-label", text: t("options.mode_label") }),
    modes.element, reason, slot);

  return {
    field: "mode",
    element,
    slot,
    render({ choice, analysis }) {
      modes.update(choice.mode, enabledIn(analysis.modes));
      showReason(reason, rules, analysis.modeReason, ctx.t);
    },
  };
}
