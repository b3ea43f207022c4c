import test from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createTranslator } from "../../ui/js/i18n.js";
import { FINAL_STATES, isFinished, isSlow, showsError, SLOW_AFTER_MS, STATES, statusText, statusTone } from "../../ui/js/status.js";
import { describeError, toAppError } from "../../ui/js/errors.js";

const en = JSON.parse(readFileSync(new URL("../../ui/i18n/en.json", import.meta.url), "utf8"));
const t = createTranslator(en, en);

test("the state list matches the design table", () => {
  assert.deepEqual(STATES, ["queued", "submitting", "needs_check", "submitted", "processing", "downloading", "ready", "failed", "expired"]);
});

test("only ready, failed and expired are finished", () => {
  assert.deepEqual(STATES.filter(isFinished), ["ready", "failed", "expired"]);
  assert.deepEqual(FINAL_STATES, STATES.filter(isFinished));
  assert.ok(Object.isFrozen(FINAL_STATES));
});

test("failed, expired and needs_check show their reason", () => {
  assert.deepEqual(STATES.filter(showsError), ["needs_check", "failed", "expired"]);
});

test("status maps to label, hint and tone", () => {
  assert.deepEqual(statusText("processing", t), { label: "Making", hint: "Kling is making your video", tone: "active" });
  assert.equal(statusTone("ready"), "ok");
  assert.equal(statusTone("failed"), "bad");
  assert.equal(statusText("something_new", t).label, "Unknown");
});

test("a long-running unfinished generation is slow; finished or waiting for the user is not", () => {
  const created_at = 1_000_000;
  const later = created_at + SLOW_AFTER_MS + 1;
  assert.equal(isSlow({ status: "processing", created_at }, later), true);
  assert.equal(isSlow({ status: "processing", created_at }, created_at + 1000), false);
  assert.equal(isSlow({ status: "ready", created_at }, later), false);
  assert.equal(isSlow({ status: "needs_check", created_at }, later), false);
});

test("errors: known kinds get their text, unknown kinds the generic one with the kind as code", () => {
  const known = describeError({ kind: "unknown_model", field: null, params: { model: "kling-x" } }, t);
  assert.equal(known.text, "The model kling-x isn't available right now. Pick another one.");
  assert.equal(known.code, null);
  const unknown = describeError({ kind: "brand_new", field: null, params: {} }, t);
  assert.equal(unknown.text, "Something went wrong. Please try again.");
  assert.equal(unknown.code, "brand_new");
});

test("whatever invoke rejects with becomes {kind, field, params}", () => {
  assert.deepEqual(toAppError({ kind: "prompt_empty", field: "prompt" }), { kind: "prompt_empty", field: "prompt", params: {} });
  assert.deepEqual(toAppError("command generate not found"), { kind: "internal", field: null, params: { detail: "command generate not found" } });
  assert.equal(toAppError(new Error("boom")).params.detail, "boom");
  assert.equal(toAppError(undefined).kind, "internal");
});
