// What a card was asked for: the prompt, one line of its settings (shape, length, mode, model),
// and "Use these settings", which fills the composer with them.
import { el, icon } from "../dom.js";
import { formatDecimal } from "../format.js";
import { renderOnChange } from "../memo.js";
import { modelLabel } from "../options.js";

export function createDetails(initial, ctx) {
  let gen = initial;
  const prompt = el("p", { class: "prompt" });
  const meta = el("p", { class: "meta" });
  const reuseLabel = el("span");
  const reuse = el("button", {
    type: "button",
    class: "btn btn-quiet btn-small reuse",
    dataset: { testid: "reuse" },
    on: { click: () => ctx.reuse?.(gen.request ?? {}) },
  }, icon("reuse", "icon icon-sm"), reuseLabel);

  const draw = renderOnChange(() => {
    const { t } = ctx;
    const request = gen.request ?? {};
    // A recovered task carries no prompt: the provider does not say what it was made from.
    const shownPrompt = request.prompt || t("card.recovered", { task_id: gen.task_id ?? "" });
    prompt.textContent = shownPrompt;
    prompt.title = shownPrompt;
    const parts = [];
    if (request.aspect_ratio) parts.push(request.aspect_ratio);
    const seconds = gen.video_duration ?? request.duration;
    if (seconds) parts.push(t("card.duration", { seconds: formatDecimal(seconds, ctx.lang) }));
    if (request.mode) parts.push(request.mode === "pro" ? t("card.mode_pro") : request.mode === "std" ? t("card.mode_std") : request.mode);
    if (request.model_name) parts.push(ctx.rules ? modelLabel(ctx.rules, request.model_name) : request.model_name);
    meta.textContent = parts.join(" · ");
    reuseLabel.textContent = t("card.reuse");
    reuse.title = t("card.reuse_hint");
  });

  return {
    prompt,
    meta,
    /** The row under the card with "Use these settings". */
    bar: el("div", { class: "card-actions" }, reuse),
    update(next) {
      gen = next;
      draw.run(JSON.stringify([ctx.lang, gen.request ?? null, gen.task_id ?? null, gen.video_duration ?? null, ctx.rules != null]));
    },
    /** The next update redraws (a new language). */
    relabel() {
      draw.reset();
    },
  };
}
