// The UI and the Rust validator agree on every combination of model, mode, duration, camera,
// sound and creativity: the form sends a combination unchanged exactly when the validator accepts
// it, whatever it snaps to is accepted, and the price it shows is the Rust table's.
import test from "node:test";
import assert from "node:assert/strict";
import { analyze, CAMERA_AUTO, CAMERA_CUSTOM, priceCents, requestFields, setAxis, snapChoice } from "../../ui/js/options.js";
import { COMBINATIONS, RULES } from "./rules-table.mjs";

function choiceOf(row) {
  return {
    model_name: row.model_name,
    mode: row.mode,
    duration: row.duration,
    aspect_ratio: RULES.limits.default_aspect_ratio,
    negative_prompt: "",
    cfg_scale: RULES.limits.cfg_scale_default,
    cfg_set: row.cfg,
    camera: row.camera,
    axes: row.camera === CAMERA_CUSTOM ? setAxis(RULES, "zoom", 5) : setAxis(RULES, "zoom", 0),
    sound: row.sound,
  };
}

/** The combination a set of request fields stands for, in the rows' terms. */
function combinationOf(fields) {
  return {
    model_name: fields.model_name,
    mode: fields.mode,
    duration: fields.duration,
    camera: fields.camera_control?.type ?? CAMERA_AUTO,
    sound: fields.sound === "on",
    cfg: fields.cfg_scale != null,
  };
}

const key = (c) => [c.model_name, c.mode, c.duration, c.camera, c.sound, c.cfg].join("|");
const verdicts = new Map(COMBINATIONS.map((row) => [key(row), row]));

test("the generated file covers every model and both verdicts", () => {
  assert.equal(new Set(COMBINATIONS.map((row) => row.model_name)).size, RULES.models.length);
  assert.ok(COMBINATIONS.some((row) => row.accepted));
  assert.ok(COMBINATIONS.some((row) => !row.accepted));
});

test("the form sends a combination unchanged exactly when the validator accepts it", () => {
  const disagreements = [];
  for (const row of COMBINATIONS) {
    const { choice, changes } = snapChoice(RULES, choiceOf(row));
    const sent = combinationOf(requestFields(RULES, choice));
    const unchanged = changes.length === 0 && key(sent) === key(row);
    if (unchanged !== row.accepted) disagreements.push({ ...row, sent, changes });
  }
  assert.deepEqual(disagreements, []);
});

test("whatever the form snaps a choice to, the validator accepts", () => {
  for (const row of COMBINATIONS) {
    const { choice } = snapChoice(RULES, choiceOf(row));
    const sent = combinationOf(requestFields(RULES, choice));
    const verdict = verdicts.get(key(sent));
    assert.ok(verdict, `no row for ${key(sent)}`);
    assert.equal(verdict.accepted, true, `${key(row)} snapped to ${key(sent)}, which the validator refuses (${JSON.stringify(verdict.refusal)})`);
    assert.equal(analyze(RULES, choice).problem, null, key(sent));
  }
});

test("an accepted combination is shown with every part of it enabled", () => {
  for (const row of COMBINATIONS.filter((r) => r.accepted)) {
    const view = analyze(RULES, choiceOf(row));
    assert.ok(view.modes.find((m) => m.value === row.mode).enabled, key(row));
    assert.ok(view.durations.find((d) => d.value === row.duration).enabled, key(row));
    if (row.camera !== CAMERA_AUTO) assert.ok(view.camera.enabled, key(row));
    if (row.sound) assert.ok(view.sound.enabled, key(row));
    if (row.cfg) assert.ok(view.cfg.shown, key(row));
  }
});

test("the price shown is the Rust table's, and unknown stays unknown", () => {
  const offered = (row) => {
    const model = RULES.models.find((m) => m.name === row.model_name);
    return model.modes.includes(row.mode) && model.durations.includes(row.duration);
  };
  for (const row of COMBINATIONS.filter(offered)) {
    assert.equal(priceCents(RULES, choiceOf(row)), row.usd_cents, key(row));
  }
});

test("Settings' requests-per-second range is the one core clamps to", async () => {
  const { DEFAULT_REQUESTS_PER_SECOND, REQUESTS_PER_SECOND } = await import("../../ui/js/preferences.js");
  const served = RULES.requests_per_second;
  assert.deepEqual({ ...REQUESTS_PER_SECOND, default: DEFAULT_REQUESTS_PER_SECOND }, served);
});
