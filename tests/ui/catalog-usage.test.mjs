import test from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { lookup } from "../../ui/js/i18n.js";
import { readScript, scriptFiles } from "./scripts.mjs";

const ui = new URL("../../ui/", import.meta.url);
const en = JSON.parse(readFileSync(new URL("i18n/en.json", ui), "utf8"));

test("every key the markup and the scripts name exists in the catalog", () => {
  const used = new Set();
  const html = readFileSync(new URL("index.html", ui), "utf8");
  for (const m of html.matchAll(/data-i18n(?:-[a-z-]+)?="([^"]+)"/g)) used.add(m[1]);
  for (const file of scriptFiles()) {
    const source = readScript(file);
    for (const m of source.matchAll(/\bt\(\s*"([a-z_]+(?:\.[a-z0-9_]+)+)"/g)) used.add(m[1]);
  }
  assert.ok(used.size > 40, `found only ${used.size} keys`);
  for (const key of used) assert.equal(typeof lookup(en, key), "string", key);
});

test("the page's markup loads nothing from outside and writes no script or style of its own", () => {
  // The build writes the joined script and the stylesheet into the page (src-tauri/ui-bundle),
  // which Tauri's content security policy allows by hash and nonce; the markup itself has none.
  const html = readFileSync(new URL("index.html", ui), "utf8");
  assert.doesNotMatch(html, /https?:\/\//i, "no remote URLs in the markup");
  assert.doesNotMatch(html, /\sstyle=/i, "no style attributes");
  assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)[^>]*>/i, "no inline scripts");
  assert.doesNotMatch(html, /\son[a-z]+=/i, "no inline event handlers");
  const css = readFileSync(new URL("css/app.css", ui), "utf8");
  assert.doesNotMatch(css, /url\(|@import|@font-face/i, "the stylesheet loads nothing");
});

test("only backend.js touches window.__TAURI__", () => {
  for (const file of scriptFiles()) {
    if (file === "backend.js") continue;
    const source = readScript(file);
    assert.doesNotMatch(source, /__TAURI__/, file);
  }
});
