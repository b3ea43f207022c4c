// The pure helpers the views share: aspect ratios, "redraw when the key changed", numbers.
import test from "node:test";
import assert from "node:assert/strict";
import { formatDecimal } from "../../ui/js/format.js";
import { renderOnChange } from "../../ui/js/memo.js";
import { measuredShape, parseRatio } from "../../ui/js/ratio.js";

test("a ratio becomes CSS and a number; anything odd is 16:9", () => {
  assert.deepEqual(parseRatio("16:9"), { css: "16 / 9", value: 16 / 9 });
  assert.deepEqual(parseRatio("9:16"), { css: "9 / 16", value: 9 / 16 });
  assert.deepEqual(parseRatio("1:1"), { css: "1 / 1", value: 1 });
  assert.deepEqual(parseRatio("2.39:1"), { css: "2.39 / 1", value: 2.39 });
  for (const odd of [undefined, null, "", "wide", "16x9", "0:9", "16:0", "-4:3"]) {
    assert.deepEqual(parseRatio(odd), { css: "16 / 9", value: 16 / 9 }, String(odd));
  }
});

test("a measured poster or video keeps the shape it is close to and replaces one it is not", () => {
  const wide = parseRatio("16:9");
  assert.equal(measuredShape(640, 360, wide), wide, "the same shape is the same object");
  assert.equal(measuredShape(640, 361, wide), wide, "a rounded pixel is still the same shape");
  assert.deepEqual(measuredShape(360, 640, wide), { value: 360 / 640, css: "360 / 640" });
  assert.deepEqual(measuredShape(400, 300, null), { value: 4 / 3, css: "400 / 300" });
  assert.equal(measuredShape(0, 360, wide), null, "no size yet");
  assert.equal(measuredShape(640, undefined, wide), null);
});

test("renderOnChange renders the first time, then only when the key changes or after reset", () => {
  const calls = [];
  const draw = renderOnChange((...args) => calls.push(args));
  assert.equal(draw.run("a", 1, 2), true);
  assert.equal(draw.run("a", 3), false);
  assert.equal(draw.run("b", 4), true);
  assert.equal(draw.run("b", 5), false);
  draw.reset();
  assert.equal(draw.run("b", 6), true);
  assert.deepEqual(calls, [[1, 2], [4], [6]]);
  const empty = renderOnChange(() => calls.push("empty"));
  assert.equal(empty.run(null), true, "any first key renders, null too");
  assert.equal(empty.run(null), false);
});

test("decimals as the language writes them, at most one place", () => {
  assert.equal(formatDecimal(5, "en"), "5");
  assert.equal(formatDecimal(7.5, "en"), "7.5");
  assert.equal(formatDecimal(7.5, "de"), "7,5");
  assert.equal(formatDecimal("10", "de"), "10");
  assert.equal(formatDecimal(2.25, "en"), "2.3");
  assert.equal(formatDecimal("abc", "en"), "abc", "not a number: as it is");
  // Numbers (written without Intl below a thousand) read as the language writes them: whole,
  // with decimals, rounded at a half (exact halves and the doubles just beside them), negative.
  const values = [0, 1, 5, 10, 15, 999, 1000, 12345, -3, 5.041, 4.96, 0.05, 0.25, -0.25, 1.45, 1.005, 2.35, 999.94, 999.96, -999.95, -0.04, -0, 0.005, 0.0999, 0.95, 9.95, 99.95, 12345.67];
  for (let i = -20000; i <= 20000; i += 7) values.push(i / 20, i / 100 + 0.05, i * 0.0333);
  for (const [lang, locale] of [["en", "en-US"], ["de", "de-DE"]]) {
    const intl = new Intl.NumberFormat(locale, { maximumFractionDigits: 1 });
    for (const value of values) assert.equal(formatDecimal(value, lang), intl.format(value), `${lang} ${value}`);
  }
});
