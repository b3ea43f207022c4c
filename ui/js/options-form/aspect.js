// Aspect ratio: one tile per ratio, drawn in its shape, with its name and a word for it. A video
// from a picture takes the picture's shape: then the tiles give way to a line saying so.
import { el, setAspect } from "../dom.js";
import { ratioShape } from "../options.js";
import { parseRatio } from "../ratio.js";
import { radioGroup } from "../radio-group.js";
import { errorSlot } from "./section.js";

export function createAspectSection({ ctx, rules, update }) {
  const { t } = ctx;
  const slot = errorSlot("aspect_ratio");
  const ratios = radioGroup({ testid: "aspect-ratio", labelledby: "aspect-label", className: "ratio-grid", onPick: (value) => update({ aspect_ratio: value }) });
  ratios.setItems(rules.limits.aspect_ratios.map((value) => {
    const shape = el("span", { class: "ratio-shape" });
    setAspect(shape, parseRatio(value));
    return {
      value,
      content: [
        el("span", { class: "ratio-frame", "aria-hidden": "true" }, shape),
        el("span", { class: "ratio-name", text: value }),
        el("span", { class: "ratio-word", text: t(`options.shape.${ratioShape(value)}`) }),
      ],
    };
  }));
  const follows = el("p", { class: "option-reason", dataset: { testid: "aspect-follows-picture" }, text: t("options.aspect_follows_picture") });
  const element = el("div", { class: "option" },
    el("span", { id: "aspect-label", class: "field-label", text: t("options.aspect_label") }),
    ratios.element, follows, slot);

  return {
    field: "aspect_ratio",
    element,
    slot,
    render({ choice, analysis }) {
      ratios.element.hidden = analysis.followsPicture;
      follows.hidden = !analysis.followsPicture;
      ratios.update(choice.aspect_ratio, () => true);
    },
  };
}
