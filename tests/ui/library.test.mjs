import test from "node:test";
import assert from "node:assert/strict";
import { afterPage, appendPage, canLoadMore, createRowHeights, fillRows, initialPager, mergeGeneration, visibleRows } from "../../ui/js/library.js";

const gen = (id, created_at, status = "processing", updated_at = created_at) => ({ id, created_at, updated_at, status });
const ids = (list) => list.map((g) => g.id);

test("an event for a known id replaces it in place", () => {
  const list = [gen("c", 300), gen("b", 200), gen("a", 100)];
  const next = mergeGeneration(list, gen("b", 200, "ready", 250));
  assert.deepEqual(ids(next), ["c", "b", "a"]);
  assert.equal(next[1].status, "ready");
  assert.equal(list[1].status, "processing", "the input list is not changed");
});

test("a video just made goes on top of a newest-first list, whatever the filters", () => {
  const list = [gen("b", 200), gen("a", 100)];
  assert.deepEqual(ids(mergeGeneration(list, gen("c", 300))), ["c", "b", "a"]);
  assert.deepEqual(ids(mergeGeneration([], gen("x", 1))), ["x"]);
});

test("the takes of one click line up take 1 first, in whatever order their events come", () => {
  const take = (index, batch = "b1") => ({ ...gen(`t${index}`, 500), take: { batch_id: batch, index, count: 3 } });
  const older = [gen("a", 100)];
  for (const order of [[1, 2, 3], [3, 2, 1], [2, 3, 1]]) {
    const list = order.reduce((acc, index) => mergeGeneration(acc, take(index)), older);
    assert.deepEqual(ids(list), ["t1", "t2", "t3", "a"], `events in the order ${order}`);
  }
  // A later click's takes go above the earlier batch.
  const earlier = [take(1), take(2)];
  const later = { ...gen("n1", 600), take: { batch_id: "b2", index: 1, count: 2 } };
  assert.deepEqual(ids(mergeGeneration(earlier, later)), ["n1", "t1", "t2"]);
});

test("an older generation not listed waits for its page instead of landing in the wrong place", () => {
  const list = [gen("d", 400), gen("b", 200)];
  assert.equal(mergeGeneration(list, gen("c", 300)), list);
  assert.equal(mergeGeneration(list, gen("a", 100)), list);
});

test("oldest first: a new video joins the end only once the end is loaded", () => {
  const list = [gen("a", 100), gen("b", 200)];
  assert.equal(mergeGeneration(list, gen("c", 300), { order: "oldest_first", done: false }), list);
  assert.deepEqual(ids(mergeGeneration(list, gen("c", 300), { order: "oldest_first", done: true })), ["a", "b", "c"]);
});

test("an outdated event does not overwrite a newer record", () => {
  const list = [gen("a", 100, "ready", 900)];
  const next = mergeGeneration(list, gen("a", 100, "downloading", 800));
  assert.equal(next[0].status, "ready");
  assert.equal(mergeGeneration(list, gen("a", 100, "failed", 900))[0].status, "failed", "equal updated_at wins");
});

test("a page is appended in core's order and skips ids an event already brought", () => {
  let list = [gen("new", 500, "submitting")];
  list = appendPage(list, [gen("new", 500, "submitting", 400), gen("b", 200), gen("z", 200), gen("a", 100)]);
  assert.deepEqual(ids(list), ["new", "b", "z", "a"]);
  assert.equal(appendPage(list, []), list);
  assert.equal(appendPage(list, undefined).length, 4);
});

test("appending pages to ten thousand cards stays linear", () => {
  let list = [];
  const started = performance.now();
  for (let page = 0; page < 200; page += 1) {
    list = appendPage(list, Array.from({ length: 50 }, (_, i) => gen(`g${page * 50 + i}`, 1e6 - page * 50 - i)));
  }
  assert.equal(list.length, 10_000);
  assert.equal(new Set(ids(list)).size, 10_000);
  // Not a benchmark: a quadratic merge takes tens of seconds here, a linear one milliseconds.
  assert.ok(performance.now() - started < 5_000);
});

test("paging: the cursor of each page leads to the next; a missing next ends it", () => {
  let pager = initialPager();
  assert.equal(pager.after, null);
  assert.equal(canLoadMore(pager), true);
  pager = afterPage(pager, { items: [], next: { created_at: 5, seq: 9 } });
  assert.deepEqual(pager.after, { created_at: 5, seq: 9 });
  assert.equal(pager.done, false);
  pager = afterPage(pager, { items: [], next: null });
  assert.equal(pager.done, true);
  assert.equal(canLoadMore(pager), false);
  assert.equal(canLoadMore({ ...initialPager(), loading: true }), false);
  assert.equal(afterPage(initialPager(), null).done, true);
});

