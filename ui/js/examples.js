// Example prompts under an empty prompt box. Each one follows the formula of Kling's prompt guide
// (subject, movement, scene, camera, light), so a first video is a good one and the next prompt
// can copy the pattern. A click puts the example in the box, ready to send or to change. The
// composer hands in its elements: this module never looks anything up in the page.
import { el } from "./dom.js";
import { countChars } from "./text.js";

/** The examples' names under `composer.examples` in the catalogs, in the order they are shown. */
export const EXAMPLES = ["fox", "surfer", "market", "mars", "cat"];

/**
 * box: shown while the prompt is empty; list: where the buttons go; prompt: the textarea;
 * onFill(): the prompt was filled (the composer redraws its counter and Generate).
 */
export function createExamples(ctx, { box, list, prompt, onFill }) {
  const buttons = EXAMPLES.map((name) =>
    el("button", {
      type: "button",
      class: "btn btn-quiet btn-small example-prompt",
      dataset: { testid: "example-prompt", example: name },
      on: { click: () => fill(name) },
    }));
  list.replaceChildren(...buttons);

  function fill(name) {
    const text = ctx.t(`composer.examples.${name}.text`);
    prompt.value = text;
    prompt.focus();
    prompt.setSelectionRange(text.length, text.length);
    onFill();
  }

  function relabel() {
    for (const button of buttons) {
      const name = button.dataset.example;
      button.textContent = ctx.t(`composer.examples.${name}.label`);
      // What a click puts in the box, before it is clicked.
      button.title = ctx.t(`composer.examples.${name}.text`);
    }
  }

  relabel();
  return {
    /** Shown only while the box is empty: once the user writes, the examples step aside. */
    render() {
      box.hidden = countChars(prompt.value) > 0;
    },
    relabel,
  };
}
