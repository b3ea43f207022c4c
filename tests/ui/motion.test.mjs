// Reduced motion: with the system's "reduce motion" on, nothing in the window moves by itself.
import test from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { readScript, scriptFiles } from "./scripts.mjs";

const css = readFileSync(new URL("../../ui/css/app.css", import.meta.url), "utf8");

/** The bodies of every `@media (prefers-reduced-motion: reduce) { … }` block, braces balanced. */
function reducedMotionBlocks() {
  const blocks = [];
  for (const match of css.matchAll(/@media\s*\(\s*prefers-reduced-motion:\s*reduce\s*\)\s*\{/g)) {
    let depth = 1;
    let at = match.index + match[0].length;
    const start = at;
    while (depth > 0 && at < css.length) {
      if (css[at] === "{") depth += 1;
      if (css[at] === "}") depth -= 1;
      at += 1;
    }
    blocks.push(css.slice(start, at - 1));
  }
  return blocks;
}

test("the stylesheet moves things, and reduced motion stops every transition and animation", () => {
  assert.match(css, /\btransition\s*:/, "there is something to stop");
  assert.match(css, /\banimation\s*:/, "there is something to stop");
  const everything = reducedMotionBlocks()
    .flatMap((block) => [...block.matchAll(/([^{}]+)\{([^{}]*)\}/g)])
    .filter(([, selectors]) => selectors.split(",").map((s) => s.trim()).includes("*"))
    .map(([, , declarations]) => declarations);
  assert.equal(everything.length, 1, "one rule for every element under prefers-reduced-motion: reduce");
  for (const property of ["animation", "transition"]) {
    assert.match(everything[0], new RegExp(`(^|[\\s;])${property}\\s*:\\s*none\\s*!important`), property);
  }
  assert.match(everything[0], /scroll-behavior\s*:\s*auto\s*!important/);
});

test("a script that scrolls smoothly asks for reduced motion first", () => {
  const smooth = scriptFiles().filter((file) => /behavior:[^,}]*"smooth"/.test(readScript(file)));
  assert.ok(smooth.length > 0, "the composer scrolls smoothly to itself");
  for (const file of smooth) assert.match(readScript(file), /prefers-reduced-motion: reduce/, file);
});
