// The gallery: the cards of the current search. Only the rows near the viewport exist (a window
// over the loaded list; measured space above and below stands in for the rest), so ten thousand
// videos scroll like ten. More pages come as the end draws near; events update cards in place;
// one shared 1 s timer moves the elapsed times; posters are captured for the drawn cards; at most
// one <video> plays; arrow keys move between cards, Enter opens one, Space plays, F stars it.
import * as backend from "./backend.js";
import { captureFrame } from "./capture.js";
import { canCompare } from "./compare-facts.js";
import { describeError } from "./errors.js";
import { el, nextFrame, showError } from "./dom.js";
import {
  afterPage,
  appendPage,
  canLoadMore,
  createRowHeights,
  fillRows,
  initialPager,
  mergeGeneration,
  PAGE_SIZE,
  visibleRows,
} from "./library.js";
import { forBackend, isNarrowed, sameQuery } from "./library-query.js";
import { createPosterQueue } from "./posters.js";
import { isFinished, statusText } from "./status.js";
import { canDelete, canOpen, formatBytes, nextSelection, totalBytes } from "./tidy.js";

/** Rows within this many screens above and below the viewport are drawn. */
const MARGIN_SCREENS = 1;
/** A row's height before it was ever drawn (a card with a 16:9 poster and two lines of text). */
const ESTIMATED_ROW = 400;
/** The next page is asked for when the drawn rows come this close to the end of the list. */
const LOAD_AHEAD_ROWS = 4;
/** The grid `order` of the space below the drawn cards: after any card's (a card's is its place in the list). */
const LAST_ORDER = 1_000_000_000;
/** How long drawing must have rested before the cards are put back in page order (see tidyOrder). */
const ORDER_REST_MS = 300;
/**
 * How long after the first screen the rows around it are drawn and posters start to be captured.
 * Drawn in the frame after the first paint the rows held the window for some 30 ms just as it
 * appeared (a click or a key waited); a scroll before then draws what it needs itself.
 */
const AFTER_FIRST_SCREEN_MS = 250;

