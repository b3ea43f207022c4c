import test from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createTranslator, lookup } from "../../ui/js/i18n.js";
import {
  analyze, CAMERA_AUTO, CAMERA_CUSTOM, cameraAllowed, cameraChoices, changesText, choiceFromRequest,
  costText, defaultChoice, estimateText, presentError, findModel, formatMonth, formatPrice, isCustomized, optionsProblem, priceCents,
  ratioShape, reasonText, requestFields, setAxis, snapChoice, soundAllowed, summaryText,
} from "../../ui/js/options.js";
import { describeError } from "../../ui/js/errors.js";
import { RULES } from "./rules-table.mjs";

const load = (lang) => JSON.parse(readFileSync(new URL(`../../ui/i18n/${lang}.json`, import.meta.url), "utf8"));
const enCatalog = load("en");
const t = createTranslator(enCatalog);
const tde = createTranslator(load("de"), enCatalog);

/**
 * The validator's rules (src-tauri/core/src/request.rs), written again here from the API doc, so
 * the form is checked against an independent reading: null when the request would be accepted,
 * else the refusing kind.
 */
function refusal(rules, req) {
  const { limits } = rules;
  const model = findModel(rules, req.model_name ?? rules.default_model);
  if (!model) return "unknown_model";
  if (req.mode != null && !model.modes.includes(req.mode)) return "option_not_allowed:mode";
  const mode = req.mode ?? (model.modes.includes(limits.default_mode) ? limits.default_mode : model.modes[0]);
  if (req.duration != null && (typeof req.duration !== "string" || !model.durations.includes(req.duration))) return "option_not_allowed:duration";
  const duration = req.duration ?? limits.default_duration;
  if (req.aspect_ratio != null && !limits.aspect_ratios.includes(req.aspect_ratio)) return "option_not_allowed:aspect_ratio";
  if (req.negative_prompt != null) {
    const n = [...req.negative_prompt.trim().normalize("NFC")].length;
    if (n === 0) return "negative_prompt_sent_blank";
    if (n > limits.negative_prompt_max_chars) return "negative_prompt_too_long";
  }
  if (req.cfg_scale != null) {
    if (!model.cfg_scale) return "cfg_scale_not_supported";
    if (!Number.isFinite(req.cfg_scale) || req.cfg_scale < limits.cfg_scale_min || req.cfg_scale > limits.cfg_scale_max) return "cfg_scale_out_of_range";
  }
  if (req.camera_control != null) {
    const c = req.camera_control;
    if (!model.camera || model.camera.mode !== mode || model.camera.duration !== duration) return "camera_not_supported";
    if (!rules.camera_types.includes(c.type)) return "camera_type_unknown";
    if (c.type === "simple") {
      if (!c.config) return "camera_config_missing";
      const values = rules.camera_axes.map((axis) => c.config[axis]);
      if (values.some((v) => typeof v !== "number")) return "camera_config_incomplete";
      if (values.some((v) => !Number.isFinite(v) || v < limits.camera_axis_min || v > limits.camera_axis_max)) return "camera_axis_out_of_range";
      if (values.filter((v) => v !== 0).length !== 1) return "camera_one_axis";
    } else if ("config" in c) return "camera_config_not_allowed";
  }
  if (req.sound != null) {
    if (req.sound !== "on") return "sound_value";
    if (!model.sound || (model.sound_needs_mode && model.sound_needs_mode !== mode)) return "sound_not_supported";
  }
  return null;
}

/** Every choice a user could reach, roughly: each model × mode × duration × camera × sound × cfg. */
function* everyChoice(rules) {
  const axesSets = [setAxis(rules, "zoom", 5), setAxis(rules, "pan", -10), rules.camera_axes.reduce((a, x) => ({ ...a, [x]: 0 }), {})];
  for (const model of [...rules.models.map((m) => m.name), "kling-nope"]) {
    for (const mode of [...rules.limits.modes, "4k"]) {
      for (const duration of [...rules.limits.durations, "7"]) {
        for (const camera of [...cameraChoices(rules), "orbit"]) {
          for (const sound of [false, true]) {
            for (const cfg_set of [false, true]) {
              for (const axes of axesSets) {
                yield { model_name: model, mode, duration, aspect_ratio: "9:16", negative_prompt: "text", cfg_scale: 0.8, cfg_set, camera, axes, sound };
              }
            }
          }
        }
      }
    }
  }
}

