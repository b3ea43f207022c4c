// One gallery card, put together from its parts: the media area (poster, play button, video), the
// status line, how it was made, what was asked for, what went wrong, the card's own actions,
// "Continue this video" and its marks. Each
// part redraws only when what it shows changed; a record an action returns goes to the gallery.
import { el, setText } from "../dom.js";
import { statusTone } from "../status.js";
import { createFileButtons } from "../tidy.js";
import { kindBadgeKey, kindOf } from "../pictures.js";
import { createActions } from "./actions.js";
import { createContinue } from "./continue.js";
import { createDetails } from "./details.js";
import { createMarks } from "./marks.js";
import { createMedia } from "./media.js";
import { createProblem } from "./problem.js";
import { createStatusLine } from "./status-line.js";

/**
 * Numbers the cards for their elements' ids, which cannot be the record's: the gallery reuses a
 * card for another record (rebind).
 */
let made = 0;

export function createCard(initial, ctx, { onRecord = () => {}, onPlay = () => {} } = {}) {
  let gen = initial;
  made += 1;
  const media = createMedia(gen, ctx, { onPlay: () => onPlay(card) });
  const status = createStatusLine(ctx);
  const details = createDetails(gen, ctx, made);
  const problem = createProblem(ctx);
  const actions = createActions(gen, ctx, { onRecord });
  const marks = createMarks(gen, ctx, { onRecord });
  const files = createFileButtons(ctx, () => gen);
  const continuing = createContinue(gen, ctx, made);
  /** Every video of the demo's library says so: it was made by the stand-in, not by Kling. */
  const demoBadge = el("span", { class: "pill demo-pill", dataset: { testid: "demo-badge" } });
  /** One of several takes of one click: "Take 2 of 4"; the takes of a batch stand side by side. */
  const takeBadge = el("span", { class: "pill take-pill", dataset: { testid: "take" } });
  /** A video made from a picture, or continuing another clip, says so. */
  const kindBadge = el("span", { class: "pill kind-pill", dataset: { testid: "kind-badge" } });

  const root = el("li", { class: "card", tabindex: "-1", "aria-labelledby": details.prompt.id, dataset: { testid: "generation", id: gen.id } },
    media.element,
    el("div", { class: "card-body" },
      el("div", { class: "card-badges" }, demoBadge, kindBadge, takeBadge),
      ...status.elements,
      details.prompt,
      details.meta,
      problem.box,
      actions.element,
      problem.details,
      continuing.element,
      el("div", { class: "card-actions" }, marks.element, details.reuse),
      files.element,
    ),
  );

  // In Select mode (or with Ctrl/Cmd or Shift) the picture picks the card too, before its play
  // button or video sees the click: the picture is most of the card.
  root.addEventListener("click", (event) => {
    if (!event.target.closest(".media") || !ctx.selectClick?.(gen, event)) return;
    event.preventDefault();
    event.stopPropagation();
  }, { capture: true });

  // A click on the card (not on one of its controls or its video) opens the detail view.
  root.addEventListener("click", (event) => {
    if (event.target.closest("button, a, input, select, textarea, video, .media, .card-problem")) return;
    // Ctrl/Cmd- or Shift-click, or any click in Select mode, picks the card instead (gallery.js).
    if (ctx.selectClick?.(gen, event)) return;
    if (String(globalThis.getSelection?.() ?? "") !== "") return;
    ctx.openDetail?.(gen);
  });

  function render() {
    root.dataset.status = gen.status;
    root.dataset.taskId = gen.task_id ?? "";
    root.dataset.id = gen.id;
    root.className = `card tone-${statusTone(gen.status)}`;
    status.update(gen);
    details.update(gen);
    media.update(gen);
    problem.update(gen);
    actions.update(gen);
    marks.update(gen);
    continuing.update(gen);
    files.update();
    const selected = Boolean(ctx.isSelected?.(gen.id));
    root.classList.toggle("is-selected", selected);
    root.dataset.selected = String(selected);
    root.classList.toggle("is-favorite", Boolean(gen.favorite));
    root.classList.toggle("is-rejected", Boolean(gen.rejected));
    demoBadge.hidden = !ctx.info?.demo;
    setText(demoBadge, ctx.t("demo.badge"));
    const take = gen.take?.count > 1 ? gen.take : null;
    takeBadge.hidden = !take;
    setText(takeBadge, take ? ctx.t("card.take", { index: take.index, count: take.count }) : "");
    const kind = kindBadgeKey(gen);
    kindBadge.hidden = !kind;
    setText(kindBadge, kind ? ctx.t(kind) : "");
    root.dataset.kind = kindOf(gen);
    root.dataset.batch = take?.batch_id ?? "";
    root.classList.toggle("is-take", Boolean(take));
  }

  const card = {
    element: root,
    get generation() {
      return gen;
    },
    update(next) {
      gen = next;
      render();
    },
    /** The card stops showing its record: its video, waiting picture and pending state go. */
    forget() {
      for (const part of [media, actions, marks, problem]) part.forget();
    },
    /** The gallery reuses the card for another record; nothing of the one before stays. */
    rebind(next) {
      card.forget();
      gen = next;
      render();
    },
    relabel() {
      for (const part of [status, details, media, problem, actions, marks]) part.relabel();
      render();
    },
    tick(now) {
      status.tick(gen, now);
      continuing.tick(gen, now);
    },
    /** Called by the gallery's IntersectionObserver; a stopped video far away is put away. */
    setNear: media.setNear,
    play: media.play,
    toggleFavorite: marks.toggleFavorite,
    stop: media.stop,
    isPlaying: media.isPlaying,
    get isActive() {
      return media.isActive;
    },
  };

  render();
  return card;
}
