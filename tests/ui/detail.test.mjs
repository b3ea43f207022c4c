// The detail view's words and decisions (detail-facts.js): what a user reads about one video and
// what "Generate again", the marks and the arrow keys do.
import test from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createTranslator, flattenKeys, lookup } from "../../ui/js/i18n.js";
import {
  againRequest, costFact, detailHeading, firstLine, madeText, marksAvailable, optionFacts, stepForKey, TITLE_MAX, titleChange,
  tookText,
} from "../../ui/js/detail-facts.js";
import { STATES } from "../../ui/js/status.js";
import { RULES } from "./rules-table.mjs";

const load = (lang) => JSON.parse(readFileSync(new URL(`../../ui/i18n/${lang}.json`, import.meta.url), "utf8"));
const enCatalog = load("en");
const deCatalog = load("de");
const en = createTranslator(enCatalog, enCatalog, "en");
const de = createTranslator(deCatalog, enCatalog, "de");
const html = readFileSync(new URL("../../ui/index.html", import.meta.url), "utf8");

const REQUEST = {
  prompt: "A paper boat on a rainy street\nslow camera, dusk",
  negative_prompt: null,
  model_name: "kling-v2-5-turbo",
  mode: "pro",
  duration: "5",
  aspect_ratio: "16:9",
  cfg_scale: null,
  camera_control: null,
  sound: null,
};

function generation(fields = {}) {
  return {
    id: "g1", external_task_id: "ext-1", task_id: "840012345", status: "ready", request: REQUEST,
    created_at: Date.UTC(2025, 11, 12, 14, 3), updated_at: 0, finished_at: Date.UTC(2025, 11, 12, 14, 4, 12),
    error: null, favorite: false, rejected: false, title: null, ...fields,
  };
}

const asMap = (facts) => Object.fromEntries(facts.map((fact) => [fact.label, fact.value]));

test("the heading is the title, else the prompt's first line, else it says the video was recovered", () => {
  assert.equal(detailHeading(generation({ title: "Boat take 3" }), en), "Boat take 3");
  assert.equal(detailHeading(generation(), en), "A paper boat on a rainy street");
  assert.equal(detailHeading(generation({ title: "   " }), en), "A paper boat on a rainy street", "a blank title is no title");
  assert.equal(firstLine("\n\n  second line first\nthird"), "second line first");
  const recovered = generation({ task_id: "8400", request: { ...REQUEST, prompt: "" } });
  assert.equal(detailHeading(recovered, en), "Recovered video (task 8400)");
  assert.equal(detailHeading(recovered, de), "Wiederhergestelltes Video (Task 8400)");
});

test("every option is said in words, in English and in German", () => {
  assert.deepEqual(asMap(optionFacts(RULES, REQUEST, en, "en")), {
    Model: "Kling 2.5 Turbo",
    Quality: "Pro",
    Duration: "5\u00a0s",
    "Aspect ratio": "16:9 (Landscape)",
  });
  const german = asMap(optionFacts(RULES, { ...REQUEST, model_name: "kling-v1-6", mode: "std", aspect_ratio: "9:16", duration: "10" }, de, "de"));
  assert.deepEqual(german, { Modell: "Kling 1.6", "Qualität": "Standard", "Länge": "10\u00a0s", "Seitenverhältnis": "9:16 (Hoch)" });
});

test("creativity, camera movement and sound appear only when the request set them", () => {
  const plain = optionFacts(RULES, REQUEST, en, "en").map((fact) => fact.field);
  assert.deepEqual(plain, ["model_name", "mode", "duration", "aspect_ratio"]);

  const full = { ...REQUEST, model_name: "kling-v1", mode: "std", cfg_scale: 0.55, camera_control: { type: "forward_up" }, sound: "on" };
  const facts = asMap(optionFacts(RULES, full, en, "en"));
  assert.equal(facts.Creativity, "0.55 of 1");
  assert.equal(facts["Camera movement"], "Forward and up");
  assert.equal(facts.Sound, "On");
  assert.equal(asMap(optionFacts(RULES, full, de, "de")).Kreativität, "0,55 von 1");

  const custom = { ...REQUEST, camera_control: { type: "simple", config: { horizontal: 0, vertical: 0, pan: 0, tilt: 0, roll: 0, zoom: -2.5 } } };
  assert.equal(asMap(optionFacts(RULES, custom, en, "en"))["Camera movement"], "Custom: Narrower view 2.5");
  assert.equal(asMap(optionFacts(RULES, custom, de, "de")).Kamerabewegung, "Eigene: Engerer Ausschnitt 2,5");
});

