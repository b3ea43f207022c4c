import test from "node:test";
import assert from "node:assert/strict";
import { checkPrompt, countChars, counterState, PROMPT_MAX } from "../../ui/js/text.js";

test("the prompt limit is 500", () => {
  assert.equal(PROMPT_MAX, 500);
});

test("a decomposed u + combining diaeresis counts as one character after NFC", () => {
  assert.equal(countChars("u\u0308"), 1);
  assert.equal(countChars("\u00fc"), 1);
  assert.equal(countChars("Mu\u0308nchen"), 7);
});

test("emoji are counted as Unicode scalar values, ZWJ sequences included", () => {
  assert.equal(countChars("😀"), 1);
  // man + ZWJ + woman + ZWJ + girl: five scalar values, one picture
  assert.equal(countChars("👨\u200d👩\u200d👧"), 5);
  // flag = two regional indicators
  assert.equal(countChars("🇩🇪"), 2);
});

test("surrounding whitespace is not counted, inner whitespace is", () => {
  assert.equal(countChars("  a b \n\t"), 3);
  assert.equal(countChars("   "), 0);
  assert.equal(countChars(""), 0);
  assert.equal(countChars(null), 0);
  assert.equal(countChars(undefined), 0);
});

test("counter state: ok below 90 %, warn from 90 % to the limit, over past it", () => {
  assert.equal(counterState(0, 500), "ok");
  assert.equal(counterState(449, 500), "ok");
  assert.equal(counterState(450, 500), "warn");
  assert.equal(counterState(500, 500), "warn");
  assert.equal(counterState(501, 500), "over");
});

test("checkPrompt says why a prompt may not be sent", () => {
  assert.equal(checkPrompt("  \n ").problem, "prompt_empty");
  assert.equal(checkPrompt("a boat").problem, null);
  assert.equal(checkPrompt("x".repeat(500)).problem, null);
  const long = checkPrompt("x".repeat(503));
  assert.equal(long.problem, "prompt_too_long");
  assert.equal(long.count, 503);
  assert.equal(long.over, 3);
  assert.equal(long.state, "over");
  // 500 decomposed ü are 500 characters, not 1000
  assert.equal(checkPrompt("u\u0308".repeat(500)).problem, null);
});
