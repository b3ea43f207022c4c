// What a card was asked for: its title or prompt (the searched words marked), one line of its
// settings (shape, length, mode, model), and "Use these settings", which fills the composer.
import { el, icon, setText } from "../dom.js";
import { formatDecimal } from "../format.js";
import { highlightParts } from "../library-query.js";
import { renderOnChange } from "../memo.js";
import { modelLabel } from "../options.js";
import { wordlessName } from "../pictures.js";

/** `serial` tells this card's ids from the other cards'. */
export function createDetails(initial, ctx, serial) {
  let gen = initial;
  // The card's name for assistive technology (card/index.js) is what this shows.
  const prompt = el("p", { class: "prompt", id: `card-prompt-${serial}` });
  const meta = el("p", { class: "meta" });
  const reuseLabel = el("span");
  const reuse = el("button", {
    type: "button",
    class: "btn btn-quiet btn-small reuse",
    dataset: { testid: "reuse" },
    on: { click: () => ctx.reuse?.(gen.request ?? {}, gen) },
  }, icon("reuse", "icon icon-sm"), reuseLabel);

  const draw = renderOnChange(() => {
    const { t } = ctx;
    const request = gen.request ?? {};
    // A video from a picture or a continued clip may have no words; a recovered task has none.
    const shownPrompt = request.prompt || wordlessName(gen, t);
    // A title the user gave stands in for the prompt; both are what the search finds.
    const heading = gen.title || shownPrompt;
    const parts = highlightParts(heading, ctx.searchText?.() ?? "");
    // Plain words are written only when they changed; marked words (or marks to take away) are rebuilt.
    if (parts.some((part) => part.match) || prompt.children.length) {
      prompt.replaceChildren(...parts.map((part) =>
        (part.match ? el("mark", { class: "match", text: part.text }) : document.createTextNode(part.text))));
    } else setText(prompt, heading);
    prompt.classList.toggle("is-title", Boolean(gen.title));
    prompt.dataset.testid = gen.title ? "card-title" : "card-prompt";
    prompt.title = gen.title ? `${gen.title}\n${shownPrompt}` : shownPrompt;
    // The user's own words are not the app's to translate.
    prompt.setAttribute("translate", gen.title || request.prompt ? "no" : "yes");
    const facts = [];
    if (request.aspect_ratio) facts.push(request.aspect_ratio);
    const seconds = gen.video_duration ?? request.duration;
    if (seconds) facts.push(t("card.duration", { seconds: formatDecimal(seconds, ctx.lang) }));
    if (request.mode) facts.push(request.mode === "pro" ? t("card.mode_pro") : request.mode === "std" ? t("card.mode_std") : request.mode);
    if (request.model_name) facts.push(ctx.rules ? modelLabel(ctx.rules, request.model_name) : request.model_name);
    setText(meta, facts.join(" · "));
    setText(reuseLabel, t("card.reuse"));
    reuse.title = t("card.reuse_hint");
  });

  return {
    prompt,
    meta,
    /** "Use these settings", for the row under the card. */
    reuse,
    update(next) {
      gen = next;
      draw.run(JSON.stringify([ctx.lang, gen.request ?? null, gen.task_id ?? null, gen.video_duration ?? null, ctx.rules != null,
        gen.title ?? null, ctx.searchText?.() ?? ""]));
    },
    /** The next update redraws (a new language). */
    relabel() {
      draw.reset();
    },
  };
}