test("without the rules table the model keeps the name it was sent with", () => {
  assert.equal(asMap(optionFacts(null, REQUEST, en, "en")).Model, "kling-v2-5-turbo");
  assert.equal(asMap(optionFacts(RULES, { ...REQUEST, model_name: "kling-v9" }, en, "en")).Model, "kling-v9");
});

test("how long it took: from the request to the end, or still in progress", () => {
  assert.equal(tookText(generation(), en), "1 min 12 s");
  assert.equal(tookText(generation(), de), "1 Min. 12 s");
  assert.equal(tookText(generation({ finished_at: generation().created_at + 16_000 }), en), "16 s");
  assert.equal(tookText(generation({ status: "failed", finished_at: generation().created_at + 5_000 }), en), "5 s");
  assert.equal(tookText(generation({ status: "processing", finished_at: null }), en), "Still in progress");
  assert.equal(tookText(generation({ status: "processing", finished_at: null }), de), "Läuft noch");
});

test("when it was made, in the language's own way", () => {
  const made = generation().created_at;
  assert.match(madeText(made, "en"), /Dec 12, 2025/);
  assert.match(madeText(made, "de"), /12\.12\.2025/);
  assert.equal(madeText(null, "en"), "");
});

test("the cost is the table's estimate, and unknown (never $0) for what the table does not price", () => {
  assert.equal(costFact(RULES, REQUEST, en, "en"), "≈ $0.33 · prices as of Dec 2025");
  assert.equal(costFact(RULES, { ...REQUEST, duration: "10" }, en, "en"), "≈ $0.66 · prices as of Dec 2025");
  assert.match(costFact(RULES, REQUEST, de, "de"), /0,33\s\$/);
  for (const unknown of [{ ...REQUEST, model_name: "kling-v9" }, { ...REQUEST, mode: "std" }, { ...REQUEST, duration: "7" }]) {
    const text = costFact(RULES, unknown, en, "en");
    assert.equal(text, "Price unknown for this model");
    assert.doesNotMatch(text, /\$0/);
  }
  assert.equal(costFact(null, REQUEST, en, "en"), "Price unknown for this model");
});

test("Generate again sends the stored request with nulls and blanks dropped", () => {
  assert.deepEqual(againRequest(generation()), {
    prompt: REQUEST.prompt, model_name: "kling-v2-5-turbo", mode: "pro", duration: "5", aspect_ratio: "16:9",
  });
  const full = {
    ...REQUEST, negative_prompt: "text, watermark", cfg_scale: 0, camera_control: { type: "simple", config: { zoom: 5 } }, sound: "on",
  };
  const sent = againRequest(generation({ request: { ...full, some_new_field: "x" } }));
  assert.deepEqual(sent, { ...full }, "every stored option, a creativity of 0 included, and nothing else");
  assert.equal(againRequest(generation({ request: { ...REQUEST, negative_prompt: "  " } })).negative_prompt, undefined);
});

test("a recovered task (no prompt) cannot be generated again", () => {
  assert.equal(againRequest(generation({ request: { ...REQUEST, prompt: "" } })), null);
  assert.equal(againRequest(generation({ request: { ...REQUEST, prompt: "   " } })), null);
  assert.equal(againRequest({ id: "x" }), null);
  assert.match(en("detail.again_no_prompt"), /recovered/);
});

test("favorite, reject and title exist only for a finished video", () => {
  const finished = STATES.filter((status) => marksAvailable({ status }));
  assert.deepEqual(finished, ["ready", "failed", "expired"]);
  assert.equal(marksAvailable(null), false);
});

