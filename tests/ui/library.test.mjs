import test from "node:test";
import assert from "node:assert/strict";
import { afterPage, appendPage, canLoadMore, initialPager, mergeGeneration, PAGE_SIZE, pageRequest } from "../../ui/js/library.js";

const gen = (id, created_at, status = "processing", updated_at = created_at) => ({ id, created_at, updated_at, status });
const ids = (list) => list.map((g) => g.id);

test("an event for a known id replaces it in place", () => {
  const list = [gen("c", 300), gen("b", 200), gen("a", 100)];
  const next = mergeGeneration(list, gen("b", 200, "ready", 250));
  assert.deepEqual(ids(next), ["c", "b", "a"]);
  assert.equal(next[1].status, "ready");
  assert.equal(list[1].status, "processing", "the input list is not changed");
});

test("a new generation goes on top", () => {
  const list = [gen("b", 200), gen("a", 100)];
  assert.deepEqual(ids(mergeGeneration(list, gen("c", 300))), ["c", "b", "a"]);
  assert.deepEqual(ids(mergeGeneration([], gen("x", 1))), ["x"]);
});

test("the list stays newest first, even for an older record arriving late", () => {
  const list = [gen("d", 400), gen("b", 200)];
  assert.deepEqual(ids(mergeGeneration(list, gen("c", 300))), ["d", "c", "b"]);
  assert.deepEqual(ids(mergeGeneration(list, gen("a", 100))), ["d", "b", "a"]);
});

test("an outdated event does not overwrite a newer record", () => {
  const list = [gen("a", 100, "ready", 900)];
  const next = mergeGeneration(list, gen("a", 100, "downloading", 800));
  assert.equal(next[0].status, "ready");
  assert.equal(mergeGeneration(list, gen("a", 100, "failed", 900))[0].status, "failed", "equal updated_at wins");
});

test("a page appends older items and skips ids an event already brought", () => {
  let list = [gen("new", 500, "submitting")];
  list = appendPage(list, [gen("new", 500, "submitting", 400), gen("b", 200), gen("a", 100)]);
  assert.deepEqual(ids(list), ["new", "b", "a"]);
  list = appendPage(list, []);
  assert.deepEqual(ids(list), ["new", "b", "a"]);
  list = appendPage(list, undefined);
  assert.equal(list.length, 3);
});

test("paging: the first request has no cursor, later ones use the previous next", () => {
  let pager = initialPager();
  assert.deepEqual(pageRequest(pager), { before: null, limit: PAGE_SIZE });
  assert.equal(PAGE_SIZE, 24);
  assert.equal(canLoadMore(pager), true);

  pager = afterPage(pager, { items: [], next: "cursor-1" });
  assert.equal(pager.done, false);
  assert.deepEqual(pageRequest(pager), { before: "cursor-1", limit: 24 });

  pager = afterPage(pager, { items: [], next: "cursor-2" });
  assert.deepEqual(pageRequest(pager, 10), { before: "cursor-2", limit: 10 });

  pager = afterPage(pager, { items: [], next: null });
  assert.equal(pager.done, true);
  assert.equal(canLoadMore(pager), false);
});

test("paging: nothing more is requested while a page is loading or a missing next ends it", () => {
  assert.equal(canLoadMore({ ...initialPager(), loading: true }), false);
  assert.equal(afterPage(initialPager(), { items: [] }).done, true);
  assert.equal(afterPage(initialPager(), null).done, true);
});