test("the default choice is the table's default row and sends exactly it", () => {
  const choice = defaultChoice(RULES);
  assert.deepEqual(requestFields(RULES, choice), { model_name: "kling-v2-5-turbo", mode: "pro", duration: "5", aspect_ratio: "16:9" });
  assert.equal(refusal(RULES, requestFields(RULES, choice)), null);
  assert.equal(isCustomized(RULES, choice), false);
  assert.equal(optionsProblem(RULES, choice), null);
});

test("whatever the input, a snapped choice is a model × mode × duration the table allows", () => {
  let count = 0;
  for (const input of everyChoice(RULES)) {
    const { choice } = snapChoice(RULES, input);
    const model = findModel(RULES, choice.model_name);
    assert.ok(model, JSON.stringify(input));
    assert.ok(model.modes.includes(choice.mode), `${choice.model_name} ${choice.mode}`);
    assert.ok(model.durations.includes(choice.duration), `${choice.model_name} ${choice.duration}`);
    assert.ok(RULES.limits.aspect_ratios.includes(choice.aspect_ratio));
    count += 1;
  }
  assert.ok(count > 1000, `only ${count} choices`);
});

test("the form cannot produce a request the rules table refuses", () => {
  for (const input of everyChoice(RULES)) {
    const { choice } = snapChoice(RULES, input);
    const fields = requestFields(RULES, choice);
    const problem = optionsProblem(RULES, choice);
    if (problem) {
      // Generate is disabled: the only reasons are an over-long negative prompt or a custom camera without a move.
      assert.ok(["negative_prompt", "camera_control"].includes(problem.field));
      continue;
    }
    assert.equal(refusal(RULES, { prompt: "x", ...fields }), null, `${JSON.stringify(input)} → ${JSON.stringify(fields)}`);
    assert.equal(typeof fields.duration, "string", "duration is sent as a string");
  }
});

test("mode snaps to the first allowed, duration to the default; the note says what changed", () => {
  const start = { ...defaultChoice(RULES), model_name: "kling-v1", mode: "std", camera: "down_back" };
  assert.equal(snapChoice(RULES, start).changes.length, 0, "kling-v1 std 5 s allows a camera preset");
  const { choice, changes } = snapChoice(RULES, { ...start, model_name: "kling-v2-5-turbo" });
  assert.equal(choice.mode, "pro");
  assert.equal(choice.camera, CAMERA_AUTO);
  assert.deepEqual(changes, [{ field: "mode", value: "pro" }, { field: "camera_control", value: CAMERA_AUTO }]);
  assert.equal(changesText(RULES, changes, t, choice.model_name),
    "Adjusted for Kling 2.5 Turbo: Quality → Pro, Camera movement → Automatic.");
  assert.equal(changesText(RULES, changes, tde, choice.model_name),
    "Für Kling 2.5 Turbo angepasst: Qualität → Pro, Kamerabewegung → Automatisch.");
  assert.equal(changesText(RULES, [], t), "");

  const odd = snapChoice(RULES, { ...defaultChoice(RULES), duration: "7", aspect_ratio: "21:9" });
  assert.equal(odd.choice.duration, "5");
  assert.equal(odd.choice.aspect_ratio, "16:9");
  const unknown = snapChoice(RULES, { ...defaultChoice(RULES), model_name: "kling-v9" });
  assert.equal(unknown.choice.model_name, RULES.default_model);
});

test("a duration the model does not offer snaps to the model's own default from the table", () => {
  const longOnly = { ...RULES.models[0], name: "long-only", label: "Long", durations: ["10"], default_duration: "10" };
  const rules = { ...RULES, models: [...RULES.models, longOnly] };
  const { choice, changes } = snapChoice(rules, { ...defaultChoice(rules), model_name: "long-only", duration: "5" });
  assert.equal(choice.duration, "10");
  assert.deepEqual(changes, [{ field: "duration", value: "10" }]);
  const view = analyze(rules, choice);
  assert.deepEqual(view.durations, [{ value: "5", enabled: false }, { value: "10", enabled: true }]);
  assert.equal(reasonText(rules, view.durationReason, t), "Long only offers 10\u00a0s.");
});

