// The gallery's list of generations: merging events and pages, newest first.
// No DOM access here; every function returns a new array and leaves its input alone.

export const PAGE_SIZE = 24;

/** Newest first; ties broken by id so the order is stable. */
function compareNewestFirst(a, b) {
  if (b.created_at !== a.created_at) return b.created_at - a.created_at;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** The newer of two records of the same generation (an older event never wins). */
function newer(current, incoming) {
  return (incoming.updated_at ?? 0) >= (current.updated_at ?? 0) ? incoming : current;
}

/**
 * Applies one "generation" event: replaces the record with the same id in place,
 * or inserts a new one where it belongs (at the top for a new generation).
 */
export function mergeGeneration(list, generation) {
  const index = list.findIndex((item) => item.id === generation.id);
  if (index !== -1) {
    const next = list.slice();
    next[index] = newer(list[index], generation);
    return next;
  }
  let at = 0;
  while (at < list.length && compareNewestFirst(list[at], generation) < 0) at += 1;
  return [...list.slice(0, at), generation, ...list.slice(at)];
}

/** Appends a page of older generations, skipping ids already present (an event may have come first). */
export function appendPage(list, items) {
  let next = list;
  for (const item of items ?? []) next = mergeGeneration(next, item);
  return next;
}

/** Paging state: the cursor for the next request, and whether the end has been reached. */
export function initialPager() {
  return { before: null, done: false, loading: false, started: false };
}

/** May another page be requested now? */
export function canLoadMore(pager) {
  return !pager.loading && !pager.done;
}

/** The arguments of the list_generations call for the next page. */
export function pageRequest(pager, limit = PAGE_SIZE) {
  return { before: pager.started ? pager.before : null, limit };
}

/** The state after a page arrived: the next cursor, or done when there is none. */
export function afterPage(pager, response) {
  const next = response?.next ?? null;
  return { before: next, done: next === null, loading: false, started: true };
}
