// The gallery's list of generations: pages in the order core sends them, and live events merged
// in. No DOM access here; every function returns a new array and leaves its input alone.

/** Enough cards to fill a tall window twice, so scrolling rarely waits for a page. */
export const PAGE_SIZE = 48;

/** The newer of two records of the same generation (an older event never wins). */
function newer(current, incoming) {
  return (incoming.updated_at ?? 0) >= (current.updated_at ?? 0) ? incoming : current;
}

/**
 * Applies one "generation" event. A generation already listed is replaced in place (it stays
 * even when it no longer matches the filters, until the query changes: a card never vanishes
 * under the pointer). One not listed is added only where it surely belongs without asking core:
 * on top of a newest-first list when it is the newest (a video just made is always shown), or
 * at the end of a complete oldest-first list. Anything else arrives with its page.
 */
export function mergeGeneration(list, generation, { order = "newest_first", done = false } = {}) {
  const index = list.findIndex((item) => item.id === generation.id);
  if (index !== -1) {
    const next = list.slice();
    next[index] = newer(list[index], generation);
    return next;
  }
  if (order === "newest_first") {
    if (list.length > 0 && generation.created_at < list[0].created_at) return list;
    // The takes of one click share their time: take 1 stays first, as core lists them.
    let at = 0;
    while (at < list.length && list[at].take && list[at].take.batch_id === generation.take?.batch_id
      && list[at].take.index < generation.take.index) at += 1;
    return [...list.slice(0, at), generation, ...list.slice(at)];
  }
  return done ? [...list, generation] : list;
}

/** Appends a page, skipping ids already listed (an event may have brought one first). */
export function appendPage(list, items) {
  const known = new Set(list.map((item) => item.id));
  const fresh = (items ?? []).filter((item) => !known.has(item.id));
  return fresh.length ? [...list, ...fresh] : list;
}

/** Paging state: the cursor for the next request, and whether the end has been reached. */
export function initialPager() {
  return { after: null, done: false, loading: false, started: false };
}

/** May another page be requested now? */
export function canLoadMore(pager) {
  return !pager.loading && !pager.done;
}

/** The state after a page arrived: the next cursor, or done when there is none. */
export function afterPage(pager, response) {
  const next = response?.next ?? null;
  return { after: next, done: next === null, loading: false, started: true };
}

/**
 * Which rows of cards to draw: every row that meets the viewport or lies within `margin` pixels
 * of it. `heightOf(row)` is a row's height with the gap after it. → {first, last, before, after}:
 * the rows to draw and the space the rows above and below them take.
 */
export function visibleRows({ rows, heightOf, viewTop, viewBottom, margin }) {
  if (rows === 0) return { first: 0, last: -1, before: 0, after: 0 };
  let top = 0;
  let first = 0;
  while (first < rows - 1 && top + heightOf(first) < viewTop - margin) top += heightOf(first++);
  let last = first;
  let bottom = top + heightOf(first);
  while (last < rows - 1 && bottom < viewBottom + margin) bottom += heightOf(++last);
  let below = 0;
  for (let row = last + 1; row < rows; row += 1) below += heightOf(row);
  return { first, last, before: top, after: below };
}

/**
 * Widens the rows to draw (visibleRows' answer) so that the `cards` the gallery made stay in use:
 * WebKit keeps memory each time a card leaves the page and comes back (some 10 to 30 kB). Rows
 * below are added while the cards are not all used (the last may take a few new cards, so that
 * the cards fill whole rows); at the end of the list, rows above while a whole row of cards is
 * left. What is left then fits in the empty cells of the list's last row. `items` is the list's
 * length; the spaces above and below shrink to match.
 */
export function fillRows(shown, { items, columns, cards, heightOf }) {
  const rows = Math.ceil(items / columns);
  let { first, last, before, after } = shown;
  const holds = () => Math.min(items, (last + 1) * columns) - first * columns;
  while (holds() < cards && last < rows - 1) after -= heightOf(++last);
  while (holds() + columns <= cards && first > 0) before -= heightOf(--first);
  // Exactly nothing at either end: estimated heights subtracted leave a rounding error, and a
  // space of 1e-13 px would still be drawn as a row.
  return { first, last, before: first === 0 ? 0 : Math.max(0, before), after: last >= rows - 1 ? 0 : Math.max(0, after) };
}

/**
 * Measured row heights by row, and their mean for the rows not drawn yet. The mean is kept as a
 * running sum: the window asks for it once per row below the viewport on every scroll frame.
 */
export function createRowHeights() {
  const heights = new Map();
  let sum = 0;
  return {
    get: (row) => heights.get(row),
    set(row, height) {
      sum += height - (heights.get(row) ?? 0);
      heights.set(row, height);
    },
    clear() {
      heights.clear();
      sum = 0;
    },
    /** null until a row was measured. */
    mean: () => (heights.size ? sum / heights.size : null),
  };
}
