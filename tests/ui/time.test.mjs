import test from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createTranslator } from "../../ui/js/i18n.js";
import { elapsedMs, formatElapsed, splitDuration } from "../../ui/js/time.js";

const load = (lang) => JSON.parse(readFileSync(new URL(`../../ui/i18n/${lang}.json`, import.meta.url), "utf8"));
const en = createTranslator(load("en"));
const de = createTranslator(load("de"), load("en"));

test("splitDuration", () => {
  assert.deepEqual(splitDuration(72_000), { h: 0, m: 1, s: 12 });
  assert.deepEqual(splitDuration(3_725_999), { h: 1, m: 2, s: 5 });
  assert.deepEqual(splitDuration(-5), { h: 0, m: 0, s: 0 });
});

test("elapsed time reads like 1 min 12 s", () => {
  assert.equal(formatElapsed(0, en), "0 s");
  assert.equal(formatElapsed(999, en), "0 s");
  assert.equal(formatElapsed(59_000, en), "59 s");
  assert.equal(formatElapsed(60_000, en), "1 min 0 s");
  assert.equal(formatElapsed(72_000, en), "1 min 12 s");
  assert.equal(formatElapsed(2 * 3600_000 + 5 * 60_000 + 30_000, en), "2 h 5 min");
  assert.equal(formatElapsed(72_000, de), "1 Min. 12 s");
});

test("elapsed runs until now, or until finished_at when finished", () => {
  assert.equal(elapsedMs({ created_at: 1000, finished_at: null }, 5000), 4000);
  assert.equal(elapsedMs({ created_at: 1000, finished_at: 3000 }, 9000), 2000);
  assert.equal(elapsedMs({ created_at: 9000, finished_at: null }, 5000), 0, "clock skew never goes negative");
});