test("camera movement only on kling-v1, Standard, 5 s; elsewhere disabled with the reason from the data", () => {
  for (const model of RULES.models) {
    for (const mode of model.modes) {
      for (const duration of model.durations) {
        const choice = { ...defaultChoice(RULES), model_name: model.name, mode, duration };
        const allowed = model.name === "kling-v1" && mode === "std" && duration === "5";
        assert.equal(cameraAllowed(RULES, choice), allowed, `${model.name} ${mode} ${duration}`);
        const view = analyze(RULES, choice);
        assert.equal(view.camera.enabled, allowed);
        if (!allowed) assert.equal(reasonText(RULES, view.camera.reason, t), "Camera movement needs Kling 1, Standard, 5\u00a0s.");
        const snapped = snapChoice(RULES, { ...choice, camera: "forward_up" }).choice;
        assert.equal(snapped.camera, allowed ? "forward_up" : CAMERA_AUTO);
      }
    }
  }
  assert.equal(reasonText(RULES, analyze(RULES, { ...defaultChoice(RULES), model_name: "kling-v1", mode: "pro" }).camera.reason, tde),
    "Kamerabewegung geht nur mit Kling 1, Standard, 5\u00a0s.");
  assert.deepEqual(cameraChoices(RULES), ["auto", "down_back", "forward_up", "right_turn_forward", "left_turn_forward", "simple"]);
});

test("camera requests: nothing for Automatic, {type} for presets, all six axes for custom", () => {
  const v1 = { ...defaultChoice(RULES), model_name: "kling-v1", mode: "std", duration: "5" };
  assert.equal(requestFields(RULES, v1).camera_control, undefined);
  assert.deepEqual(requestFields(RULES, { ...v1, camera: "left_turn_forward" }).camera_control, { type: "left_turn_forward" });
  const custom = { ...v1, camera: CAMERA_CUSTOM, axes: setAxis(RULES, "zoom", 5) };
  assert.deepEqual(requestFields(RULES, custom).camera_control,
    { type: "simple", config: { horizontal: 0, vertical: 0, pan: 0, tilt: 0, roll: 0, zoom: 5 } });
});

test("moving one axis resets the other five; values stay in range and on the 0.5 step", () => {
  assert.deepEqual(setAxis(RULES, "pan", -3.3), { horizontal: 0, vertical: 0, pan: -3.5, tilt: 0, roll: 0, zoom: 0 });
  assert.equal(setAxis(RULES, "tilt", 99).tilt, 10);
  assert.equal(setAxis(RULES, "tilt", -99).tilt, -10);
  assert.equal(setAxis(RULES, "roll", Number.NaN).roll, 0);
  // Two moved axes (from old data) keep only the larger one.
  const { choice } = snapChoice(RULES, { ...defaultChoice(RULES), model_name: "kling-v1", mode: "std", camera: "simple", axes: { pan: 2, zoom: -6 } });
  assert.deepEqual(choice.axes, { horizontal: 0, vertical: 0, pan: 0, tilt: 0, roll: 0, zoom: -6 });
});

test("custom camera with every axis at 0 keeps Generate disabled with a reason", () => {
  const choice = { ...defaultChoice(RULES), model_name: "kling-v1", mode: "std", duration: "5", camera: CAMERA_CUSTOM };
  const problem = optionsProblem(RULES, choice);
  assert.equal(problem.field, "camera_control");
  assert.equal(reasonText(RULES, problem, t), "Move one camera slider, or choose Automatic.");
  assert.equal(optionsProblem(RULES, { ...choice, axes: setAxis(RULES, "vertical", 1) }), null);
});

test("cfg_scale only for the Kling 1 models, and only once the slider was moved", () => {
  for (const model of RULES.models) {
    const choice = snapChoice(RULES, { ...defaultChoice(RULES), model_name: model.name, cfg_scale: 0.75, cfg_set: true }).choice;
    const fields = requestFields(RULES, choice);
    const v1 = model.name.startsWith("kling-v1");
    assert.equal(analyze(RULES, choice).cfg.shown, v1, model.name);
    assert.equal(fields.cfg_scale, v1 ? 0.75 : undefined, model.name);
    if (!v1) assert.match(reasonText(RULES, analyze(RULES, choice).cfg.note, t), new RegExp(`^${model.label} finds this balance`));
  }
  const untouched = { ...defaultChoice(RULES), model_name: "kling-v1", mode: "std" };
  assert.equal("cfg_scale" in requestFields(RULES, untouched), false, "the default is left out");
  assert.equal(requestFields(RULES, { ...untouched, cfg_scale: 0.15000000000000002, cfg_set: true }).cfg_scale, 0.15);
  assert.equal(requestFields(RULES, { ...untouched, cfg_scale: 0, cfg_set: true }).cfg_scale, 0, "0 is a value, not nothing");
  const dropped = snapChoice(RULES, { ...untouched, cfg_set: true, model_name: "kling-v3" });
  assert.deepEqual(dropped.changes, [{ field: "cfg_scale", value: null }]);
  assert.equal(changesText(RULES, dropped.changes, t, "kling-v3"), "Adjusted for Kling 3: Creativity → not used.");
});

