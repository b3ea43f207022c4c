// Sound, only where the model has it; where a mode or length rules it out, one line says why.
import { el } from "../dom.js";
import { errorSlot, reasonLine, showReason } from "./section.js";

export function createSoundSection({ ctx, rules, update }) {
  const { t } = ctx;
  const slot = errorSlot("sound");
  const sound = el("input", { id: "sound", class: "switch-input", type: "checkbox", role: "switch", "aria-describedby": "sound-hint sound-reason", dataset: { testid: "sound" } });
  sound.addEventListener("change", () => update({ sound: sound.checked }));
  const reason = reasonLine("sound-reason", "sound-reason");
  const element = el("div", { class: "option" },
    el("div", { class: "switch-row" },
      el("label", { class: "switch-label", for: "sound", text: t("options.sound_label") }),
      el("span", { class: "switch" }, sound, el("span", { class: "switch-track", "aria-hidden": "true" }))),
    el("p", { id: "sound-hint", class: "option-hint", text: t("options.sound_hint") }),
    reason, slot);

  return {
    field: "sound",
    element,
    slot,
    focusTarget: sound,
    render({ choice, analysis }) {
      element.hidden = !analysis.sound.shown;
      sound.checked = choice.sound;
      sound.disabled = !analysis.sound.enabled;
      showReason(reason, rules, analysis.sound.reason, ctx.t);
    },
  };
}
