import test from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { readScript, scriptFiles } from "./scripts.mjs";

const ui = new URL("../../ui/", import.meta.url);
const html = readFileSync(new URL("index.html", ui), "utf8");
const scripts = scriptFiles().map(readScript).join("\n");

test("the page has each stable test id exactly once", () => {
  const ids = ["settings", "about", "about-dialog", "offline", "library-notice", "library-notice-dismiss", "quit-dialog",
    "quit-message", "quit-confirm", "quit-cancel", "save-settings", "api-base", "requests-per-second", "callback-enabled",
    "callback-port", "callback-public-url", "callback-local-url", "callback-copy", "callback-state", "callback-renew",
    "gallery", "generate", "prompt", "language", "theme", "filter-kind", "continue-dialog", "continue-prompt", "continue-go",
    "detail-continue", "lineage"];
  for (const id of ids) {
    const count = html.split(`data-testid="${id}"`).length - 1;
    assert.equal(count, 1, `${id} appears ${count} times`);
  }
});

test("card test ids made by the scripts are still there", () => {
  for (const id of ["generation", "status", "error", "warning", "details", "copy-details", "check-again", "post-again",
    "post-again-confirm", "post-again-cancel", "post-again-warning", "discard", "cancel", "action-error", "delivery",
    "days-left", "reuse", "video", "poster", "play", "progress", "elapsed", "open-video", "show-in-folder", "delete",
    "select-mode", "selection-bar", "delete-selected", "confirm-delete", "undo", "undo-toast", "kind-badge", "continue",
    "continue-left", "start-picture"]) {
    assert.match(scripts, new RegExp(`testid: [^,}]*"${id}"`), id);
  }
});

test("the composer's picture test ids are still there", () => {
  for (const id of ["start-frame", "start-frame-add", "start-frame-image", "start-frame-remove", "end-frame", "end-frame-add",
    "end-frame-remove"]) {
    assert.ok(scripts.includes(`"${id}"`), id);
  }
});

test("the callback explanation and the offline banner say what the brief says", () => {
  const en = JSON.parse(readFileSync(new URL("i18n/en.json", ui), "utf8"));
  assert.equal(en.gallery.offline, "You're offline. Everything is kept, and Kling Desk carries on by itself when the connection is back.");
  assert.match(en.settings.callback_explain, /^Most computers can't be reached from the internet\./);
  assert.equal(en.settings.callback_public_placeholder, "https://your-tunnel.example.com");
});