test("sound: only where the model has it, Pro only on Kling 2.6, off by default", () => {
  const v26 = findModel(RULES, "kling-v2-6");
  assert.equal(soundAllowed(v26, "pro"), true);
  assert.equal(soundAllowed(v26, "std"), false);
  assert.equal(soundAllowed(findModel(RULES, "kling-v3"), "std"), true);
  assert.equal(soundAllowed(findModel(RULES, "kling-v1"), "pro"), false);

  const std = analyze(RULES, { ...defaultChoice(RULES), model_name: "kling-v2-6", mode: "std" });
  assert.deepEqual([std.sound.shown, std.sound.enabled], [true, false]);
  assert.equal(reasonText(RULES, std.sound.reason, t), "Sound needs Pro on Kling 2.6.");
  assert.equal(analyze(RULES, defaultChoice(RULES)).sound.shown, false);

  const on = { ...defaultChoice(RULES), model_name: "kling-v2-6", mode: "pro", sound: true };
  assert.equal(requestFields(RULES, on).sound, "on");
  assert.equal("sound" in requestFields(RULES, { ...on, sound: false }), false);
  const switched = snapChoice(RULES, { ...on, mode: "std" });
  assert.equal(switched.choice.sound, false);
  assert.deepEqual(switched.changes, [{ field: "sound", value: false }]);
});

test("mode and duration buttons: only allowed values enabled, with a one-line reason", () => {
  const view = analyze(RULES, defaultChoice(RULES));
  assert.deepEqual(view.modes, [{ value: "std", enabled: false }, { value: "pro", enabled: true }]);
  assert.equal(reasonText(RULES, view.modeReason, t), "Kling 2.5 Turbo only offers Pro.");
  assert.equal(reasonText(RULES, view.modeReason, tde), "Kling 2.5 Turbo gibt es nur in Pro.");
  assert.equal(view.durationReason, null);
  assert.equal(analyze(RULES, { ...defaultChoice(RULES), model_name: "kling-v1", mode: "std" }).modeReason, null);
});

test("the negative prompt counts like the prompt and is sent only when not blank", () => {
  const base = defaultChoice(RULES);
  assert.equal("negative_prompt" in requestFields(RULES, { ...base, negative_prompt: "  \n " }), false);
  assert.equal(requestFields(RULES, { ...base, negative_prompt: "  text, watermark " }).negative_prompt, "text, watermark");
  // 200 decomposed umlauts are 200 characters, not 400.
  assert.equal(optionsProblem(RULES, { ...base, negative_prompt: "u\u0308".repeat(200) }), null);
  const over = optionsProblem(RULES, { ...base, negative_prompt: "x".repeat(203) });
  assert.equal(over.field, "negative_prompt");
  assert.equal(reasonText(RULES, over, t), "Too long by 3 characters. Shorten what to avoid to generate.");
  assert.equal(analyze(RULES, { ...base, negative_prompt: "x".repeat(190) }).negative.count, 190);
});

test("prices: model, duration and mode; a row without a mode fits every mode; unknown stays unknown", () => {
  const at = (model_name, mode, duration) => priceCents(RULES, { model_name, mode, duration });
  assert.equal(at("kling-v2-5-turbo", "pro", "5"), 33);
  assert.equal(at("kling-v2-5-turbo", "pro", "10"), 66);
  assert.equal(at("kling-v1", "std", "5"), 13);
  assert.equal(at("kling-v1", "pro", "10"), 92);
  assert.equal(at("kling-v2-master", "std", "10"), 264);
  assert.equal(at("kling-v2-master", "pro", "5"), 132);
  assert.equal(at("kling-v3", "pro", "5"), null);
  assert.equal(at("kling-v2-6", "std", "5"), null);
  assert.equal(at("kling-v2-5-turbo", "std", "5"), null, "no std row for 2.5 Turbo");
});

