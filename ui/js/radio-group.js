// A group of radio buttons (role=radiogroup) with a roving tab stop and arrow keys that move the
// choice, skipping disabled values. The aspect tiles, duration, mode and camera use it.
import { el } from "./dom.js";

export function radioGroup({ testid, labelledby, describedby, className, onPick }) {
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
