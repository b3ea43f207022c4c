// A finished card's marks: the star (favorite) and the thumbs down (reject: hidden from the
// gallery unless a filter shows rejected videos). Core keeps both; the record it returns goes
// back to the gallery. A video still being made has no marks yet.
import * as backend from "../backend.js";
import { el, icon } from "../dom.js";
import { renderOnChange } from "../memo.js";
import { isFinished } from "../status.js";

export function createMarks(initial, ctx, { onRecord = () => {} } = {}) {
  let gen = initial;
  /** The mark being saved (one at a time); a call for a record the card no longer shows does not count. */
  let saving = null;

  async function toggle(change) {
    if (saving) return;
    const call = backend.mark(gen.id, change);
    saving = call;
    try {
      const record = await call;
      if (record?.id) onRecord(record);
    } catch (error) {
      console.warn("Kling Desk: the mark was not saved", error);
    } finally {
      if (saving === call) saving = null;
    }
  }

  const star = el("button", {
    type: "button",
    class: "btn btn-quiet btn-icon mark mark-favorite",
    dataset: { testid: "favorite" },
    on: { click: () => toggle({ favorite: !gen.favorite }) },
  }, icon("star", "icon icon-sm"));
  const reject = el("button", {
    type: "button",
    class: "btn btn-quiet btn-icon mark mark-reject",
    dataset: { testid: "reject" },
    on: { click: () => toggle({ rejected: !gen.rejected }) },
  }, icon("reject", "icon icon-sm"));
  const element = el("div", { class: "marks" }, star, reject);

  const draw = renderOnChange(() => {
    const { t } = ctx;
    element.hidden = !isFinished(gen.status);
    star.setAttribute("aria-pressed", String(Boolean(gen.favorite)));
    reject.setAttribute("aria-pressed", String(Boolean(gen.rejected)));
    const starLabel = t(gen.favorite ? "card.favorite_remove" : "card.favorite_add");
    const rejectLabel = t(gen.rejected ? "card.reject_remove" : "card.reject_add");
    star.setAttribute("aria-label", starLabel);
    star.title = starLabel;
    reject.setAttribute("aria-label", rejectLabel);
    reject.title = rejectLabel;
  });

  return {
    element,
    /** F on a focused card. */
    toggleFavorite: () => isFinished(gen.status) && toggle({ favorite: !gen.favorite }),
    update(next) {
      gen = next;
      draw.run(JSON.stringify([ctx.lang, gen.status, Boolean(gen.favorite), Boolean(gen.rejected)]));
    },
    relabel() {
      draw.reset();
    },
    /** The card is about to show another record, whose marks may be set at once. */
    forget() {
      saving = null;
    },
  };
}
