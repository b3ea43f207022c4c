// "Get a key at cometapi.com": the window asks the shell to open the key page and names no
// address; when no browser opens, the welcome panel says where to go by hand, in the user's
// language. The real module on a stand-in DOM and a stand-in bridge.
import test from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createTranslator } from "../../ui/js/i18n.js";
import { FakeElement, installFakeDom } from "./fake-dom.mjs";

const load = (lang) => JSON.parse(readFileSync(new URL(`../../ui/i18n/${lang}.json`, import.meta.url), "utf8"));
const catalogs = { en: load("en"), de: load("de") };

const button = new FakeElement("button");
const errorSlot = new FakeElement("div");
installFakeDom({ "get-key": button, "get-key-error": errorSlot });
/** Every call the window made, and what the shell answers: null, or the Problem it rejects with. */
const calls = [];
let refusal = null;
globalThis.window = {
  __TAURI__: {
    core: {
      invoke: async (command, args) => {
        calls.push([command, args]);
        if (refusal) throw refusal;
        return null;
      },
    },
    event: { listen: async () => () => {} },
  },
};
const { createGetKey } = await import("../../ui/js/get-key.js");

const announced = [];
const ctx = { t: createTranslator(catalogs.en, catalogs.en, "en"), announce: (text) => announced.push(text) };
const getKey = createGetKey(ctx);
const click = async () => {
  button.dispatch("click");
  await new Promise((resolve) => setTimeout(resolve, 0));
};

test("a click asks the shell for the key page and hands it no address", async () => {
  calls.length = 0;
  refusal = null;
  await click();
  assert.deepEqual(calls, [["open_key_page", undefined]]);
  assert.equal(errorSlot.find("error"), null);
  assert.equal(announced.at(-1), catalogs.en.welcome.get_key_opened);
});

test("with no browser, the panel says where to get a key by hand, and says it again in German", async () => {
  refusal = { kind: "open_failed", field: "key_page", params: { detail: "xdg-open: not found" } };
  await click();
  const said = errorSlot.find("error").textContent;
  assert.match(said, /web browser \(xdg-open: not found\)/);
  assert.match(said, /cometapi\.com.*API keys/);
  assert.doesNotMatch(said, /Settings|video/i, "not the message for a video that will not open");

  ctx.t = createTranslator(catalogs.de, catalogs.en, "de");
  getKey.relabel();
  assert.match(errorSlot.find("error").textContent, /Webbrowser.*cometapi\.com/);

  refusal = null;
  await click();
  assert.equal(errorSlot.find("error"), null, "a browser that opens clears the message");
});