test("only the rows near the viewport are drawn; the others are space", () => {
  const heightOf = () => 100;
  const window = visibleRows({ rows: 3334, heightOf, viewTop: 50_000, viewBottom: 50_800, margin: 800 });
  assert.equal(window.first, 491);
  assert.equal(window.last, 515);
  assert.equal(window.before, 49_100);
  assert.equal(window.before + (window.last - window.first + 1) * 100 + window.after, 333_400);
  assert.ok(window.last - window.first < 30, "a screenful and a margin, never the whole library");

  const top = visibleRows({ rows: 10, heightOf, viewTop: 0, viewBottom: 300, margin: 100 });
  assert.deepEqual(top, { first: 0, last: 3, before: 0, after: 600 });
  const end = visibleRows({ rows: 10, heightOf, viewTop: 5_000, viewBottom: 5_500, margin: 100 });
  assert.equal(end.last, 9);
  assert.equal(end.after, 0);
  assert.deepEqual(visibleRows({ rows: 0, heightOf, viewTop: 0, viewBottom: 10, margin: 0 }), { first: 0, last: -1, before: 0, after: 0 });
});

test("rows of different heights are added up as measured", () => {
  const heights = [400, 100, 100, 400];
  const window = visibleRows({ rows: 4, heightOf: (r) => heights[r], viewTop: 450, viewBottom: 560, margin: 0 });
  assert.deepEqual(window, { first: 1, last: 2, before: 400, after: 400 });
});

test("the mean of the measured rows stands in for the others, and follows changes", () => {
  const heights = createRowHeights();
  assert.equal(heights.mean(), null, "nothing measured yet");
  heights.set(0, 400);
  heights.set(1, 200);
  assert.equal(heights.mean(), 300);
  heights.set(1, 300);
  assert.equal(heights.mean(), 350, "a row measured again replaces its old height");
  assert.equal(heights.get(1), 300);
  heights.clear();
  assert.equal(heights.mean(), null);
  assert.equal(heights.get(0), undefined);
});

test("every card made stays in use: the rows drawn widen to hold them, never beyond the list", () => {
  const heightOf = () => 100;
  const held = (rows, items, columns) => Math.min(items, (rows.last + 1) * columns) - rows.first * columns;
  // Mid-list: 12 cards made, 3 columns, 2 rows near the viewport → 4 rows drawn, the spaces shrink.
  const near = visibleRows({ rows: 100, heightOf, viewTop: 5_001, viewBottom: 5_150, margin: 0 });
  assert.deepEqual(near, { first: 50, last: 51, before: 5_000, after: 4_800 });
  const mid = fillRows(near, { items: 300, columns: 3, cards: 12, heightOf });
  assert.deepEqual(mid, { first: 50, last: 53, before: 5_000, after: 4_600 });
  assert.equal(held(mid, 300, 3), 12);
  // Cards that do not fill a row: one more row, so they always do (a few new cards, once).
  assert.equal(held(fillRows(near, { items: 300, columns: 3, cards: 10, heightOf }), 300, 3), 12);
  // At the end of 301 records (the last row holds one): rows above while a whole row is left; the
  // two cards left over fit the last row's two empty cells, and no new card is needed.
  const end = visibleRows({ rows: 101, heightOf, viewTop: 9_950, viewBottom: 10_100, margin: 0 });
  const atEnd = fillRows(end, { items: 301, columns: 3, cards: 12, heightOf });
  assert.equal(atEnd.last, 100);
  assert.equal(held(atEnd, 301, 3), 10);
  assert.equal(atEnd.after, 0);
  assert.equal(atEnd.before, atEnd.first * 100);
  // A list shorter than the cards made is drawn whole.
  const short = fillRows(visibleRows({ rows: 2, heightOf, viewTop: 0, viewBottom: 50, margin: 0 }), { items: 5, columns: 3, cards: 12, heightOf });
  assert.deepEqual(short, { first: 0, last: 1, before: 0, after: 0 });
  // No card made yet (the first screen): only what is near.
  assert.deepEqual(fillRows(near, { items: 300, columns: 3, cards: 0, heightOf }), near);
});

test("the cards left over at the end of the list fit its last row's empty cells, and no space is left there", () => {
  // Estimated heights are a fractional mean: subtracted, they must still leave no space at the end.
  const heightOf = (row) => 401.37 + (row % 3) * 0.1;
  for (let columns = 1; columns <= 5; columns += 1) {
    for (let items = 1; items <= 40; items += 1) {
      const rows = Math.ceil(items / columns);
      const cards = columns * 3;
      const near = visibleRows({ rows, heightOf, viewTop: 1e9, viewBottom: 1e9 + 800, margin: 0 });
      const drawn = fillRows(near, { items, columns, cards, heightOf });
      const held = Math.min(items, (drawn.last + 1) * columns) - drawn.first * columns;
      const room = rows * columns - items;
      assert.equal(drawn.last, rows - 1);
      assert.equal(drawn.after, 0, `${items} records in ${columns} columns`);
      assert.ok(held <= cards, "no card is made for the rows added");
      if (items >= cards) assert.ok(cards - held <= room, `${items} records in ${columns} columns: ${cards - held} left, ${room} empty cells`);
      // From the top down to the end: the rows' heights taken off the space below leave nothing.
      const top = visibleRows({ rows, heightOf, viewTop: 0, viewBottom: 1, margin: 0 });
      assert.equal(fillRows(top, { items, columns, cards: items + columns, heightOf }).after, 0);
    }
  }
});
