import test from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { canDelete, canOpen, formatBytes, nextSelection, totalBytes } from "../../ui/js/tidy.js";

const ui = new URL("../../ui/", import.meta.url);
const catalog = (lang) => JSON.parse(readFileSync(new URL(`i18n/${lang}.json`, ui), "utf8"));

test("sizes are written in the language's way", () => {
  assert.equal(formatBytes(0, "en"), "0 B");
  assert.equal(formatBytes(999, "en"), "999 B");
  assert.equal(formatBytes(1_500_000, "en"), "1.5 MB");
  assert.equal(formatBytes(1_500_000, "de"), "1,5 MB");
  assert.equal(formatBytes(123_400_000, "de"), "123 MB");
  assert.equal(formatBytes(2_050_000_000, "en"), "2.1 GB");
  assert.equal(formatBytes(undefined, "en"), "0 B");
});

test("the confirmation adds up the videos' sizes", () => {
  assert.equal(totalBytes([{ video_bytes: 1000 }, { video_bytes: null }, { video_bytes: 500 }]), 1500);
  assert.equal(totalBytes([]), 0);
});

test("only finished videos can be deleted, only ready ones opened", () => {
  for (const status of ["ready", "failed", "expired"]) assert.ok(canDelete({ status }), status);
  for (const status of ["queued", "submitting", "needs_check", "submitted", "processing", "downloading"]) {
    assert.ok(!canDelete({ status }), status);
    assert.ok(!canOpen({ status }), status);
  }
  assert.ok(canOpen({ status: "ready" }));
  assert.ok(!canOpen({ status: "failed" }));
});

test("a click toggles one card, Shift adds the range from the last one, the given Set stays", () => {
  const order = ["a", "b", "c", "d", "e"];
  const none = new Set();
  let { selection, anchor } = nextSelection(none, order, "b");
  assert.deepEqual([...selection], ["b"]);
  assert.equal(anchor, "b");
  assert.equal(none.size, 0);
  ({ selection, anchor } = nextSelection(selection, order, "d", { range: true }, anchor));
  assert.deepEqual([...selection].sort(), ["b", "c", "d"]);
  assert.equal(anchor, "b");
  ({ selection, anchor } = nextSelection(selection, order, "c", {}, anchor));
  assert.deepEqual([...selection].sort(), ["b", "d"]);
  assert.equal(anchor, "c");
  // Shift without an anchor on the list behaves like a plain click.
  ({ selection } = nextSelection(new Set(), order, "e", { range: true }, "gone"));
  assert.deepEqual([...selection], ["e"]);
});

test("every delete text has both plural forms in English and German", () => {
  for (const lang of ["en", "de"]) {
    const tidy = catalog(lang).tidy;
    for (const key of ["selected", "confirm_title", "confirm_message", "deleted"]) {
      assert.ok(tidy[key].one && tidy[key].other, `${lang} tidy.${key}`);
      assert.match(tidy[key].other, /\{count\}/);
    }
    assert.match(tidy.confirm_message.one, /\{size\}/);
    assert.match(tidy.deleted.other, /\{size\}/);
  }
});