test("a title is saved only when it changed; blank clears it", () => {
  assert.equal(titleChange(generation(), ""), null);
  assert.equal(titleChange(generation(), "   "), null);
  assert.equal(titleChange(generation(), " Boat  take\t3 "), "Boat take 3");
  assert.equal(titleChange(generation({ title: "Boat take 3" }), "Boat take 3 "), null);
  assert.equal(titleChange(generation({ title: "Boat take 3" }), ""), "");
  assert.equal(TITLE_MAX, 100);
  assert.match(html, /id="detail-title"[^>]*maxlength="100"/);
});

test("a title that is too long is refused in plain words, in both languages", () => {
  const error = { kind: "title_too_long", field: "title", params: { max: 100, length: 120 } };
  assert.equal(en(`error.${error.kind}`, error.params), "A title can have at most 100 characters; this one has 120. Shorten it a little.");
  assert.match(de(`error.${error.kind}`, error.params), /höchstens 100 Zeichen/);
});

test("the arrow keys move through the results, except where they mean something else", () => {
  const arrow = (key, mods = {}) => ({ key, altKey: false, ctrlKey: false, metaKey: false, shiftKey: false, ...mods });
  assert.equal(stepForKey(arrow("ArrowLeft"), { tag: "DIV" }), -1);
  assert.equal(stepForKey(arrow("ArrowRight"), { tag: "BUTTON" }), 1);
  assert.equal(stepForKey(arrow("ArrowUp"), { tag: "DIV" }), 0);
  assert.equal(stepForKey(arrow("ArrowRight", { altKey: true }), { tag: "DIV" }), 0);
  assert.equal(stepForKey(arrow("ArrowLeft"), { tag: "INPUT", type: "text" }), 0, "the title field keeps its caret");
  assert.equal(stepForKey(arrow("ArrowLeft"), { tag: "TEXTAREA" }), 0);
  assert.equal(stepForKey(arrow("ArrowRight"), { tag: "VIDEO" }), 0, "the player seeks");
  assert.equal(stepForKey(arrow("ArrowRight"), { tag: "P", editable: true }), 0);
  assert.equal(stepForKey(arrow("ArrowRight"), { tag: "INPUT", type: "checkbox" }), 1);
});

test("the detail view's texts exist in both languages and German is really German", () => {
  const keys = flattenKeys(enCatalog.detail);
  assert.ok(keys.length > 20);
  for (const key of keys) assert.equal(typeof lookup(deCatalog, `detail.${key}`), "string", key);
  for (const key of ["again", "reuse", "favorite", "reject", "title_placeholder", "previous", "next"]) {
    assert.notEqual(de(`detail.${key}`), en(`detail.${key}`), key);
  }
  // Buttons side by side in the footer: German stays about as long as English.
  for (const key of ["again", "reuse", "favorite", "reject", "copy"]) {
    assert.ok(de(`detail.${key}`).length <= en(`detail.${key}`).length * 1.6 + 4, key);
  }
});

test("the dialog has every control the detail view drives, once", () => {
  for (const id of ["detail", "detail-heading", "detail-player", "detail-prompt", "detail-negative-prompt", "detail-options",
    "detail-task-id", "detail-copy-task-id", "detail-made", "detail-took", "detail-cost", "detail-favorite", "detail-reject",
    "detail-title", "detail-title-problem", "detail-reuse", "detail-generate-again", "detail-prev", "detail-next", "detail-close",
    "detail-note"]) {
    assert.equal(html.split(`data-testid="${id}"`).length - 1, 1, id);
  }
  assert.match(html, /<dialog id="detail-dialog" class="dialog dialog-wide" aria-labelledby="detail-heading" data-testid="detail">/);
  assert.match(html, /id="detail-note"[^>]*role="status"/);
  const script = readFileSync(new URL("../../ui/js/detail-view.js", import.meta.url), "utf8");
  assert.match(script, /testid: "detail-video"/);
  assert.match(script, /preload: "metadata"/);
});
