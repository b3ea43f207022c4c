import test from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createTranslator, flattenKeys, interpolate, lookup, pickLanguage } from "../../ui/js/i18n.js";
import { STATES } from "../../ui/js/status.js";

const load = (lang) => JSON.parse(readFileSync(new URL(`../../ui/i18n/${lang}.json`, import.meta.url), "utf8"));
const en = load("en");
const de = load("de");

const ERROR_KINDS = {
  key_missing: [], key_empty: [], key_rejected: [], keychain_unavailable: [], network: [], timeout: [],
  server_error: [], rate_limited: [], concurrency_limit: [], account_problem: [], balance_used_up: [],
  no_access: [], invalid_request: ["detail"], unknown_model: ["model"], policy_refused: [],
  bad_gateway_config: [], unexpected_response: [], task_not_found: [], task_failed: ["reason"],
  no_video: [], result_expired: [], download_failed: [], storage: [], disk_full: [], prompt_empty: [],
  prompt_too_long: ["count", "max"], internal: [],
  negative_prompt_too_long: ["count", "max"], option_not_allowed: ["field", "value", "allowed"],
  cfg_scale_not_supported: ["model"], cfg_scale_out_of_range: ["min", "max"],
  camera_not_supported: ["model", "mode", "duration"], camera_type_unknown: ["value"], camera_config_missing: [],
  camera_config_not_allowed: [], camera_axis_out_of_range: ["min", "max"], camera_one_axis: [],
  sound_not_supported: ["model"], submission_unsettled: [], discarded: [], cancelled: [], library_set_aside: [],
  offline: [], action_not_available: [], callback_port_in_use: ["port"], poster_invalid: [],
  coach_model_unavailable: ["model"], coach_rate_limited: [], coach_timeout: [], coach_unavailable: [],
  coach_empty_answer: [], snippet_empty: [], snippet_too_long: ["max", "length"], snippet_name_empty: [],
  snippet_name_too_long: ["max", "length"], snippet_unknown: [], snippet_over_limit: ["over", "max"],
  image_missing: [], image_unreadable: ["formats"], image_too_large: ["mb", "max_mb"], image_too_small: ["width", "height", "min"],
  image_ratio_out_of_range: ["width", "height"], image_file_missing: [], image_not_supported: ["model"],
  image_tail_not_supported: ["model", "modes"], image_tail_with_camera: [], input_not_for_kind: [], parent_missing: [],
  parent_not_ready: [], parent_not_extendable: ["model"], parent_too_old: ["days"], extend_too_long: ["seconds", "max"],
};

test("both catalogs have exactly the same keys", () => {
  assert.deepEqual(flattenKeys(de), flattenKeys(en));
});

test("every text is a non-empty string in both catalogs", () => {
  for (const [name, catalog] of [["en", en], ["de", de]]) {
    for (const key of flattenKeys(catalog)) {
      const value = lookup(catalog, key);
      assert.equal(typeof value, "string", `${name}: ${key}`);
      assert.ok(value.trim().length > 0, `${name}: ${key} is empty`);
    }
  }
});

test("both catalogs use the same placeholders for every key", () => {
  const names = (text) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
  for (const key of flattenKeys(en)) {
    assert.deepEqual(names(lookup(de, key)), names(lookup(en, key)), key);
  }
});

test("every state has a label and a hint in both languages", () => {
  for (const state of STATES) {
    for (const [name, catalog] of [["en", en], ["de", de]]) {
      assert.equal(typeof lookup(catalog, `status.${state}.label`), "string", `${name} ${state} label`);
      assert.equal(typeof lookup(catalog, `status.${state}.hint`), "string", `${name} ${state} hint`);
    }
  }
});

test("every error kind has a message in both languages, with its parameters", () => {
  for (const [kind, params] of Object.entries(ERROR_KINDS)) {
    for (const [name, catalog] of [["en", en], ["de", de]]) {
      const text = lookup(catalog, `error.${kind}`);
      assert.equal(typeof text, "string", `${name}: error.${kind}`);
      for (const param of params) assert.ok(text.includes(`{${param}}`), `${name}: error.${kind} lacks {${param}}`);
    }
  }
  assert.equal(typeof lookup(en, "error.generic"), "string");
});

test("German texts are really German", () => {
  assert.notEqual(lookup(de, "composer.generate"), lookup(en, "composer.generate"));
  assert.notEqual(lookup(de, "status.processing.hint"), lookup(en, "status.processing.hint"));
});

test("interpolate replaces known placeholders and leaves unknown ones", () => {
  assert.equal(interpolate("{count} / {max}", { count: 12, max: 500 }), "12 / 500");
  assert.equal(interpolate("ends in {last4}", {}), "ends in {last4}");
  assert.equal(interpolate("a {x} b", { x: 0 }), "a 0 b");
  assert.equal(interpolate("no params"), "no params");
  assert.equal(interpolate("{a}{a}", { a: "z" }), "zz");
});

test("an array parameter renders as a comma list", () => {
  assert.equal(interpolate("one of: {allowed}", { allowed: ["std", "pro"] }), "one of: std, pro");
  assert.equal(interpolate("{allowed}", { allowed: ["16:9"] }), "16:9");
  assert.equal(interpolate("{allowed}", { allowed: [] }), "");
});

test("the translator falls back to English, then to the key", () => {
  const t = createTranslator({ a: { b: "Hallo {name}" } }, { a: { b: "Hello {name}", c: "Only English" } });
  assert.equal(t("a.b", { name: "Eva" }), "Hallo Eva");
  assert.equal(t("a.c"), "Only English");
  assert.equal(t("a.missing"), "a.missing");
  assert.equal(t("a"), "a", "an object is not a text");
  assert.equal(t.has("a.c"), true);
  assert.equal(t.has("a.missing"), false);
});

test("the real catalogs interpolate error parameters", () => {
  const t = createTranslator(en, en);
  assert.equal(t("error.prompt_too_long", { count: 612, max: 500 }),
    "The prompt has 612 characters; the limit is 500. Please shorten it.");
  const tde = createTranslator(de, en);
  assert.match(tde("error.prompt_too_long", { count: 612, max: 500 }), /612 Zeichen.*500/);
});

test("language: the setting wins, else the system locale, else English", () => {
  assert.equal(pickLanguage("de", "en-US"), "de");
  assert.equal(pickLanguage("en", "de-DE"), "en");
  assert.equal(pickLanguage(null, "de-AT"), "de");
  assert.equal(pickLanguage(null, "DE"), "de");
  assert.equal(pickLanguage(null, "en-GB"), "en");
  assert.equal(pickLanguage(null, "fr-FR"), "en");
  assert.equal(pickLanguage("xx", undefined), "en");
});
