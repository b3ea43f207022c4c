// The options form with a start or end picture: which models it offers, when it offers an end
// picture, that an end picture and camera movement exclude each other, what the request sends and
// how "Use these settings" brings the pictures back. The table is the real one (rules.json), with
// a row changed where a case needs a model the table does not have yet.
import test from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createTranslator } from "../../ui/js/i18n.js";
import {
  analyze, CAMERA_AUTO, changesText, choiceFromRequest, defaultChoice, endPictureOffer, isCustomized, reasonText, requestFields,
  snapChoice, summaryText,
} from "../../ui/js/options.js";
import { RULES } from "./rules-table.mjs";

const load = (lang) => JSON.parse(readFileSync(new URL(`../../ui/i18n/${lang}.json`, import.meta.url), "utf8"));
const enCatalog = load("en");
const en = createTranslator(enCatalog, enCatalog, "en");
const de = createTranslator(load("de"), enCatalog, "de");

const START = { file: "frame-aa.png", format: "png", width: 1280, height: 720, bytes: 52000, url: "http://127.0.0.1:1/k/frame-aa.png" };
const END = { file: "frame-bb.png", format: "png", width: 1280, height: 720, bytes: 41000, url: "http://127.0.0.1:1/k/frame-bb.png" };

/** The real table with some models' rows changed. */
function rulesWith(changes) {
  return { ...RULES, models: RULES.models.map((model) => ({ ...model, ...(changes[model.name] ?? {}) })) };
}

const choice = (fields) => snapChoice(RULES, { ...defaultChoice(RULES), ...fields });

test("with a start picture, only the models that animate pictures are offered", () => {
  const rules = rulesWith({ "kling-v2-master": { image_to_video: false } });
  const plain = analyze(rules, defaultChoice(rules));
  assert.ok(plain.models.every((m) => m.enabled), "without a picture every model");
  assert.equal(plain.modelReason, null);

  const withPicture = { ...defaultChoice(rules), image: START };
  const analysis = analyze(rules, withPicture);
  assert.deepEqual(analysis.models.filter((m) => !m.enabled).map((m) => m.value), ["kling-v2-master"]);
  assert.equal(reasonText(rules, analysis.modelReason, en), "With a start picture, only the models that animate pictures are offered.");

  const { choice: snapped, changes } = snapChoice(rules, { ...withPicture, model_name: "kling-v2-master" });
  assert.equal(snapped.model_name, rules.default_model, "a model that cannot is replaced");
  assert.deepEqual(changes.map((c) => c.field), ["model_name"]);
  assert.equal(snapped.image, START, "the picture stays");
});

test("the real table lets every model start from a picture", () => {
  const analysis = analyze(RULES, { ...defaultChoice(RULES), image: START });
  assert.ok(analysis.models.every((m) => m.enabled));
  assert.equal(analysis.modelReason, null, "nothing to explain when nothing is left out");
});

test("an end picture is offered only with a start picture, on a model and mode that take one", () => {
  assert.equal(endPictureOffer(RULES, choice({ model_name: "kling-v1-6", mode: "pro" }).choice).offered, false, "no start picture");
  const pro = endPictureOffer(RULES, choice({ model_name: "kling-v1-6", mode: "pro", image: START }).choice);
  assert.deepEqual(pro, { offered: true, enabled: true, reason: null });
  const std = endPictureOffer(RULES, choice({ model_name: "kling-v1-6", mode: "std", image: START }).choice);
  assert.equal(std.offered, false);
  assert.equal(reasonText(RULES, std.reason, en), "An end picture is possible in Pro quality.");
  const never = endPictureOffer(RULES, choice({ model_name: "kling-v2-6", mode: "pro", image: START }).choice);
  assert.deepEqual(never, { offered: false, enabled: false, reason: null }, "a model that never takes one says nothing");
});

test("a mode or model without end pictures lets the end picture go, and says so", () => {
  const { choice: snapped, changes } = snapChoice(RULES, { ...defaultChoice(RULES), model_name: "kling-v1-6", mode: "std", image: START, image_tail: END });
  assert.equal(snapped.image_tail, null);
  assert.equal(snapped.image, START);
  assert.equal(changesText(RULES, changes, en), "Adjusted to what's possible: End picture → left out.");
  assert.equal(changesText(RULES, changes, de), "An das Mögliche angepasst: Endbild → weggelassen.");
  assert.equal(choice({ image_tail: END }).choice.image_tail, null, "no end picture without a start picture");
});

test("an end picture and camera movement exclude each other, both ways", () => {
  // Kling 1 moves the camera only in Standard; here it also takes an end picture there.
  const rules = rulesWith({ "kling-v1": { image_tail_modes: ["std", "pro"] } });
  const base = { ...defaultChoice(rules), model_name: "kling-v1", mode: "std", duration: "5", image: START };

  const moving = snapChoice(rules, { ...base, camera: "down_back" }).choice;
  assert.equal(moving.camera, "down_back");
  const offer = endPictureOffer(rules, moving);
  assert.equal(offer.enabled, false, "with a camera movement the end picture cannot be added");
  assert.match(reasonText(rules, offer.reason, en), /Automatic/);

  const ending = snapChoice(rules, { ...base, image_tail: END }).choice;
  const analysis = analyze(rules, ending);
  assert.equal(analysis.camera.enabled, false, "with an end picture no camera movement can be chosen");
  assert.match(reasonText(rules, analysis.camera.reason, de), /Endbild/);

  const both = snapChoice(rules, { ...base, image_tail: END, camera: "down_back" });
  assert.equal(both.choice.camera, CAMERA_AUTO, "given both (an old request), the picture wins");
  assert.deepEqual(both.changes.map((c) => c.field), ["camera_control"]);
});

test("from a picture the request names the kept files and no shape; the summary says the picture decides", () => {
  const fields = requestFields(RULES, choice({ model_name: "kling-v1-6", mode: "pro", image: START, image_tail: END }).choice);
  assert.deepEqual(fields, { model_name: "kling-v1-6", mode: "pro", duration: "5", image: START.file, image_tail: END.file });
  const plain = requestFields(RULES, defaultChoice(RULES));
  assert.equal(plain.aspect_ratio, RULES.limits.default_aspect_ratio);
  assert.equal(plain.image, undefined);
  assert.match(summaryText(RULES, choice({ image: START }).choice, en), /^Picture's shape · /);
  assert.equal(analyze(RULES, choice({ image: START }).choice).followsPicture, true);
});

test("Use these settings brings the pictures back, shown where the record says", () => {
  const stored = {
    kind: "image_to_video", prompt: "", model_name: "kling-v1-6", mode: "pro", duration: "5", aspect_ratio: "16:9",
    image: { file: START.file, format: "png", width: 1280, height: 720, bytes: 52000 },
    image_tail: { file: END.file, format: "png", width: 1280, height: 720, bytes: 41000 },
  };
  const { choice: back, changes } = choiceFromRequest(RULES, stored, { image_url: START.url, image_tail_url: END.url });
  assert.deepEqual(changes, []);
  assert.equal(back.image.url, START.url);
  assert.equal(back.image_tail.url, END.url);
  assert.equal(back.image.width, 1280);
  assert.equal(requestFields(RULES, back).image_tail, END.file);
  assert.equal(choiceFromRequest(RULES, { prompt: "words only" }).choice.image, null);
});

test("a picture alone does not count as customized options", () => {
  assert.equal(isCustomized(RULES, choice({ image: START }).choice), false);
  assert.equal(isCustomized(RULES, choice({ image: START, model_name: "kling-v1-6", mode: "pro" }).choice), true);
});