/** createCard is card/index.js's, handed in by main.js (a view does not import another view). */
export function createGallery(ctx, { createCard, query: initialQuery }) {
  const grid = document.getElementById("grid");
  const empty = document.getElementById("empty");
  const noResults = document.getElementById("no-results");
  const noResultsTitle = document.getElementById("no-results-title");
  const loading = document.getElementById("gallery-loading");
  const errorSlot = document.getElementById("gallery-error");
  const offline = document.getElementById("offline");

  let query = initialQuery;
  /** Goes up with every new query: a page that arrives for an older one is dropped. */
  let asked = 0;
  let list = [];
  let pager = initialPager();
  let lastError = null;
  /** The drawn cards only, by id. */
  const cards = new Map();
  /**
   * Cards out of the page, kept to show the next records that come into view: WebKit keeps some
   * memory for every card element it ever laid out and for every time one is put back into the
   * page, so making a new one per record, or moving cards, would grow with every screen
   * scrolled. Every card made stays in the page while the list has records for it (draw widens
   * the rows it draws, fillRows). A card is here after a new query, a reload or a delete, when
   * the list is shorter than the cards made or the cards left at its end do not fit its last
   * row (after the number of columns changed), and after it left the page with the focus.
   */
  const spare = [];
  /**
   * Cards in the page that show nothing: hidden in the empty cells of the list's last row
   * (fillRows), until a record needs them.
   */
  const parked = [];
  /** Measured row heights (with the gap after the row), by row; cleared when rows shift. */
  const rowHeights = createRowHeights();
  let columns = 1;
  let gap = 0;
  /** The card that holds the keyboard's stop in the grid, by its place in the list. */
  let active = 0;
  /** The draw asked for at the next frame, until it runs. */
  let frame = null;
  let timer = null;
  /** The page-order tidy waiting for drawing to rest, if any. */
  let orderTimer = null;
  /** The card whose video exists, if any; pressing play on another puts this one away. */
  let playing = null;
  let focusFirstOnLoad = false;

  const spaceAbove = el("li", { class: "grid-space", "aria-hidden": "true" });
  const spaceBelow = el("li", { class: "grid-space", "aria-hidden": "true" });
  // The grid places its items by `order`, not by their place in the page (see draw).
  spaceAbove.style.order = "-1";
  spaceBelow.style.order = String(LAST_ORDER);
  grid.append(spaceAbove, spaceBelow);

  const posters = createPosterQueue({
    capture: (url, signal) => captureFrame(url, { signal }),
    save: backend.savePoster,
    onRecord: (record) => upsert(record),
    // Never critical: the card keeps its plain placeholder and play button for this session.
    onGiveUp: (id, error) => console.warn("Kling Desk: no poster for", id, error),
    held: true,
  });

  ctx.searchText = () => query.text;

  // ---------- selection: a Set of ids, never the DOM (most cards are not drawn) ----------
  let selected = new Set();
  let anchor = null;
  let selectMode = false;
  const selectButton = el("button", {
    type: "button",
    class: "btn btn-quiet btn-small",
    "aria-pressed": "false",
    dataset: { testid: "select-mode" },
    on: { click: () => setSelectMode(!selectMode) },
  });
  const selectionCount = el("span", { class: "selection-count", dataset: { testid: "selection-count" } });
  const deleteSelected = el("button", {
    type: "button",
    class: "btn btn-secondary btn-small",
    dataset: { testid: "delete-selected" },
    on: { click: () => ctx.tidy?.deleteVideos(list.filter((generation) => selected.has(generation.id))) },
  });
  const exportSelected = el("button", {
    type: "button",
    class: "btn btn-secondary btn-small",
    dataset: { testid: "export-selected" },
    on: { click: () => ctx.exporter?.exportVideos(list.filter((generation) => selected.has(generation.id))) },
  });
  const compareSelected = el("button", {
    type: "button",
    class: "btn btn-secondary btn-small",
    dataset: { testid: "compare" },
    on: { click: () => ctx.compare?.(list.filter((generation) => selected.has(generation.id))) },
  });
  const exportFavorites = el("button", {
    type: "button",
    class: "btn btn-quiet btn-small",
    dataset: { testid: "export-favorites" },
    on: { click: () => ctx.exporter?.exportFavorites() },
  });
  const clearSelection = el("button", {
    type: "button",
    class: "btn btn-quiet btn-small",
    dataset: { testid: "clear-selection" },
    on: { click: () => setSelection(new Set()) },
  });
  const selectionBar = el("div", { class: "selection-bar", hidden: true, dataset: { testid: "selection-bar" } },
    selectionCount, compareSelected, exportSelected, deleteSelected, clearSelection);
  const selectionTools = el("div", { class: "selection-tools", dataset: { testid: "selection-tools" } },
    selectButton, exportFavorites, selectionBar);
  grid.parentElement?.insertBefore(selectionTools, grid);

  function labelSelection() {
    const { t } = ctx;
    const chosen = list.filter((generation) => selected.has(generation.id));
    selectButton.textContent = t(selectMode ? "tidy.select_done" : "tidy.select");
    selectButton.setAttribute("aria-pressed", String(selectMode));
    // Shown only with something picked: not worked out for the first screen.
    if (selected.size) {
      selectionCount.textContent = t.plural("tidy.selected", selected.size, {
        count: selected.size,
        size: formatBytes(totalBytes(chosen), ctx.lang),
      });
    }
    deleteSelected.textContent = t("tidy.delete");
    deleteSelected.disabled = !chosen.some(canDelete);
    compareSelected.textContent = t("compare.compare");
    compareSelected.hidden = !canCompare(chosen);
    exportSelected.textContent = t("export.export");
    exportSelected.disabled = !chosen.some(canOpen);
    exportFavorites.textContent = t("export.favorites");
    exportFavorites.hidden = selected.size > 0;
    clearSelection.textContent = t("tidy.clear_selection");
    selectionBar.hidden = selected.size === 0;
    // While picking, the bar stays in view under the top bar, however far the gallery scrolls.
    selectionTools.classList.toggle("is-picking", selectMode || selected.size > 0);
  }

  function setSelection(next) {
    selected = next;
    if (!selected.size) anchor = null;
    for (const card of cards.values()) card.update(card.generation);
    labelSelection();
  }

  function setSelectMode(on) {
    selectMode = on;
    if (!on) setSelection(new Set());
    else labelSelection();
  }

  ctx.isSelected = (id) => selected.has(id);
  /** A click on a card picks it (Ctrl/Cmd, Shift, or Select mode); `true` when it did. */
  ctx.selectClick = (generation, event) => {
    if (!(selectMode || event.ctrlKey || event.metaKey || event.shiftKey)) return false;
    const order = list.map((item) => item.id);
    const result = nextSelection(selected, order, generation.id, { range: event.shiftKey }, anchor);
    anchor = result.anchor;
    setSelection(result.selection);
    return true;
  };

  function onPlay(card) {
    if (playing && playing !== card) playing.stop();
    playing = card;
  }

  /** `freed`: cards that scrolled away in this draw, still in the page; reused first. */
  function cardFor(generation, freed) {
    let card = cards.get(generation.id);
    if (!card) {
      card = freed.pop() ?? spare.pop();
      if (card) card.rebind(generation);
      else {
        card = createCard(generation, ctx, { onRecord: upsert, onPlay });
        card.setNear(true);
      }
      cards.set(generation.id, card);
      posters.want(generation);
    } else if (card.generation !== generation) {
      card.update(generation);
      // A card that just became ready gets its poster while it is drawn.
      posters.want(generation);
    }
    return card;
  }

  /** A card stops showing its record: its video stops and its poster capture is called off. */
  function release(id, card) {
    if (playing === card) playing = null;
    card.stop();
    posters.drop(id);
    cards.delete(id);
    return card;
  }

  /** A card that shows nothing leaves the page, kept for a record later. */
  function putAway(card) {
    card.element.remove();
    spare.push(card);
  }

  /** A card leaves the page. */
  function retire(id, card) {
    putAway(release(id, card));
  }

  /** Every card leaves the page (a new query: its first page may be empty). */
  function retireAll() {
    for (const [id, card] of cards) retire(id, card);
    for (const card of parked.splice(0)) putAway(card);
  }

  /** A page element of the grid that is a parked card (see park). */
  function isParked(node) {
    return node.classList.contains("is-parked");
  }

  /**
   * A card stays in the page, hidden and after every other, showing nothing a test or a reader
   * finds; it loads no picture of the record it showed.
   */
  function park(card) {
    card.forget();
    card.element.classList.add("is-parked");
    card.element.dataset.testid = "parked-card";
    card.element.style.order = String(LAST_ORDER + 1);
    parked.push(card);
  }

  function measureGrid() {
    const style = getComputedStyle(grid);
    const tracks = style.gridTemplateColumns.split(" ").filter((track) => track && track !== "none").length;
    const nextColumns = Math.max(1, tracks);
    gap = parseFloat(style.rowGap) || 0;
    if (nextColumns !== columns) {
      columns = nextColumns;
      rowHeights.clear();
    }
  }

  function heightOf(row) {
    return rowHeights.get(row) ?? rowHeights.mean() ?? ESTIMATED_ROW + gap;
  }

  function schedule() {
    frame ??= nextFrame().then(() => draw());
  }

  /** The rows around the first screen and the posters' captures, a moment after it shows. */
  function afterFirstScreen() {
    setTimeout(() => {
      schedule();
      posters.resume();
    }, AFTER_FIRST_SCREEN_MS);
  }

  /**
   * Draws the rows near the viewport, measures them, and asks for more when the end is near.
   * `margin: false` draws only the rows on screen (the first screen: the rest follows a moment later).
   */
  function draw({ margin = true } = {}) {
    frame = null;
    measureGrid();
    const rows = Math.ceil(list.length / columns);
    const viewTop = -grid.getBoundingClientRect().top;
    const screen = window.innerHeight;
    const around = margin ? screen * MARGIN_SCREENS : 0;
    const near = visibleRows({ rows, heightOf, viewTop, viewBottom: viewTop + screen, margin: around });
    const made = cards.size + parked.length + spare.length;
    const shown = fillRows(near, { items: list.length, columns, cards: made, heightOf });
    const from = shown.first * columns;
    const to = Math.min(list.length, (shown.last + 1) * columns);
    const wanted = list.slice(from, to);
    const keep = new Set(wanted.map((generation) => generation.id));
    // A card that scrolled away shows a record that came into view where it stands in the page,
    // and the grid places it by `order`: taking it out and putting it back in its new place on
    // every frame would cost memory every time (see spare). While drawing goes on the page's
    // order is then not the visual one (each card says its place, aria-posinset); tidyOrder puts
    // it back once drawing rests. One that holds the focus leaves the page, so the focus never
    // moves to another record.
    const freed = [];
    for (const [id, card] of cards) {
      if (keep.has(id)) continue;
      if (card.element.contains(document.activeElement)) retire(id, card);
      else freed.push(release(id, card));
    }
    freed.push(...parked.splice(0));
    const total = pager.done ? String(list.length) : "-1";
    const placed = wanted.map((generation, offset) => {
      const node = cardFor(generation, freed).element;
      // A parked card was rebound (its class is the record's again): it is a card again.
      if (node.dataset.testid !== "generation") node.dataset.testid = "generation";
      node.style.order = String(from + offset);
      node.setAttribute("aria-posinset", String(from + offset + 1));
      node.setAttribute("aria-setsize", total);
      return node;
    });
    // Once every card in the page has its new place.
    for (const [offset, node] of placed.entries()) {
      if (node.parentNode !== grid) grid.insertBefore(node, firstPlacedAfter(from + offset));
    }
    // Cards left without a record wait in the empty cells of the list's last row when it is
    // drawn; any more (a list shorter than the cards made) leave the page.
    const room = shown.last === rows - 1 ? rows * columns - list.length : 0;
    for (const card of freed) {
      if (parked.length < room) park(card);
      else putAway(card);
    }
    // Each space is a row of its own: the grid's gap after it is part of the height it stands for.
    spaceAbove.hidden = shown.before === 0;
    spaceAbove.style.height = `${Math.max(0, shown.before - gap)}px`;
    spaceBelow.hidden = shown.after === 0;
    spaceBelow.style.height = `${Math.max(0, shown.after - gap)}px`;
    setTabStop(from, to);

    let remeasured = false;
    for (let row = shown.first; row <= shown.last; row += 1) {
      let height = 0;
      for (let index = row * columns; index < Math.min(list.length, (row + 1) * columns); index += 1) {
        height = Math.max(height, cards.get(list[index].id)?.element.offsetHeight ?? 0);
      }
      if (height > 0 && Math.abs((rowHeights.get(row) ?? 0) - (height + gap)) > 0.5) {
        rowHeights.set(row, height + gap);
        remeasured = true;
      }
    }
    // The first screen's rows around it come after the first paint (see start).
    if (remeasured && margin) schedule();
    if (!inPageOrder()) {
      clearTimeout(orderTimer);
      orderTimer = setTimeout(tidyOrder, ORDER_REST_MS);
    }
    showState();
    syncTimer();
    if (rows === 0 || shown.last >= rows - LOAD_AHEAD_ROWS) loadMore();
  }

  /**
   * The first element of the grid placed after `order`: a card put into the page goes before it,
   * so the page order stays the visual one wherever no card was re-bound in place (a new video
   * on top, a new search).
   */
  function firstPlacedAfter(order) {
    for (const child of grid.children) {
      if (!isParked(child) && Number(child.style.order) > order) return child;
    }
    return null;
  }

  function inPageOrder() {
    let last = -Infinity;
    for (const child of grid.children) {
      if (isParked(child)) continue;
      const order = Number(child.style.order);
      if (order < last) return false;
      last = order;
    }
    return true;
  }

  /**
   * Puts the cards back in page order once drawing has rested: screen readers read, and Tab
   * moves through a card's buttons, in page order. Only then, and only the cards out of place
   * move (each move costs memory, see spare); not while the focus is in the grid (moving the
   * focused card would drop the focus): when it leaves.
   */
  function tidyOrder() {
    orderTimer = null;
    if (grid.contains(document.activeElement)) return;
    const placed = [...cards.values()].map((card) => card.element).sort((a, b) => Number(a.style.order) - Number(b.style.order));
    let ref = spaceAbove.nextSibling;
    for (const node of placed) {
      // Parked cards are hidden: where they stand in the page does not matter.
      while (ref && isParked(ref)) ref = ref.nextSibling;
      if (node === ref) ref = ref.nextSibling;
      else grid.insertBefore(node, ref);
    }
  }

  /** One card is the grid's stop for Tab: the active one when it is drawn, else the first drawn. */
  function setTabStop(from, to) {
    const stop = active >= from && active < to ? active : from;
    for (const [id, card] of cards) card.element.tabIndex = list[stop]?.id === id ? 0 : -1;
  }

  function showState() {
    const { t } = ctx;
    const settled = pager.started && list.length === 0 && !lastError && !pager.loading;
    const narrowed = isNarrowed(query);
    empty.hidden = !(settled && !narrowed);
    noResults.hidden = !(settled && narrowed);
    // Nothing to pick or export in an empty library.
    selectionTools.hidden = !empty.hidden;
    if (!noResults.hidden) {
      const words = query.text.trim();
      noResultsTitle.textContent = words ? t("gallery.no_results_words", { text: words }) : t("gallery.no_results_filters");
    }
    loading.hidden = !(pager.loading && list.length === 0);
    // For tests and benchmarks that scroll to the very end: every page of the query is loaded.
    grid.dataset.complete = String(pager.done);
  }

  /** One 1 s timer while anything drawn is running; it stops when nothing is. */
  function syncTimer() {
    let running = false;
    for (const card of cards.values()) if (!isFinished(card.generation.status)) running = true;
    if (running && timer === null) {
      timer = setInterval(() => {
        const now = Date.now();
        for (const card of cards.values()) if (!isFinished(card.generation.status)) card.tick(now);
      }, 1000);
    } else if (!running && timer !== null) {
      clearInterval(timer);
      timer = null;
    }
  }

  function announceChange(before, after) {
    if (before && before.status === after.status) return;
    const { t } = ctx;
    const prompt = after.request?.prompt ?? "";
    const short = [...prompt].length > 60 ? `${[...prompt].slice(0, 60).join("")}…` : prompt;
    ctx.announce(t("card.announce", { status: statusText(after.status, t).label, prompt: short }));
  }

  /** A whole Generation record from an event, from `generate` or from a card's action. */
  function upsert(generation) {
    const before = list.find((item) => item.id === generation.id);
    const next = mergeGeneration(list, generation, { order: query.order, done: pager.done });
    if (next === list) return;
    if (next.length !== list.length) {
      // Everything after the new card moved by one place: rows are measured again.
      rowHeights.clear();
      if (list.length && next[0] !== list[0]) active += 1;
    }
    list = next;
    const card = cards.get(generation.id);
    if (card) {
      const merged = list.find((item) => item.id === generation.id);
      card.update(merged);
      // The card is up to date before the next draw, which therefore does not ask for its poster.
      posters.want(merged);
    }
    ctx.updateDetail?.(generation);
    schedule();
    if (before) announceChange(before, generation);
  }

  function setError(error) {
    lastError = error;
    if (!error) {
      showError(errorSlot, null, ctx.t);
      return;
    }
    const retry = el("button", {
      type: "button",
      class: "btn btn-secondary btn-small",
      dataset: { testid: "retry" },
      text: ctx.t("gallery.retry"),
      on: { click: () => { setError(null); loadMore(); } },
    });
    showError(errorSlot, describeError(error, ctx.t), ctx.t, [retry]);
  }

  function takePage(page) {
    list = appendPage(list, page?.items ?? []);
    if (!pager.started) performance.mark("kd:first-page");
    pager = afterPage(pager, page);
  }

  /**
   * The first `count` records read again, once events are heard: a generation that changed
   * between their reading (the shell's snapshot, or the first page asked for) and the listener
   * shows its newer record.
   */
  async function catchUp(count) {
    const mine = asked;
    const page = await backend.listGenerations(forBackend(query), null, Math.max(1, count));
    if (mine !== asked) return;
    for (const item of page?.items ?? []) {
      const known = list.find((generation) => generation.id === item.id);
      if (!known || (known.updated_at ?? 0) < (item.updated_at ?? 0)) upsert(item);
    }
  }

  async function loadMore() {
    if (!canLoadMore(pager) || lastError) return;
    const mine = asked;
    pager = { ...pager, loading: true };
    showState();
    try {
      const page = await backend.listGenerations(forBackend(query), pager.after, PAGE_SIZE);
      if (mine !== asked) return;
      takePage(page);
    } catch (error) {
      if (mine !== asked) return;
      pager = { ...pager, loading: false };
      setError(error);
    }
    schedule();
    if (focusFirstOnLoad && list.length) {
      focusFirstOnLoad = false;
      moveTo(0);
    }
  }

  /** Makes card `index` the active one, scrolls its row into view and, unless told not to, focuses it. */
  function moveTo(index, { focus = true } = {}) {
    if (!list.length) return;
    active = Math.max(0, Math.min(list.length - 1, index));
    const row = Math.floor(active / columns);
    let top = 0;
    for (let r = 0; r < row; r += 1) top += heightOf(r);
    const gridTop = grid.getBoundingClientRect().top + window.scrollY;
    const cardTop = gridTop + top;
    const cardBottom = cardTop + heightOf(row) - gap;
    // The sticky top bar covers the top of the window.
    const covered = document.querySelector(".topbar")?.offsetHeight ?? 0;
    if (cardTop < window.scrollY + covered) window.scrollTo({ top: cardTop - covered - 12 });
    else if (cardBottom > window.scrollY + window.innerHeight) window.scrollTo({ top: cardBottom - window.innerHeight + 12 });
    draw();
    if (focus) cards.get(list[active].id)?.element.focus({ preventScroll: true });
  }

  grid.addEventListener("keydown", (event) => {
    const node = event.target;
    if (!(node instanceof HTMLElement) || node.dataset.testid !== "generation") return;
    const index = list.findIndex((generation) => generation.id === node.dataset.id);
    const card = cards.get(node.dataset.id);
    if (index === -1 || !card) return;
    const moves = {
      ArrowRight: index + 1,
      ArrowLeft: index - 1,
      ArrowDown: index + columns,
      ArrowUp: index - columns,
      Home: 0,
      End: list.length - 1,
    };
    if (event.key in moves && !event.altKey && !event.ctrlKey && !event.metaKey) {
      event.preventDefault();
      moveTo(moves[event.key]);
    } else if (event.key === "Enter") {
      event.preventDefault();
      active = index;
      ctx.openDetail?.(card.generation);
    } else if (event.key === " ") {
      event.preventDefault();
      if (card.isActive) card.stop();
      else card.play();
    } else if ((event.key === "f" || event.key === "F") && !event.ctrlKey && !event.metaKey && !event.altKey) {
      event.preventDefault();
      card.toggleFavorite();
    }
  });
  grid.addEventListener("focusout", (event) => {
    if (!grid.contains(event.relatedTarget) && !inPageOrder()) tidyOrder();
  });
  grid.addEventListener("focusin", (event) => {
    const id = event.target instanceof HTMLElement ? event.target.closest("[data-testid=generation]")?.dataset.id : null;
    const index = id ? list.findIndex((generation) => generation.id === id) : -1;
    if (index !== -1) active = index;
  });

  window.addEventListener("scroll", schedule, { passive: true });
  window.addEventListener("resize", schedule);

  /** One calm banner while the connection is gone; no message per request. */
  function setOnline(online) {
    const wasOffline = !offline.hidden;
    offline.hidden = online !== false;
    if (!offline.hidden && !wasOffline) ctx.announce(ctx.t("gallery.offline"));
  }

  return {
    /**
     * Draws `firstPage` (the first screen's, `{query, items, next}`) at once when it is of this
     * gallery's query; else asks for the first page. Resolves when the first page is drawn, or
     * failed. Changes are followed from `follow()` on.
     */
    async start(firstPage) {
      setOnline(ctx.info?.online);
      labelSelection();
      if (firstPage && sameQuery(firstPage.query, query)) {
        takePage(firstPage);
        draw({ margin: false });
      } else {
        await loadMore();
        draw();
      }
      afterFirstScreen();
      performance.mark("kd:drawn");
    },
    /**
     * Listens for changed generations and for the connection, then reads the loaded records and
     * the connection again: what changed before the listeners were there shows too.
     */
    async follow() {
      backend.onConnectivity((payload) => setOnline(payload?.online))
        .then(() => backend.appInfo())
        .then((info) => setOnline(info?.online))
        .catch((error) => console.warn("Kling Desk: no connectivity events", error));
      try {
        await backend.onGeneration(upsert);
        // Nothing to bring up to date when the first page could not be read (its Retry reads it).
        if (pager.started) await catchUp(list.length);
      } catch (error) {
        console.warn("Kling Desk: the gallery could not be brought up to date", error);
      }
    },
    /** The search box or a filter changed: the list starts again from its first page. */
    setQuery(next, { focusFirst = false } = {}) {
      const same = sameQuery(next, query);
      if (same && !focusFirst) return;
      if (same) {
        if (list.length) moveTo(0);
        return;
      }
      query = next;
      asked += 1;
      retireAll();
      list = [];
      pager = initialPager();
      rowHeights.clear();
      active = 0;
      focusFirstOnLoad = focusFirst;
      setError(null);
      const gallery = grid.closest(".gallery");
      if (gallery && gallery.getBoundingClientRect().top < 0) window.scrollTo({ top: window.scrollY + gallery.getBoundingClientRect().top - 80 });
      ctx.announce(ctx.t("gallery.results_announce"));
      loadMore();
    },
    /** The record `delta` places away from `id` in the current results (pages load as needed). */
    async step(id, delta) {
      let index = list.findIndex((generation) => generation.id === id);
      if (index === -1) return null;
      while (index + delta >= list.length && !pager.done && !lastError) {
        const before = list.length;
        await loadMore();
        if (list.length === before && pager.loading) await new Promise((resolve) => setTimeout(resolve, 50));
      }
      index += delta;
      if (index < 0 || index >= list.length) return null;
      moveTo(index, { focus: false });
      return list[index];
    },
    /** Deleted videos leave the list (and the selection) at once. */
    remove(ids) {
      const gone = new Set(ids);
      for (const id of gone) {
        const card = cards.get(id);
        if (card) retire(id, card);
      }
      list = list.filter((generation) => !gone.has(generation.id));
      active = Math.min(active, Math.max(0, list.length - 1));
      rowHeights.clear();
      setSelection(new Set([...selected].filter((id) => !gone.has(id))));
      schedule();
    },
    /** The same query from its first page again (after Undo brought videos back). */
    reload() {
      asked += 1;
      retireAll();
      list = [];
      pager = initialPager();
      rowHeights.clear();
      setError(null);
      loadMore();
    },
    /** Focus goes back to the card the detail view showed last, if it is drawn. */
    focusActive() {
      cards.get(list[active]?.id)?.element.focus({ preventScroll: true });
    },
    upsert,
    setOnline,
    relabel() {
      for (const card of cards.values()) card.relabel();
      labelSelection();
      showState();
      if (lastError) setError(lastError);
    },
  };
}
