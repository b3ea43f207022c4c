// A card's status line: the status pill with how long it has taken, what the status means, "taking
// longer than usual", how the result reaches this computer and how long Kling keeps it, and the
// download's progress. tick() refreshes what moves with the clock (the shared 1 s timer).
import { el, setText } from "../dom.js";
import { daysLeftText, resultDaysLeft } from "../expiry.js";
import { renderOnChange } from "../memo.js";
import { deliveryKey, isFinished, isSlow, statusText } from "../status.js";
import { elapsedMs, formatElapsed } from "../time.js";

export function createStatusLine(ctx) {
  const pill = el("span", { class: "pill", dataset: { testid: "status" } });
  const elapsed = el("span", { class: "elapsed", dataset: { testid: "elapsed" } });
  const hint = el("p", { class: "hint" });
  const slow = el("p", { class: "slow" });
  const delivery = el("span", { class: "delivery", dataset: { testid: "delivery" } });
  const daysLeft = el("span", { class: "days-left", dataset: { testid: "days-left" } });
  const facts = el("p", { class: "card-facts" }, delivery, daysLeft);
  const progressFill = el("div", { class: "progress-fill" });
  const progress = el("div", {
    class: "progress",
    role: "progressbar",
    "aria-valuemin": "0",
    "aria-valuemax": "100",
    dataset: { testid: "progress" },
  }, progressFill);

  const draw = renderOnChange((gen) => {
    const { t } = ctx;
    const text = statusText(gen.status, t);
    setText(pill, text.label);
    pill.className = `pill pill-${text.tone}`;
    setText(hint, text.hint);

    const downloading = gen.status === "downloading";
    progress.hidden = !downloading;
    if (downloading) {
      const percent = Math.round(Math.min(1, Math.max(0, gen.download_progress ?? 0)) * 100);
      progressFill.style.width = `${percent}%`;
      progress.setAttribute("aria-valuenow", String(percent));
      progress.setAttribute("aria-label", t("card.progress", { percent }));
      progress.title = t("card.progress", { percent });
    }

    const deliveryText = deliveryKey(gen);
    delivery.hidden = !deliveryText;
    setText(delivery, deliveryText ? t(deliveryText) : "");
    delivery.dataset.delivery = gen.delivery ?? "";
  });

  /** What moves with the clock: the elapsed time, "taking longer", the days Kling keeps the result. */
  function tick(gen, now = Date.now()) {
    const { t } = ctx;
    const time = formatElapsed(elapsedMs(gen, now), t);
    if (isFinished(gen.status)) {
      setText(elapsed, gen.finished_at ? t("card.took", { time }) : "");
    } else if (gen.status === "queued" || gen.status === "needs_check") {
      setText(elapsed, t("card.waiting", { time }));
    } else {
      setText(elapsed, t("card.running", { time }));
    }
    const slowNow = isSlow(gen, now);
    slow.hidden = !slowNow;
    if (slowNow) setText(slow, t("status.slow"));
    const left = resultDaysLeft(gen, now);
    daysLeft.hidden = !left;
    setText(daysLeft, daysLeftText(left, t));
    daysLeft.classList.toggle("is-urgent", Boolean(left?.urgent));
    facts.hidden = delivery.hidden && daysLeft.hidden;
  }

  return {
    /** In the order they stand in the card's body. */
    elements: [el("div", { class: "card-status" }, pill, elapsed), hint, slow, facts, progress],
    update(gen) {
      draw.run(JSON.stringify([ctx.lang, gen.status, gen.download_progress ?? null, gen.delivery ?? null]), gen);
      tick(gen);
    },
    tick,
    /** The next update redraws (a new language). */
    relabel() {
      draw.reset();
    },
  };
}
