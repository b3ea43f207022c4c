// How the UI's modules hang together: every import resolves, every module is reachable from
// main.js (index.html loads only that one), no view imports another view (main.js composes them),
// and the set of final states is written once.
import test from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { posix } from "node:path";
import { FINAL_STATES } from "../../ui/js/status.js";
import { JS_DIR, readScript, scriptFiles } from "./scripts.mjs";

/** Views that are one file; a folder under ui/js/ (card/, options-form/) is one view in parts. */
const VIEW_FILES = new Set(["about.js", "composer.js", "gallery.js", "gallery-toolbar.js", "key-form.js", "main.js", "notice.js", "quit-dialog.js",
  "recover-form.js", "settings.js", "detail-view.js", "compare-view.js", "library-place.js", "demo.js", "get-key.js", "spend.js", "rate-card.js",
  "continue-dialog.js"]);

const files = scriptFiles();
const folderOf = (file) => (file.includes("/") ? file.slice(0, file.indexOf("/")) : null);
const isView = (file) => VIEW_FILES.has(file) || folderOf(file) !== null;

const resolve = (file, spec) => posix.normalize(posix.join(posix.dirname(file), spec));

/** file → the ui/js-relative paths it imports (static imports and re-exports). */
const imports = new Map(files.map((file) => {
  const source = readScript(file);
  const targets = [...source.matchAll(/^\s*(?:import|export)\b[^;]*?\bfrom\s*"([^"]+)"|^\s*import\s*"([^"]+)"/gm)]
    .map((m) => m[1] ?? m[2])
    .map((spec) => resolve(file, spec));
  return [file, targets];
}));

/** file → the ui/js-relative paths it loads later (`import("…")`). */
const lazyImports = new Map(files.map((file) => [file, [...readScript(file).matchAll(/\bimport\("([^"]+)"\)/g)].map((m) => resolve(file, m[1]))]));

test("every relative import names a module that exists", () => {
  for (const [file, targets] of [...imports, ...lazyImports]) {
    for (const target of targets) {
      assert.ok(!target.startsWith(".."), `${file} imports ${target}, outside ui/js`);
      assert.ok(existsSync(new URL(target, JS_DIR)), `${file} imports ${target}, which does not exist`);
    }
  }
});

/**
 * Every module main.js imports, directly or not, and main.js itself; with `lazy`, also those it
 * (or they) load later.
 */
function reachableFromMain({ lazy = true } = {}) {
  const seen = new Set();
  const stack = ["main.js"];
  while (stack.length) {
    const file = stack.pop();
    if (seen.has(file)) continue;
    seen.add(file);
    stack.push(...(imports.get(file) ?? []), ...(lazy ? lazyImports.get(file) ?? [] : []));
  }
  return seen;
}

test("every module is reachable from main.js", () => {
  const seen = reachableFromMain();
  assert.deepEqual(files.filter((file) => !seen.has(file)), []);
});

test("a module that looks elements up in the page is listed as a view", () => {
  for (const file of files) {
    if (/\bdocument\.getElementById\(/.test(readScript(file))) assert.ok(isView(file), `${file} reads the page but is not in VIEW_FILES`);
  }
});

test("no view imports another view: main.js composes them, a view's folder composes its own parts", () => {
  const wrong = [];
  for (const [file, targets] of [...imports, ...lazyImports]) {
    if (file === "main.js") continue;
    for (const target of targets) {
      if (!isView(target)) continue;
      const sameFolder = folderOf(file) !== null && folderOf(file) === folderOf(target);
      // A part never imports its folder's entry (index.js), which imports the parts.
      if (sameFolder && !target.endsWith("/index.js")) continue;
      wrong.push(`${file} → ${target}`);
    }
  }
  assert.deepEqual(wrong, []);
});

test("the set of final states is written once, in status.js", () => {
  const finals = new Set(FINAL_STATES);
  const places = [];
  for (const file of files) {
    for (const m of readScript(file).matchAll(/\[([^[\]]*)\]/g)) {
      const names = [...m[1].matchAll(/"([a-z_]+)"/g)].map((s) => s[1]);
      if (names.length === finals.size && names.every((name) => finals.has(name))) places.push(file);
    }
  }
  assert.deepEqual(places, ["status.js"]);
});

test("index.html preloads every module the first screen needs (main.js's static imports), and nothing else", async () => {
  const { readFileSync } = await import("node:fs");
  const html = readFileSync(new URL("../../ui/index.html", import.meta.url), "utf8");
  const preloaded = [...html.matchAll(/<link rel="modulepreload" href="js\/([^"]+)">/g)].map((m) => m[1]).sort();
  const reached = reachableFromMain({ lazy: false });
  reached.delete("main.js");
  assert.deepEqual(preloaded, [...reached].sort());
});
