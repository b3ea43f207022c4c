// The gallery: pages of generations (newest first, more on scroll), live updates from events,
// one shared 1 s timer for the elapsed times, posters captured one at a time for the cards near
// the viewport, and at most one <video> in the page: the one the user pressed play on (plus the
// detached one a poster capture uses while it runs).
import * as backend from "./backend.js";
import { captureFrame } from "./capture.js";
import { describeError } from "./errors.js";
import { el, showError } from "./dom.js";
import { afterPage, appendPage, canLoadMore, initialPager, mergeGeneration, pageRequest, PAGE_SIZE } from "./library.js";
import { createPosterQueue } from "./posters.js";
import { isFinished, statusText } from "./status.js";

/**
 * How far outside the viewport a card counts as near: a poster is captured for it, and a stopped
 * video beyond it is put away.
 */
const NEAR_MARGIN = "1200px 0px";
/** How early the next page is requested before the end of the list is reached. */
const PAGE_MARGIN = "800px 0px";

/** createCard is card/index.js's, handed in by main.js (a view does not import another view). */
export function createGallery(ctx, { createCard }) {
  const grid = document.getElementById("grid");
  const empty = document.getElementById("empty");
  const loading = document.getElementById("gallery-loading");
  const errorSlot = document.getElementById("gallery-error");
  const sentinel = document.getElementById("sentinel");
  const offline = document.getElementById("offline");

  let list = [];
  let pager = initialPager();
  let lastError = null;
  const cards = new Map();
  let timer = null;
  /** The card whose video exists, if any; pressing play on another puts this one away. */
  let playing = null;

  const hasObserver = typeof IntersectionObserver !== "undefined";
  /** Ids of the cards near the viewport (every card when there is no IntersectionObserver). */
  const near = new Set();
  const isNear = (id) => !hasObserver || near.has(id);

  const posters = createPosterQueue({
    capture: (url, signal) => captureFrame(url, { signal }),
    save: backend.savePoster,
    onRecord: (record) => upsert(record),
    // Never critical: the card keeps its plain placeholder and play button for this session.
    onGiveUp: (id, error) => console.warn("Kling Desk: no poster for", id, error),
  });

  const nearObserver = hasObserver
    ? new IntersectionObserver((entries) => {
        for (const entry of entries) {
          const id = entry.target.dataset.id;
          const card = cards.get(id);
          if (entry.isIntersecting) near.add(id);
          else near.delete(id);
          card?.setNear(entry.isIntersecting);
          if (!card) continue;
          if (entry.isIntersecting) posters.want(card.generation);
          else posters.drop(id);
        }
      }, { rootMargin: NEAR_MARGIN })
    : null;

  function onPlay(card) {
    if (playing && playing !== card) playing.stop();
    playing = card;
  }

  const pageObserver = hasObserver
    ? new IntersectionObserver((entries) => {
        if (entries.some((entry) => entry.isIntersecting)) loadMore();
      }, { rootMargin: PAGE_MARGIN })
    : null;

  function cardFor(generation) {
    let card = cards.get(generation.id);
    if (!card) {
      card = createCard(generation, ctx, { onRecord: upsert, onPlay });
      cards.set(generation.id, card);
      nearObserver?.observe(card.element);
      if (isNear(generation.id)) posters.want(generation);
    } else if (card.generation !== generation) {
      card.update(generation);
      // A card that just became ready gets its poster while it is near.
      if (isNear(generation.id)) posters.want(generation);
    }
    return card;
  }

  /** Puts the cards in the order of `list`, moving only what moved. */
  function render() {
    let ref = grid.firstElementChild;
    for (const generation of list) {
      const node = cardFor(generation).element;
      if (node === ref) ref = ref.nextElementSibling;
      else grid.insertBefore(node, ref);
    }
    empty.hidden = !(pager.started && list.length === 0 && !lastError);
    loading.hidden = !(pager.loading && list.length === 0);
    syncTimer();
  }

  /** One 1 s timer for every running card; it stops when nothing is running. */
  function syncTimer() {
    const running = list.some((generation) => !isFinished(generation.status));
    if (running && timer === null) {
      timer = setInterval(() => {
        const now = Date.now();
        for (const generation of list) if (!isFinished(generation.status)) cards.get(generation.id)?.tick(now);
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

  /** A whole Generation record from an event or from `generate`. */
  function upsert(generation) {
    const before = list.find((item) => item.id === generation.id);
    list = mergeGeneration(list, generation);
    render();
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

  async function loadMore() {
    if (!canLoadMore(pager) || lastError) return;
    const request = pageRequest(pager, PAGE_SIZE);
    pager = { ...pager, loading: true };
    render();
    try {
      const page = await backend.listGenerations(request.before, request.limit);
      list = appendPage(list, page?.items ?? []);
      pager = afterPage(pager, page);
    } catch (error) {
      pager = { ...pager, loading: false };
      setError(error);
    }
    render();
    // Re-arm the sentinel: if it is still in view after this page, the observer reports it again.
    if (pageObserver && !pager.done) {
      pageObserver.unobserve(sentinel);
      pageObserver.observe(sentinel);
    }
  }

  /** One calm banner while the connection is gone; no message per request. */
  function setOnline(online) {
    const wasOffline = !offline.hidden;
    offline.hidden = online !== false;
    if (!offline.hidden && !wasOffline) ctx.announce(ctx.t("gallery.offline"));
  }

  return {
    async start() {
      setOnline(ctx.info?.online);
      // Listen first, so a change that happens while the first page loads is not missed.
      await backend.onGeneration(upsert);
      try {
        await backend.onConnectivity((payload) => setOnline(payload?.online));
      } catch (error) {
        console.warn("Kling Desk: no connectivity events", error);
      }
      if (pageObserver) pageObserver.observe(sentinel);
      await loadMore();
    },
    upsert,
    setOnline,
    relabel() {
      for (const card of cards.values()) card.relabel();
      if (lastError) setError(lastError);
    },
  };
}
