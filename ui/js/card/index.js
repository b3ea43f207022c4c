// One gallery card, put together from its parts: the media area (poster, play button, video), the
// status line, what was asked for, what went wrong, and the card's own actions. Each part redraws
// only when what it shows changed; a record an action returns goes back to the gallery.
import { el } from "../dom.js";
import { statusTone } from "../status.js";
import { createActions } from "./actions.js";
import { createDetails } from "./details.js";
import { createMedia } from "./media.js";
import { createProblem } from "./problem.js";
import { createStatusLine } from "./status-line.js";

export function createCard(initial, ctx, { onRecord = () => {}, onPlay = () => {} } = {}) {
  let gen = initial;
  const media = createMedia(gen, ctx, { onPlay: () => onPlay(card) });
  const status = createStatusLine(ctx);
  const details = createDetails(gen, ctx);
  const problem = createProblem(ctx);
  const actions = createActions(gen, ctx, { onRecord });

  const root = el("li", { class: "card", dataset: { testid: "generation", id: gen.id } },
    media.element,
    el("div", { class: "card-body" },
      ...status.elements,
      details.prompt,
      details.meta,
      problem.box,
      actions.element,
      problem.details,
      details.bar,
    ),
  );

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
    relabel() {
      for (const part of [status, details, media, problem, actions]) part.relabel();
      render();
    },
    tick(now) {
      status.tick(gen, now);
    },
    /** Called by the gallery's IntersectionObserver; a stopped video far away is put away. */
    setNear: media.setNear,
    play: media.play,
    stop: media.stop,
    isPlaying: media.isPlaying,
    get isActive() {
      return media.isActive;
    },
  };

  render();
  return card;
}
