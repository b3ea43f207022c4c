// Compare: two ready videos side by side at the same size (letterboxed, whatever their shapes),
// playing as one: one play button, one position slider and one speed drive both, and a seek on
// either player moves the other (media-sync.js). Under each video its settings, the ones that
// differ marked, and its prompt with the words only it has. "Keep this" makes a video a favorite,
// Delete goes through the usual confirmation with Undo, "Keep both" closes. Built here, not in
// index.html; the words come from compare-facts.js, what differs from core (`compare_generations`).
//
// createCompareView(ctx, {onRecord}):
//   onRecord(record)   every record a mark returns goes there (the gallery redraws that card)
import * as backend from "./backend.js";
import { differs, factRows, secondsText, settingRows, sideParts, SIDES, summaryText } from "./compare-facts.js";
import { detailHeading } from "./detail-facts.js";
import { cardOf, diffNodes, el, icon, showError } from "./dom.js";
import { describeError } from "./errors.js";
import { formatDecimal } from "./format.js";
import { createMediaSync } from "./media-sync.js";
import { presentError } from "./options.js";

const SPEEDS = ["0.5", "1", "2"];
/** Where the sound comes from: one video at a time, or neither. */
const SOUNDS = ["a", "b", "off"];

export function createCompareView(ctx, { onRecord }) {
  const heading = el("h2", { class: "dialog-title compare-title", id: "compare-title" });
  const summary = el("p", { class: "compare-summary", dataset: { testid: "compare-summary" } });
  const closeButton = el("button", {
    type: "button",
    class: "btn btn-icon",
    dataset: { testid: "compare-close" },
    on: { click: () => close() },
  }, icon("close", "icon icon-sm"));
  const errorSlot = el("div", { class: "error-slot" });

  const playLabel = el("span", { class: "sr-only" });
  const playButton = el("button", {
    type: "button",
    class: "btn btn-icon compare-play",
    dataset: { testid: "compare-play" },
    on: { click: () => sync?.toggle() },
  });
  const seek = el("input", {
    type: "range",
    class: "range compare-seek",
    min: "0",
    max: "0",
    step: "0.1",
    value: "0",
    dataset: { testid: "compare-seek" },
  });
  const clock = el("span", { class: "compare-clock", "aria-hidden": "true", dataset: { testid: "compare-clock" } });
  const speedLabel = el("label", { class: "compare-control-label", for: "compare-speed" });
  const speed = el("select", { id: "compare-speed", class: "input select select-small", dataset: { testid: "compare-speed" } },
    ...SPEEDS.map((value) => el("option", { value })));
  const soundLabel = el("label", { class: "compare-control-label", for: "compare-sound" });
  const sound = el("select", { id: "compare-sound", class: "input select select-small", dataset: { testid: "compare-sound" } },
    ...SOUNDS.map((value) => el("option", { value })));
  const controls = el("div", { class: "compare-controls", role: "group", dataset: { testid: "compare-controls" } },
    playButton, seek, clock,
    el("span", { class: "compare-control" }, speedLabel, speed),
    el("span", { class: "compare-control" }, soundLabel, sound));

  /** Each side's parts, by "a" and "b". */
  const sides = Object.fromEntries(SIDES.map((side) => {
    const letter = el("span", { class: "compare-letter", "aria-hidden": "true" });
    const name = el("span", { class: "compare-name", id: `compare-name-${side}`, translate: "no" });
    const player = el("div", { class: "compare-player", dataset: { testid: `compare-player-${side}` } });
    const keep = el("button", {
      type: "button",
      class: "btn btn-quiet btn-small compare-keep",
      "aria-pressed": "false",
      dataset: { testid: `compare-keep-${side}` },
      on: { click: () => toggleKeep(side) },
    }, icon("star", "icon icon-sm"), el("span"));
    const remove = el("button", {
      type: "button",
      class: "btn btn-danger-quiet btn-small",
      dataset: { testid: `compare-delete-${side}` },
      on: { click: () => shown && ctx.tidy?.deleteVideos([shown[side]]) },
    });
    const settingsHeading = el("h3", { class: "detail-label" });
    const settings = el("dl", { class: "detail-list compare-settings", dataset: { testid: `compare-settings-${side}` } });
    const facts = el("dl", { class: "detail-list detail-facts" });
    const promptHeading = el("h3", { class: "detail-label" });
    const prompt = el("p", { class: "detail-text compare-prompt", translate: "no", dataset: { testid: `compare-prompt-${side}` } });
    const negativeHeading = el("h3", { class: "detail-label" });
    const negative = el("p", { class: "detail-text compare-prompt", translate: "no", dataset: { testid: `compare-negative-${side}` } });
    const negativeBlock = el("section", { class: "detail-section" }, negativeHeading, negative);
    const column = el("section", { class: "compare-column", "aria-labelledby": `compare-name-${side}`, dataset: { side } },
      el("div", { class: "compare-actions" }, keep, remove),
      el("section", { class: "detail-section" }, settingsHeading, settings),
      facts,
      el("section", { class: "detail-section" }, promptHeading, prompt),
      negativeBlock);
    const figure = el("figure", { class: "compare-side", dataset: { side } },
      player,
      el("figcaption", { class: "compare-caption" }, letter, name));
    return [side, {
      letter, name, player, keep, remove, settingsHeading, settings, facts, promptHeading, prompt,
      negativeHeading, negative, negativeBlock, column, figure, video: null,
    }];
  }));

  const legend = el("p", { class: "field-hint compare-legend", dataset: { testid: "compare-legend" } });
  const note = el("p", { class: "saved-note compare-note", role: "status", dataset: { testid: "compare-note" } });
  const keepBoth = el("button", {
    type: "button",
    class: "btn btn-primary",
    dataset: { testid: "compare-keep-both" },
    on: { click: () => close() },
  });
  const panel = el("div", { class: "dialog-panel compare-panel", tabindex: "-1" },
    el("header", { class: "dialog-head compare-head" },
      el("div", { class: "compare-heading" }, heading, summary),
      closeButton),
    el("div", { class: "compare-body" },
      errorSlot,
      el("div", { class: "compare-stage" }, sides.a.figure, sides.b.figure),
      controls,
      legend,
      el("div", { class: "compare-columns" }, sides.a.column, sides.b.column)),
    el("footer", { class: "dialog-foot compare-foot" }, note, keepBoth));
  const dialog = el("dialog", {
    class: "dialog compare-dialog",
    "aria-labelledby": "compare-title",
    dataset: { testid: "compare-view" },
  }, panel);
  document.body.append(dialog);

  /** {a, b} records while open, else null. */
  let shown = null;
  let comparison = null;
  let lastError = null;
  let sync = null;
  /** What had the focus when the view opened (the selection bar's Compare button). */
  let openedFrom = null;
  /** Asked for the newest pair: an answer for an earlier one is dropped. */
  let asked = 0;
  const keepBusy = { a: false, b: false };
  /** The note in the footer as {key, params}, so a new language rewords it. */
  let noteText = null;
  let noteTimer = null;
  /** True while the slider is being dragged: the players' clock does not move it under the pointer. */
  let scrubbing = false;

  // ---------- the players ----------

  function putAwayVideos() {
    sync?.destroy();
    sync = null;
    for (const side of SIDES) {
      const video = sides[side].video;
      if (!video) continue;
      video.pause();
      video.removeAttribute("src");
      video.load();
      sides[side].video = null;
      sides[side].player.replaceChildren();
    }
  }

  function drawVideos() {
    putAwayVideos();
    for (const side of SIDES) {
      const generation = shown[side];
      const video = el("video", {
        class: "compare-video",
        preload: "auto",
        playsinline: true,
        poster: generation.poster_url ?? null,
        src: generation.video_url,
        "aria-labelledby": `compare-name-${side}`,
        dataset: { testid: `compare-video-${side}` },
      });
      sides[side].video = video;
      sides[side].player.replaceChildren(video);
    }
    sync = createMediaSync([sides.a.video, sides.b.video], { onChange: drawControls });
    sync.setRate(Number(speed.value));
    applySound();
  }

  function applySound() {
    for (const side of SIDES) if (sides[side].video) sides[side].video.muted = sound.value !== side;
  }

  function drawControls() {
    const { t } = ctx;
    const state = sync?.state() ?? { paused: true, time: 0, duration: null, rate: 1 };
    const label = t(state.paused ? "compare.play" : "compare.pause");
    if (playButton.dataset.paused !== String(state.paused)) {
      playButton.dataset.paused = String(state.paused);
      playButton.replaceChildren(icon(state.paused ? "play" : "pause", "icon icon-sm"), playLabel);
    }
    playLabel.textContent = label;
    playButton.title = label;
    playButton.setAttribute("aria-keyshortcuts", "Space");
    const total = state.duration ?? 0;
    seek.max = String(total);
    seek.disabled = !state.duration;
    if (!scrubbing) seek.value = String(Math.min(state.time, total));
    const now = secondsText(Number(seek.value), t, ctx.lang);
    const whole = secondsText(total, t, ctx.lang);
    clock.textContent = t("compare.clock", { now, total: whole });
    seek.setAttribute("aria-label", t("compare.seek"));
    seek.setAttribute("aria-valuetext", t("compare.position", { now, total: whole }));
    if (speed.value !== String(state.rate) && SPEEDS.includes(String(state.rate))) speed.value = String(state.rate);
  }

  seek.addEventListener("input", () => {
    scrubbing = true;
    sync?.seek(Number(seek.value));
  });
  seek.addEventListener("change", () => {
    scrubbing = false;
    drawControls();
  });
  speed.addEventListener("change", () => sync?.setRate(Number(speed.value)));
  sound.addEventListener("change", applySound);

  // ---------- words ----------

  function drawControlWords() {
    const { t } = ctx;
    speedLabel.textContent = t("compare.speed");
    for (const option of speed.options) option.textContent = t("compare.speed_value", { speed: formatDecimal(option.value, ctx.lang) });
    soundLabel.textContent = t("compare.sound");
    for (const option of sound.options) option.textContent = t(`compare.sound_from.${option.value}`);
    controls.setAttribute("aria-label", t("compare.controls"));
    drawControls();
  }

  function drawSide(side) {
    const { t } = ctx;
    const parts = sides[side];
    const generation = shown[side];
    parts.letter.textContent = t(`compare.side.${side}`);
    parts.name.textContent = detailHeading(generation, t);
    parts.name.title = parts.name.textContent;
    const kept = Boolean(generation.favorite);
    parts.keep.setAttribute("aria-pressed", String(kept));
    parts.keep.disabled = keepBusy[side];
    parts.keep.lastChild.textContent = t(kept ? "compare.kept" : "compare.keep");
    parts.keep.title = t(kept ? "detail.favorite_remove" : "compare.keep_hint");
    parts.remove.textContent = t("tidy.delete_one");
    parts.settingsHeading.textContent = t("detail.options_label");
    parts.promptHeading.textContent = t("detail.prompt_label");
    parts.negativeHeading.textContent = t("detail.negative_label");
  }

  function row(label, value, { field = null, different = false, words = true } = {}) {
    const dd = el("dd", { text: value, translate: words ? null : "no" });
    if (different) dd.append(el("span", { class: "sr-only", text: ` (${ctx.t("compare.differs")})` }));
    return el("div", {
      class: different ? "detail-row compare-row is-different" : "detail-row compare-row",
      dataset: { field: field ?? "", differs: String(different) },
    }, el("dt", { text: label }), dd);
  }

  function drawWords() {
    if (!shown || !comparison) return;
    const { t } = ctx;
    summary.textContent = summaryText(comparison, t);
    legend.textContent = t("compare.legend");
    legend.hidden = !differs(comparison.prompt_diff) && !differs(comparison.negative_prompt_diff);
    const requests = { a: shown.a.request ?? {}, b: shown.b.request ?? {} };
    const settings = settingRows(ctx.rules, requests, comparison, t, ctx.lang);
    const facts = factRows(ctx.rules, shown, t, ctx.lang);
    const hasNegative = Boolean(comparison.negative_prompt_diff);
    for (const side of SIDES) {
      const parts = sides[side];
      drawSide(side);
      parts.settings.replaceChildren(...settings.map((each) =>
        row(each.label, each[side], { field: each.field, different: each.differs })));
      parts.facts.replaceChildren(...facts.map((each) => row(each.label, each[side], { field: each.key, words: each.words })));
      const words = sideParts(comparison.prompt_diff, side);
      parts.prompt.replaceChildren(...(words.length ? diffNodes(words) : [t("detail.no_prompt")]));
      parts.prompt.classList.toggle("is-missing", !words.length);
      parts.negativeBlock.hidden = !hasNegative;
      const avoided = sideParts(comparison.negative_prompt_diff, side);
      parts.negative.replaceChildren(...(avoided.length ? diffNodes(avoided) : [t("compare.nothing_avoided")]));
      parts.negative.classList.toggle("is-missing", !avoided.length);
    }
  }

  function drawChrome() {
    const { t } = ctx;
    heading.textContent = t("compare.title");
    closeButton.setAttribute("aria-label", t("compare.close"));
    closeButton.title = t("compare.close");
    keepBoth.textContent = t("compare.keep_both");
    note.textContent = noteText ? t(noteText.key, noteText.params) : "";
    drawControlWords();
  }

  function setError(error) {
    lastError = error;
    const present = ctx.rules ? (params, err) => presentError(ctx.rules, params, err, ctx.t) : null;
    showError(errorSlot, error ? describeError(error, ctx.t, present) : null, ctx.t);
  }

  function say(key, params = {}) {
    noteText = { key, params };
    clearTimeout(noteTimer);
    noteTimer = setTimeout(() => {
      noteText = null;
      note.textContent = "";
    }, 6000);
    note.textContent = ctx.t(key, params);
  }

  // ---------- keep and delete ----------

  async function toggleKeep(side) {
    if (!shown || keepBusy[side]) return;
    const generation = shown[side];
    keepBusy[side] = true;
    setError(null);
    drawSide(side);
    try {
      const record = await backend.mark(generation.id, { favorite: !generation.favorite });
      onRecord?.(record);
      if (shown?.[side]?.id === record.id) {
        shown[side] = record;
        say(record.favorite ? "compare.kept_note" : "compare.unkept_note", { side: ctx.t(`compare.side.${side}`) });
      }
    } catch (error) {
      setError(error);
    } finally {
      keepBusy[side] = false;
      if (shown) drawSide(side);
    }
  }

  // ---------- opening and closing ----------

  /** Shows `pair` ({a, b} generation records from the gallery) and asks core what differs. */
  async function open(pair) {
    const mine = ++asked;
    openedFrom = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    shown = null;
    comparison = null;
    noteText = null;
    setError(null);
    putAwayVideos();
    for (const side of SIDES) sides[side].column.hidden = true;
    summary.textContent = "";
    legend.textContent = "";
    drawChrome();
    if (!dialog.open) dialog.showModal();
    playButton.focus();
    try {
      const answer = await backend.compareGenerations(pair.a.id, pair.b.id);
      if (mine !== asked || !dialog.open) return;
      shown = { a: answer.a, b: answer.b };
      comparison = answer.comparison;
      for (const side of SIDES) sides[side].column.hidden = false;
      drawVideos();
      drawWords();
      drawControls();
    } catch (error) {
      if (mine !== asked || !dialog.open) return;
      setError(error);
    }
  }

  function close() {
    if (dialog.open) dialog.close();
  }

  dialog.addEventListener("close", () => {
    asked += 1;
    putAwayVideos();
    const ids = shown ? SIDES.map((side) => shown[side].id) : [];
    shown = null;
    comparison = null;
    clearTimeout(noteTimer);
    // Back where the user was: the Compare button, or, when it went (a video was deleted), the
    // card of the video left.
    const back = openedFrom?.isConnected && openedFrom.offsetParent !== null ? openedFrom : ids.map(cardOf).find(Boolean);
    back?.focus({ preventScroll: false });
  });
  dialog.addEventListener("click", (event) => {
    if (event.target === dialog) close();
  });
  dialog.addEventListener("keydown", (event) => {
    if (event.key !== " " || event.defaultPrevented || !sync) return;
    const tag = event.target?.tagName?.toLowerCase();
    // Space belongs to the focused control; anywhere else it plays and pauses both.
    if (["button", "input", "select", "textarea", "a"].includes(tag)) return;
    event.preventDefault();
    sync.toggle();
  });

  return {
    /** Opens the view for two generation records (the selection, in gallery order). */
    open(generations) {
      const [a, b] = generations;
      if (a && b) open({ a, b });
    },
    /** Videos were deleted: a compared one gone leaves nothing to compare, so the view closes. */
    removed(ids) {
      if (shown && SIDES.some((side) => ids.includes(shown[side].id))) close();
    },
    relabel() {
      if (!dialog.open) return;
      drawChrome();
      drawWords();
      if (lastError) setError(lastError);
    },
    get isOpen() {
      return dialog.open;
    },
  };
}