test("the cost line is in the UI language, with the price list's month", () => {
  assert.equal(costText(RULES, defaultChoice(RULES), t, "en"), "≈ $0.33 · prices as of Dec 2025");
  assert.match(costText(RULES, defaultChoice(RULES), tde, "de"), /^≈ 0,33\s\$ · Preise Stand Dez\.? 2025$/);
  assert.equal(costText(RULES, { ...defaultChoice(RULES), model_name: "kling-v3" }, t, "en"), "Price unknown for this model");
  assert.equal(costText(RULES, { ...defaultChoice(RULES), model_name: "kling-v3" }, tde, "de"), "Preis für dieses Modell unbekannt");
  // Core's estimate: takes multiply; a price of the user's own says so; unknown stays unknown.
  const estimate = (takes, total_cents, source) => ({ takes, total_cents, source, prices_as_of: "2025-12" });
  assert.equal(estimateText(estimate(1, 33, "shipped"), t, "en"), "≈ $0.33 · prices as of Dec 2025");
  assert.equal(estimateText(estimate(4, 132, "shipped"), t, "en"), "4 takes ≈ $1.32 · prices as of Dec 2025");
  assert.match(estimateText(estimate(4, 132, "shipped"), tde, "de"), /^4 Varianten ≈ 1,32\s\$ · Preise Stand Dez\.? 2025$/);
  assert.equal(estimateText(estimate(3, null, null), t, "en"), "3 takes · price unknown for this model");
  assert.equal(estimateText(estimate(1, null, null), t, "en"), "Price unknown for this model");
  assert.equal(estimateText(estimate(1, 50, "user"), t, "en"), "≈ $0.50 · your price");
  assert.equal(estimateText(estimate(2, 100, "user"), t, "en"), "2 takes ≈ $1.00 · your price");
  assert.equal(formatPrice(264, "en"), "$2.64");
  assert.equal(formatMonth("2026-01", "en"), "Jan 2026");
  assert.equal(formatMonth("soon", "en"), "soon");
});

test("the summary line says what the plain path will make", () => {
  assert.equal(summaryText(RULES, defaultChoice(RULES), t), "16:9 · 5\u00a0s · Pro · Kling 2.5 Turbo");
  const v1 = { ...defaultChoice(RULES), model_name: "kling-v1", mode: "std", aspect_ratio: "9:16", camera: "down_back" };
  assert.equal(summaryText(RULES, v1, t), "9:16 · 5\u00a0s · Standard · Kling 1 · Down and back");
  assert.equal(summaryText(RULES, { ...defaultChoice(RULES), model_name: "kling-v3", sound: true, duration: "10" }, tde),
    "16:9 · 10\u00a0s · Pro · Kling 3 · Ton");
});

test("reuse: request → form → request gives the same fields", () => {
  const requests = [
    { prompt: "a", model_name: "kling-v2-5-turbo", mode: "pro", duration: "5", aspect_ratio: "16:9" },
    { prompt: "b", model_name: "kling-v1", mode: "std", duration: "5", aspect_ratio: "9:16", negative_prompt: "text, watermark", cfg_scale: 0.7,
      camera_control: { type: "simple", config: { horizontal: 0, vertical: 0, pan: -4, tilt: 0, roll: 0, zoom: 0 } } },
    { prompt: "c", model_name: "kling-v1", mode: "std", duration: "5", aspect_ratio: "1:1", camera_control: { type: "forward_up" }, cfg_scale: 0 },
    { prompt: "d", model_name: "kling-v1-6", mode: "pro", duration: "10", aspect_ratio: "2:3", cfg_scale: 0.35 },
    { prompt: "e", model_name: "kling-v2-6", mode: "pro", duration: "10", aspect_ratio: "3:2", sound: "on" },
    { prompt: "f", model_name: "kling-v3", mode: "std", duration: "5", aspect_ratio: "4:3", sound: "on", negative_prompt: "blur" },
    { prompt: "g", model_name: "kling-v2-master", mode: "std", duration: "10", aspect_ratio: "3:4" },
  ];
  for (const request of requests) {
    const { choice, changes } = choiceFromRequest(RULES, request);
    assert.deepEqual(changes, [], request.prompt);
    const { prompt, ...options } = request;
    assert.deepEqual(requestFields(RULES, choice), options, prompt);
    assert.equal(isCustomized(RULES, choice), prompt !== "a", prompt);
  }
});

