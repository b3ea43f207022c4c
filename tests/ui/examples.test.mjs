// The example prompts under an empty prompt box: in both languages, within the limit, each one
// built like the guide's formula, and a click fills the box (the real module on a stand-in DOM).
import test from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createTranslator, lookup } from "../../ui/js/i18n.js";
import { countChars, PROMPT_MAX } from "../../ui/js/text.js";
import { FakeElement, installFakeDom } from "./fake-dom.mjs";

installFakeDom();
const { createExamples, EXAMPLES } = await import("../../ui/js/examples.js");

const load = (lang) => JSON.parse(readFileSync(new URL(`../../ui/i18n/${lang}.json`, import.meta.url), "utf8"));
const catalogs = { en: load("en"), de: load("de") };
/** Words of camera language and of light, as each language writes them. */
const CAMERA = {
  en: /tracking shot|drone shot|close-up|push-in|side view|wide shot|pan\b|dolly|aerial/,
  de: /Kamerafahrt|Drohnenaufnahme|Nahaufnahme|Zufahrt|Seitenansicht|Totale|Schwenk/,
};
const LIGHT = { en: /light|glow|sunbeams/, de: /[Ll]icht|Sonnenstrahlen/ };

test("four or five examples, each with a label and a prompt in English and in German", () => {
  assert.ok(EXAMPLES.length >= 4 && EXAMPLES.length <= 5, `${EXAMPLES.length} examples`);
  for (const name of EXAMPLES) {
    for (const part of ["label", "text"]) {
      const en = lookup(catalogs.en, `composer.examples.${name}.${part}`);
      const de = lookup(catalogs.de, `composer.examples.${name}.${part}`);
      assert.equal(typeof en, "string", `en ${name}.${part}`);
      assert.equal(typeof de, "string", `de ${name}.${part}`);
      assert.notEqual(de, en, `${name}.${part} is translated`);
    }
  }
});

test("every example fits the prompt limit and names a camera move and the light", () => {
  for (const lang of ["en", "de"]) {
    for (const name of EXAMPLES) {
      const text = lookup(catalogs[lang], `composer.examples.${name}.text`);
      assert.ok(countChars(text) > 40 && countChars(text) <= PROMPT_MAX, `${lang} ${name}: ${countChars(text)} characters`);
      assert.match(text, CAMERA[lang], `${lang} ${name} names the camera`);
      assert.match(text, LIGHT[lang], `${lang} ${name} names the light`);
    }
  }
});

/** The module on a stand-in box, list and prompt; `filled` counts the composer's redraws. */
function mount(lang) {
  const ctx = { t: createTranslator(catalogs[lang], catalogs.en, lang) };
  const parts = { box: new FakeElement("div"), list: new FakeElement("div"), prompt: new FakeElement("textarea") };
  const state = { filled: 0 };
  const examples = createExamples(ctx, { ...parts, onFill: () => { state.filled += 1; examples.render(); } });
  examples.render();
  const buttons = parts.list.childNodes;
  return { ctx, examples, buttons, state, ...parts };
}

test("a click puts the example in the box, with the cursor at its end, and the examples step aside", () => {
  const { box, buttons, prompt, state } = mount("de");
  assert.equal(buttons.length, EXAMPLES.length);
  assert.equal(box.hidden, false, "shown under the empty box");
  assert.deepEqual(buttons.map((b) => b.textContent), EXAMPLES.map((name) => catalogs.de.composer.examples[name].label));

  const button = buttons[3];
  button.dispatch("click");
  const text = catalogs.de.composer.examples[button.dataset.example].text;
  assert.equal(prompt.value, text);
  assert.equal(document.activeElement, prompt, "the box has the focus");
  assert.deepEqual([prompt.selectionStart, prompt.selectionEnd], [text.length, text.length]);
  assert.equal(state.filled, 1, "the composer was told");
  assert.equal(box.hidden, true, "a filled box hides the examples");
});

test("the examples show while the box is empty or blank, and hide once the user has typed", () => {
  const { box, examples, prompt } = mount("en");
  for (const [value, hidden] of [["  \n", false], ["A", true], ["", false]]) {
    prompt.value = value;
    examples.render();
    assert.equal(box.hidden, hidden, JSON.stringify(value));
  }
});

test("switching the language relabels the buttons and fills the box in the new language", () => {
  const { ctx, examples, buttons, prompt } = mount("en");
  assert.equal(buttons[0].textContent, catalogs.en.composer.examples[EXAMPLES[0]].label);
  ctx.t = createTranslator(catalogs.de, catalogs.en, "de");
  examples.relabel();
  assert.equal(buttons[0].textContent, catalogs.de.composer.examples[EXAMPLES[0]].label);
  assert.equal(buttons[0].title, catalogs.de.composer.examples[EXAMPLES[0]].text, "the tooltip says what a click puts in");
  buttons[0].dispatch("click");
  assert.equal(prompt.value, catalogs.de.composer.examples[EXAMPLES[0]].text);
});
