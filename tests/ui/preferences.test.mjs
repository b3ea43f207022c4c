import test from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { lookup } from "../../ui/js/i18n.js";
import {
  callbackState, DEFAULT_SETTINGS, mergeSettings, parsePort, parsePublicUrl, parseRequestsPerSecond, readAdvanced,
} from "../../ui/js/preferences.js";

const load = (lang) => JSON.parse(readFileSync(new URL(`../../ui/i18n/${lang}.json`, import.meta.url), "utf8"));

test("the whole object goes back: defaults, then what is saved (unknown fields too), then the changes", () => {
  const saved = { api_base: "http://127.0.0.1:9", language: "de", requests_per_second: 3, something_new: { a: 1 } };
  const next = mergeSettings(saved, { language: null });
  assert.deepEqual(next, {
    ...DEFAULT_SETTINGS, api_base: "http://127.0.0.1:9", language: null, requests_per_second: 3, something_new: { a: 1 },
  });
  assert.equal(saved.language, "de", "the saved object is left alone");
  assert.deepEqual(mergeSettings(null), DEFAULT_SETTINGS);
  assert.deepEqual(Object.keys(DEFAULT_SETTINGS).sort(),
    ["api_base", "callback_enabled", "callback_port", "callback_public_url", "language", "notifications",
      "requests_per_second", "theme"]);
});

test("requests per second: 0.5 to 10 in steps of 0.5; empty is the default", () => {
  assert.deepEqual(parseRequestsPerSecond(""), { value: null, problem: null });
  assert.deepEqual(parseRequestsPerSecond(" 2 "), { value: 2, problem: null });
  assert.deepEqual(parseRequestsPerSecond("1,5"), { value: 1.5, problem: null });
  assert.equal(parseRequestsPerSecond("0.5").value, 0.5);
  assert.equal(parseRequestsPerSecond("10").value, 10);
  for (const bad of ["0", "0.25", "10.5", "-1", "1.3", "abc", "Infinity"]) {
    assert.equal(parseRequestsPerSecond(bad).problem, "requests_per_second", bad);
  }
});

test("callback port: a whole number from 1024 to 65535; empty is the default", () => {
  assert.deepEqual(parsePort(""), { value: null, problem: null });
  assert.deepEqual(parsePort("38475"), { value: 38475, problem: null });
  for (const bad of ["80", "65536", "3.5", "port", "-1"]) assert.equal(parsePort(bad).problem, "callback_port", bad);
});

test("public callback URL: http(s) with a host; empty means none", () => {
  assert.deepEqual(parsePublicUrl("  "), { value: null, problem: null });
  assert.deepEqual(parsePublicUrl(" https://my-tunnel.example.com "), { value: "https://my-tunnel.example.com", problem: null });
  for (const bad of ["my-tunnel.example.com", "ftp://x.example", "javascript:alert(1)", "https://"]) {
    assert.equal(parsePublicUrl(bad).problem, "callback_public_url", bad);
  }
});

test("the Advanced fields become settings changes, or problems and nothing is saved", () => {
  const good = readAdvanced({ api_base: " ", requests_per_second: "1.5", callback_enabled: true, callback_port: "", callback_public_url: "https://t.example.com" });
  assert.deepEqual(good, {
    changes: { api_base: null, requests_per_second: 1.5, callback_enabled: true, callback_port: null, callback_public_url: "https://t.example.com" },
    problems: [],
  });
  const bad = readAdvanced({ api_base: "", requests_per_second: "20", callback_enabled: false, callback_port: "1", callback_public_url: "nope" });
  assert.deepEqual(bad.problems, ["requests_per_second", "callback_port", "callback_public_url"]);
});

test("callback state: off, listening, not listening, or the problem", () => {
  assert.equal(callbackState(null).state, "unknown");
  assert.equal(callbackState({ enabled: false, listening: false, problem: null }).state, "off");
  assert.equal(callbackState({ enabled: true, listening: true, problem: null }).state, "listening");
  assert.equal(callbackState({ enabled: true, listening: false, problem: null }).state, "not_listening");
  const busy = callbackState({ enabled: true, listening: false, problem: { kind: "callback_port_in_use", params: { port: 38475 } } });
  assert.equal(busy.state, "problem");
  assert.equal(busy.problem.kind, "callback_port_in_use");
});

test("every callback state and field problem has text in both languages", () => {
  for (const catalog of [load("en"), load("de")]) {
    for (const state of ["off", "listening", "not_listening", "unknown"]) {
      assert.equal(typeof lookup(catalog, `settings.callback_state.${state}`), "string", state);
    }
    for (const key of ["rate_invalid", "callback_port_invalid", "callback_public_invalid"]) {
      assert.equal(typeof lookup(catalog, `settings.${key}`), "string", key);
    }
  }
  assert.equal(lookup(load("en"), "error.callback_port_in_use"), "Port {port} is in use by another program. Choose another port in Settings.");
});
