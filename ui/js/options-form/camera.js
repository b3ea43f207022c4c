// Camera movement: a preset, or "custom" with one axis moved at a time. Models without camera
// control keep the choice disabled with a one-line reason.
import { el } from "../dom.js";
import { formatDecimal } from "../format.js";
import { analyze, AXIS_STEP, CAMERA_CUSTOM, cameraText, setAxis } from "../options.js";
import { radioGroup } from "../radio-group.js";
import { errorSlot, reasonLine, showReason } from "./section.js";

export function createCameraSection({ ctx, rules, choice, update }) {
  const { t } = ctx;
  const { limits } = rules;
  const slot = errorSlot("camera_control");
  const camera = radioGroup({ testid: "camera", labelledby: "camera-label", describedby: "camera-reason", className: "camera-grid", onPick: (value) => update({ camera: value }) });
  camera.setItems(analyze(rules, choice).camera.choices.map((value) => ({
    value,
    content: [
      el("span", { class: "camera-name", text: cameraText(value, t) }),
      t.has(`options.camera.${value}.hint`) ? el("span", { class: "camera-hint", text: t(`options.camera.${value}.hint`) }) : null,
    ],
  })));
  const reason = reasonLine("camera-reason", "camera-reason");
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
  const element = el("div", { class: "option" },
    el("span", { id: "camera-label", class: "field-label", text: t("options.camera_label") }),
    camera.element, reason, custom, slot);

  /** "0", or which way and how far: "Move right 2.5". */
  function axisValueText(axis, value) {
    const { t } = ctx;
    const number = formatDecimal(Math.abs(value), ctx.lang);
    if (value === 0) return number;
    return t("options.axis_value", { word: t(`options.axis.${axis}.${value < 0 ? "neg" : "pos"}`), amount: number });
  }

  return {
    field: "camera_control",
    element,
    slot,
    render({ choice: current, analysis }) {
      camera.update(current.camera, () => analysis.camera.enabled);
      showReason(reason, rules, analysis.camera.reason, ctx.t);
      custom.hidden = !(current.camera === CAMERA_CUSTOM && analysis.camera.enabled);
      for (const axis of rules.camera_axes) {
        const value = Number(current.axes[axis] ?? 0);
        if (Number(axisInputs[axis].value) !== value) axisInputs[axis].value = String(value);
        const text = axisValueText(axis, value);
        axisValues[axis].textContent = text;
        axisValues[axis].dataset.moved = String(value !== 0);
        axisInputs[axis].setAttribute("aria-valuetext", text);
      }
    },
  };
}
