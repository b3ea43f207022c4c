// The key form says what to do where it is: on the welcome panel a refused key is "the key you
// pasted", never "in Settings"; in Settings nothing sends the user to Settings or elsewhere. The
// real form is mounted on a few lines of stand-in DOM and its save is answered by a stand-in bridge.
import test from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createTranslator, flattenKeys, lookup } from "../../ui/js/i18n.js";
import { PLACES } from "../../ui/js/errors.js";
import { FakeElement, installFakeDom } from "./fake-dom.mjs";

const load = (lang) => JSON.parse(readFileSync(new URL(`../../ui/i18n/${lang}.json`, import.meta.url), "utf8"));
const catalogs = { en: load("en"), de: load("de") };
/** How each language names the Settings dialog, that is, a place other than the welcome panel. */
const SETTINGS_WORD = { en: /Settings/, de: /Einstellungen/ };
/** Other places the Settings dialog must not send to: the composer's prompt, options and model. */
const ELSEWHERE = { en: /prompt|option|model\b|Generate|card/i, de: /Prompt|Option|Modell\b|Erstellen|Karte/ };

/** Every kind save_key (and clear_key) can answer with, besides saving an unchecked key. */
const KEY_FORM_KINDS = [
  "key_empty", "key_malformed", "key_rejected", "keychain_unavailable", "account_problem", "balance_used_up",
  "no_access", "invalid_request", "storage", "internal",
];
/** These are about the API address, which lives in Settings, Advanced: the welcome panel rightly sends there. */
const API_ADDRESS_KINDS = ["bad_gateway_config", "unexpected_response"];

installFakeDom();
/** The bridge answers every save_key with `answer`, as Tauri rejects with the command's error. */
let answer = null;
globalThis.window = {
  __TAURI__: {
    core: { invoke: async (command) => { if (command === "save_key") throw answer; return null; } },
    event: { listen: async () => () => {} },
  },
};
const { createKeyForm } = await import("../../ui/js/key-form.js");

/** The text the form shows after a save refused with `kind`, mounted in `place`, in `lang`. */
async function refusal(kind, place, lang) {
  answer = { kind, field: "key", params: { detail: "HTTP 400" } };
  const ctx = {
    t: createTranslator(catalogs[lang], catalogs.en, lang),
    keyStatus: place === "settings" ? { set: true, last4: "1234", storage: "keychain" } : { set: false },
    setKeyStatus() {},
    announce() {},
  };
  const form = createKeyForm(ctx);
  form.mountIn(new FakeElement("div"), place);
  form.element.find("api-key").value = "sk-pasted-key-1234";
  form.element.dispatch("submit");
  await new Promise((resolve) => setTimeout(resolve, 0));
  const box = form.element.find("error");
  assert.ok(box, `${lang} ${place}: no error shown for ${kind}`);
  assert.equal(box.dataset.kind, kind);
  return box.textContent;
}

for (const lang of ["en", "de"]) {
  test(`${lang}: a key refused on the welcome panel is the key just pasted, not one in Settings`, async () => {
    const text = await refusal("key_rejected", "welcome", lang);
    assert.doesNotMatch(text, SETTINGS_WORD[lang]);
    assert.match(text, lang === "en" ? /you pasted/ : /eingefügten/);
    for (const kind of KEY_FORM_KINDS) {
      assert.doesNotMatch(await refusal(kind, "welcome", lang), SETTINGS_WORD[lang], kind);
    }
    for (const kind of API_ADDRESS_KINDS) {
      assert.match(await refusal(kind, "welcome", lang), SETTINGS_WORD[lang], `${kind}: the address is in Settings`);
    }
  });

  test(`${lang}: a key refused in Settings sends the user nowhere else`, async () => {
    const text = await refusal("key_rejected", "settings", lang);
    assert.doesNotMatch(text, SETTINGS_WORD[lang]);
    assert.match(text, lang === "en" ? /above/ : /oben/);
    for (const kind of [...KEY_FORM_KINDS, ...API_ADDRESS_KINDS]) {
      const shown = await refusal(kind, "settings", lang);
      assert.doesNotMatch(shown, SETTINGS_WORD[lang], kind);
      assert.doesNotMatch(shown, ELSEWHERE[lang], kind);
    }
  });
}

test("every worded-for-a-place message is for a real kind, in a known place, with the kind's parameters", () => {
  const en = catalogs.en;
  assert.deepEqual(Object.keys(en.error_at).sort(), [...PLACES].sort());
  const names = (text) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
  for (const key of flattenKeys(en.error_at)) {
    const kind = key.split(".").at(-1);
    const base = lookup(en, `error.${kind}`);
    assert.equal(typeof base, "string", `error_at.${key}: no error.${kind}`);
    assert.deepEqual(names(lookup(en, `error_at.${key}`)), names(base), `error_at.${key}`);
  }
});

test("German place texts are German and of a similar length", () => {
  for (const key of flattenKeys(catalogs.en.error_at)) {
    const en = lookup(catalogs.en.error_at, key);
    const de = lookup(catalogs.de.error_at, key);
    assert.notEqual(de, en, key);
    assert.ok(de.length < en.length * 1.6 && de.length > en.length * 0.8, `${key}: ${en.length} vs ${de.length}`);
  }
});
