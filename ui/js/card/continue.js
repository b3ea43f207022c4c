// "Continue this video" on a ready card whose clip the provider would still continue, with how
// long that stays possible. The dialog that asks for the words is main.js's (ctx.continueVideo).
import { el, icon, setText } from "../dom.js";
import { continueLeft, continueLeftText } from "../pictures.js";

/** `serial` tells this card's ids from the other cards'. */
export function createContinue(initial, ctx, serial) {
  let gen = initial;
  const label = el("span");
  const left = el("span", { id: `card-continue-left-${serial}`, class: "continue-left", dataset: { testid: "continue-left" } });
  const button = el("button", {
    type: "button",
    class: "btn btn-secondary btn-small",
    "aria-haspopup": "dialog",
    "aria-describedby": left.id,
    dataset: { testid: "continue" },
    on: { click: () => ctx.continueVideo?.(gen) },
  }, icon("film", "icon icon-sm"), label);
  const element = el("div", { class: "card-continue" }, button, left);

  /** Shown exactly while the record says the clip can be continued; the days left move with the clock. */
  function tick(next, now = Date.now()) {
    gen = next;
    const info = gen.status === "ready" ? continueLeft(gen.continue_until, now) : null;
    element.hidden = !info;
    if (!info) return;
    setText(label, ctx.t("continue.action"));
    setText(left, continueLeftText(info, ctx.t));
  }

  return { element, update: tick, tick };
}