test("reuse of a request today's rules refuse snaps it and says what changed", () => {
  const { choice, changes } = choiceFromRequest(RULES, { prompt: "x", model_name: "kling-v2-5-turbo", mode: "std", duration: "5", aspect_ratio: "16:9", cfg_scale: 0.5, sound: "on" });
  assert.equal(choice.mode, "pro");
  assert.deepEqual(changes.map((c) => c.field), ["mode", "cfg_scale", "sound"]);
  assert.equal(refusal(RULES, requestFields(RULES, choice)), null);
  const bare = choiceFromRequest(RULES, { prompt: "only a prompt" });
  assert.deepEqual(bare.changes, []);
  assert.deepEqual(requestFields(RULES, bare.choice), requestFields(RULES, defaultChoice(RULES)));
  const noMode = choiceFromRequest(RULES, { prompt: "x", model_name: "kling-v1" });
  assert.equal(noMode.choice.mode, "std", "like the validator: the default mode when the model has it");
});

test("every text the options module asks for exists in both catalogs", () => {
  const de = load("de");
  const keys = [
    ...cameraChoices(RULES).flatMap((c) => [`options.camera.${c}.label`, `options.camera.${c}.hint`]),
    ...RULES.camera_axes.flatMap((a) => [`options.axis.${a}.label`, `options.axis.${a}.neg`, `options.axis.${a}.pos`]),
    ...RULES.limits.modes.flatMap((m) => [`options.mode.${m}.label`, `options.mode.${m}.hint`]),
    ...RULES.limits.durations.map((d) => `options.duration_hint.${d}`),
    ...["landscape", "portrait", "square"].map((s) => `options.shape.${s}`),
    ...["prompt", "negative_prompt", "model_name", "mode", "duration", "aspect_ratio", "cfg_scale", "camera_control", "sound"].map((f) => `options.field.${f}`),
    "options.only_offers_modes", "options.only_offers_durations", "options.camera_needs", "options.camera_unavailable",
    "options.sound_needs", "options.cfg_not_used", "options.negative_too_long", "options.camera_pick_axis",
  ];
  for (const key of keys) {
    assert.equal(typeof lookup(enCatalog, key), "string", `en ${key}`);
    assert.equal(typeof lookup(de, key), "string", `de ${key}`);
  }
});

test("ratio shapes", () => {
  assert.equal(ratioShape("16:9"), "landscape");
  assert.equal(ratioShape("2:3"), "portrait");
  assert.equal(ratioShape("1:1"), "square");
});

test("backend validation errors read as one sentence naming the field in words", () => {
  const say = (error, tr = t) => describeError(error, tr, (params, err) => presentError(RULES, params, err, tr));
  const mode = say({ kind: "option_not_allowed", field: "mode", params: { value: "professional", allowed: ["std", "pro"] } });
  assert.equal(mode.text, "Quality: professional isn't possible here. Choose one of: Standard, Pro.");
  assert.equal(mode.field, "mode");
  const ratio = say({ kind: "option_not_allowed", field: "aspect_ratio", params: { value: "21:9", allowed: RULES.limits.aspect_ratios } }, tde);
  assert.equal(ratio.text, "Seitenverhältnis: 21:9 ist hier nicht möglich. Wähle eins davon: 16:9, 9:16, 1:1, 4:3, 3:4, 3:2, 2:3.");
  assert.equal(say({ kind: "camera_not_supported", field: "camera_control", params: { model: "kling-v1", mode: "std", duration: "5" } }).text,
    "Camera movement only works with Kling 1, Standard, 5\u00a0s. Switch to that, or choose Automatic.");
  assert.equal(say({ kind: "cfg_scale_not_supported", field: "cfg_scale", params: { model: "kling-v2-6" } }).text,
    "Kling 2.6 doesn't use the creativity setting. Reset the slider or pick a Kling 1 model.");
  assert.equal(say({ kind: "negative_prompt_too_long", field: "negative_prompt", params: { count: 230, max: 200 } }, tde).text,
    "Der Text unter „Was vermieden werden soll“ hat 230 Zeichen, erlaubt sind 200. Bitte kürze ihn.");
  assert.equal(say({ kind: "sound_not_supported", field: "sound", params: { model: "kling-v1", mode: null } }).text,
    "Kling 1 can't add sound with these settings. Turn sound off or change the quality.");
  assert.equal(say({ kind: "unknown_model", field: "model_name", params: { model: "kling-v9" } }).text,
    "The model kling-v9 isn't available right now. Pick another one.");
});
