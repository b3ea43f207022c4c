// What every section of "More options" shares. A section is built from the rules table (again
// after a language change) and returns
//   {field, element, slot, focusTarget?, render(state)}:
// the request field whose errors it shows in `slot`, its box, the control an error there puts the
// cursor in (else its first focusable one), and render, called with
// {rules, choice, analysis (options.js analyze), note (the snap note's text, "" for none)}.
import { el } from "../dom.js";
import { reasonText } from "../options.js";

/** Where a refusal of `field` is shown, under its section. */
export function errorSlot(field) {
  return el("div", { class: "error-slot error-slot-field", dataset: { field } });
}

/** The one line saying why a value is disabled; the control names it in aria-describedby. */
export function reasonLine(id, testid) {
  return el("p", { id, class: "option-reason", dataset: { testid } });
}

/** Says `reason` (an options.js reason, or null) on its line, or hides the line. */
export function showReason(line, rules, reason, t) {
  line.textContent = reasonText(rules, reason, t);
  line.hidden = !reason;
}
