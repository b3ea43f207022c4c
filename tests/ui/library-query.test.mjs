import test from "node:test";
import assert from "node:assert/strict";
import { activeFilters, cleared, DEFAULT_QUERY, forBackend, highlightParts, isNarrowed, normalizeQuery, sameQuery, searchWords } from "../../ui/js/library-query.js";

const marked = (text, typed) => highlightParts(text, typed).filter((p) => p.match).map((p) => p.text);
const joined = (text, typed) => highlightParts(text, typed).map((p) => p.text).join("");

test("the start of each matching word is marked, case and accents folded", () => {
  assert.deepEqual(marked("Two surfers on a beach at dusk", "beac"), ["beac"]);
  assert.deepEqual(marked("A dancer in a Café", "cafe"), ["Café"]);
  assert.deepEqual(marked("Eine Tänzerin im Café", "TANZ café"), ["Tänz", "Café"]);
  assert.deepEqual(marked("ein Käsemarkt", "kase"), ["Käse"]);
  assert.deepEqual(marked("beach, beaches and a bea", "bea beach"), ["beach", "beach", "bea"]);
  assert.deepEqual(marked("the seashore", "shore"), [], "only the start of a word matches, as in the catalog");
});

test("marking never changes the text", () => {
  for (const [text, typed] of [["Café crêpe ÄÖÜ straße", "cafe cre a stra"], ["", "x"], ["no words typed", "  -- "], ["e\u0301te", "ete"]]) {
    assert.equal(joined(text, typed), text);
  }
  assert.deepEqual(highlightParts("plain", ""), [{ text: "plain", match: false }]);
});

test("the typed words are the catalog's: letters and digits, folded", () => {
  assert.deepEqual(searchWords("Café, \"near\" OR -x*"), ["cafe", "near", "or", "x"]);
  assert.deepEqual(searchWords(""), []);
});

test("a saved query is made whole; unknown values fall back to the defaults", () => {
  assert.deepEqual(normalizeQuery(null), DEFAULT_QUERY);
  const query = normalizeQuery({ text: "boat", status: "ready", marks: "nonsense", model_name: "kling-v2-6", duration: "", made: "this_week" });
  assert.equal(query.text, "boat");
  assert.equal(query.status, "ready");
  assert.equal(query.marks, "not_rejected");
  assert.equal(query.model_name, "kling-v2-6");
  assert.equal(query.duration, null);
  assert.equal(query.made, "this_week");
  assert.equal(activeFilters(query), 3);
  assert.ok(isNarrowed(query));
});

test("clearing keeps only the order; the window's offset goes with every query", () => {
  const query = { ...DEFAULT_QUERY, text: "x", status: "failed", order: "oldest_first" };
  assert.deepEqual(cleared(query), { ...DEFAULT_QUERY, order: "oldest_first" });
  assert.equal(isNarrowed(cleared(query)), false);
  const sent = forBackend(DEFAULT_QUERY, { getTimezoneOffset: () => -60 });
  assert.equal(sent.utc_offset_minutes, 60, "UTC+1 is 60 minutes east");
});

test("the first screen's page is used only for the query it was found with", () => {
  // As the shell serializes kling-core's LibraryQuery: every field, and the UTC offset.
  const shells = { ...DEFAULT_QUERY, utc_offset_minutes: 0 };
  assert.equal(sameQuery(shells, normalizeQuery(shells)), true);
  assert.equal(sameQuery(shells, { ...DEFAULT_QUERY, utc_offset_minutes: 120 }), true);
  assert.equal(sameQuery({ ...shells, text: "fox" }, DEFAULT_QUERY), false);
  assert.equal(sameQuery({ ...shells, kind: "image_to_video" }, normalizeQuery({ kind: "image_to_video" })), true);
  assert.equal(sameQuery(shells, { ...DEFAULT_QUERY, order: "oldest_first" }), false);
  assert.equal(sameQuery(null, DEFAULT_QUERY), false);
});
