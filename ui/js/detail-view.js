// The detail view: one generation in a large modal dialog. The player (with seeking) or what the
// video is doing, the full prompt and what to avoid (selectable), the start and end pictures of a
// video made from them, the clips it continues and those continuing it (lineage), every option in
// words, the task id with a copy button, when it was made, how long it took and what it cost;
// favorite, reject and a title for a finished video; "Use these settings", "Continue this video",
// "Generate again", and previous/next through the gallery's current results without closing. The
// words come from detail-facts.js.
//
// createDetailView(ctx, {onRecord, step}):
//   onRecord(record)        every record a call here returns (a mark, a new generation) goes there
//   step(id, delta) → Promise<record | null>
//                           the record before (delta −1) or after (+1) `id` in the gallery's
//                           current results, or null at either end (or when `id` is no longer in
//                           them). A null disables that direction until the view shows another video.
import * as backend from "./backend.js";
import { copyText } from "./clipboard.js";
import {
  againRequest, costFact, detailHeading, madeText, marksAvailable, optionFacts, stepForKey, TITLE_MAX, titleChange, tookText,
} from "./detail-facts.js";
import { cardOf, el, icon, setAspect, showError } from "./dom.js";
import { describeError } from "./errors.js";
import { renderOnChange } from "./memo.js";
import { presentError } from "./options.js";
import { continueLeft, continueLeftText, kindOf, pictureSize } from "./pictures.js";
import { parseRatio } from "./ratio.js";
import { showsError, statusText } from "./status.js";
import { createFileButtons } from "./tidy.js";

export function createDetailView(ctx, { onRecord, step }) {
  const dialog = document.getElementById("detail-dialog");
  const panel = document.getElementById("detail-panel");
  const heading = document.getElementById("detail-heading");
  const prevButton = document.getElementById("detail-prev");
  const nextButton = document.getElementById("detail-next");
  const player = document.getElementById("detail-player");
  const marks = document.getElementById("detail-marks");
  const marksLater = document.getElementById("detail-marks-later");
  const favoriteButton = document.getElementById("detail-favorite");
  const rejectButton = document.getElementById("detail-reject");
  const titleInput = document.getElementById("detail-title");
  const titleProblem = document.getElementById("detail-title-problem");
  const prompt = document.getElementById("detail-prompt");
  const negativeBlock = document.getElementById("detail-negative");
  const negative = document.getElementById("detail-negative-prompt");
  const options = document.getElementById("detail-options");
  const taskId = document.getElementById("detail-task-id");
  const copyButton = document.getElementById("detail-copy-task-id");
  const made = document.getElementById("detail-made");
  const took = document.getElementById("detail-took");
  const cost = document.getElementById("detail-cost");
  const errorSlot = document.getElementById("detail-error");
  const note = document.getElementById("detail-note");
  const reuseButton = document.getElementById("detail-reuse");
  const againButton = document.getElementById("detail-generate-again");
  const againLabel = document.getElementById("detail-again-label");
  const againReason = document.getElementById("detail-again-reason");
  const picturesBlock = document.getElementById("detail-pictures");
  const pictureParts = {
    image: {
      figure: document.getElementById("detail-start-picture"),
      image: document.getElementById("detail-start-image"),
      caption: document.getElementById("detail-start-caption"),
      url: "image_url",
      name: "pictures.start",
    },
    image_tail: {
      figure: document.getElementById("detail-end-picture"),
      image: document.getElementById("detail-end-image"),
      caption: document.getElementById("detail-end-caption"),
      url: "image_tail_url",
      name: "pictures.end",
    },
  };
  const lineageBlock = document.getElementById("detail-lineage");
  const lineageFrom = document.getElementById("detail-lineage-from");
  const lineageAs = document.getElementById("detail-lineage-as");
  const ancestorList = document.getElementById("detail-ancestors");
  const continuationList = document.getElementById("detail-continuations");
  const continueButton = document.getElementById("detail-continue");
  const continueLeftLine = document.getElementById("detail-continue-left");

  titleInput.maxLength = TITLE_MAX;
  // Open in player, Show in folder, Delete: the same as on a card, under the marks.
  const files = createFileButtons(ctx, () => gen);
  marks.after(files.element);

  /** The record shown, or null while closed. */
  let gen = null;
  /** The card the dialog was opened from, to return focus to. */
  let openedFrom = null;
  /** Directions known to have nothing further (step answered null) for the video shown. */
  const ends = { "-1": false, 1: false };
  let stepping = false;
  let againBusy = false;
  const markBusy = { favorite: false, rejected: false, title: false };
  let lastError = null;
  let titleError = null;
  /** The note under the actions: {key, params} so a new language rewords it. */
  let noteText = null;
  let noteTimer = null;
  let copiedTimer = null;
  let copied = false;
  /** The <video> while a ready video is shown. */
  let video = null;
  /** The clips the one shown continues and those continuing it: {id, ancestors, continuations}. */
  let lineage = null;

  // ---------- the player ----------

  /** Stops the video and lets go of its download (a removed src alone keeps the pipeline). */
  function putAwayVideo() {
    if (!video) return;
    video.pause();
    video.removeAttribute("src");
    video.load();
    video = null;
  }

  function placeholder() {
    const { t } = ctx;
    const text = statusText(gen.status, t);
    let hint = text.hint;
    if (showsError(gen.status) && gen.error?.kind) {
      hint = describeError(gen.error, t, ctx.rules ? (params, error) => presentError(ctx.rules, params, error, t) : null).text;
    }
    const iconName = text.tone === "bad" ? "alert" : text.tone === "muted" ? "film" : "clock";
    return el("div", { class: "detail-placeholder", dataset: { testid: "detail-placeholder", status: gen.status } },
      icon(iconName, "icon icon-lg"),
      el("span", { class: `pill pill-${text.tone}`, text: text.label }),
      el("p", { class: "detail-placeholder-hint", text: hint }));
  }

  /** The media is rebuilt only when what plays changes; a poster or a mark never restarts it. */
  const drawMedia = renderOnChange(() => {
    putAwayVideo();
    const ready = gen.status === "ready" && Boolean(gen.video_url);
    setAspect(player, parseRatio(gen.request?.aspect_ratio));
    player.dataset.view = ready ? "video" : "state";
    if (ready) {
      video = el("video", {
        class: "detail-video",
        controls: true,
        preload: "metadata",
        playsinline: true,
        poster: gen.poster_url ?? null,
        src: gen.video_url,
        "aria-labelledby": "detail-heading",
        dataset: { testid: "detail-video" },
      });
      player.replaceChildren(video);
    } else {
      player.replaceChildren(placeholder());
    }
  });

  // ---------- drawing ----------

  function drawText() {
    const { t } = ctx;
    const request = gen.request ?? {};
    const hasPrompt = Boolean(String(request.prompt ?? "").trim());
    heading.textContent = detailHeading(gen, t);
    heading.title = heading.textContent;
    // The user's own words are not the app's to translate; a recovered task's stand-in is.
    heading.setAttribute("translate", hasPrompt || String(gen.title ?? "").trim() ? "no" : "yes");
    if (video && gen.poster_url && video.getAttribute("poster") !== gen.poster_url) video.poster = gen.poster_url;

    prompt.textContent = hasPrompt ? request.prompt : t(kindOf(gen) === "text_to_video" ? "detail.no_prompt" : "detail.no_words");
    prompt.setAttribute("translate", hasPrompt ? "no" : "yes");
    prompt.classList.toggle("is-missing", !hasPrompt);
    const avoid = String(request.negative_prompt ?? "").trim();
    negativeBlock.hidden = !avoid;
    negative.textContent = avoid ? request.negative_prompt : "";

    options.replaceChildren(...optionFacts(ctx.rules, request, t, ctx.lang).map((fact) =>
      el("div", { class: "detail-row", dataset: { field: fact.field } },
        el("dt", { text: fact.label }),
        el("dd", { text: fact.value }))));

    taskId.textContent = gen.task_id ?? t("detail.task_id_none");
    taskId.classList.toggle("is-missing", !gen.task_id);
    copyButton.hidden = !gen.task_id;
    copyButton.textContent = t(copied ? "detail.copied" : "detail.copy");
    copyButton.setAttribute("aria-label", t(copied ? "detail.copied" : "detail.copy_task_id"));
    made.textContent = madeText(gen.created_at, ctx.lang);
    took.textContent = tookText(gen, t);
    cost.textContent = costFact(ctx.rules, request, t, ctx.lang);
    drawPictures();
    drawLineage();
  }

  /** The start and end pictures of a video made from them, with their sizes. */
  function drawPictures() {
    const { t } = ctx;
    const request = gen.request ?? {};
    let any = false;
    for (const [field, part] of Object.entries(pictureParts)) {
      const url = gen[part.url];
      part.figure.hidden = !url;
      if (!url) continue;
      any = true;
      if (part.image.getAttribute("src") !== url) part.image.src = url;
      part.image.alt = t(part.name);
      part.caption.textContent = [t(part.name), pictureSize(request[field])].filter(Boolean).join(" · ");
    }
    picturesBlock.hidden = !any;
  }

  /** One clip of the lineage: its name and when it was made; a click shows it here. */
  function lineageItem(record) {
    const { t } = ctx;
    return el("li", {},
      el("button", {
        type: "button",
        class: "link-button lineage-link",
        dataset: { testid: "lineage-item", id: record.id },
        on: { click: () => showRelative(record) },
      },
      el("span", { class: "lineage-name", text: detailHeading(record, t) }),
      el("span", { class: "lineage-made", text: madeText(record.created_at, ctx.lang) })));
  }

  /** Redrawn only when a clip of it changed, so a focused link keeps the keyboard. */
  const drawLineageLists = renderOnChange((ancestors, continuations) => {
    lineageBlock.hidden = !ancestors.length && !continuations.length;
    lineageFrom.hidden = !ancestors.length;
    lineageAs.hidden = !continuations.length;
    ancestorList.replaceChildren(...ancestors.map(lineageItem));
    continuationList.replaceChildren(...continuations.map(lineageItem));
  });

  function drawLineage() {
    const known = lineage?.id === gen.id ? lineage : null;
    const ancestors = known?.ancestors ?? [];
    const continuations = known?.continuations ?? [];
    const names = (records) => records.map((record) => [record.id, record.title ?? null, record.request?.prompt ?? null]);
    drawLineageLists.run(JSON.stringify([ctx.lang, gen.id, names(ancestors), names(continuations)]), ancestors, continuations);
  }

  /** Asks which clips the one shown continues and which continue it. */
  async function loadLineage() {
    const id = gen?.id;
    if (!id) return;
    try {
      const answer = await backend.lineage(id);
      if (gen?.id !== id) return;
      lineage = { id, ancestors: answer?.ancestors ?? [], continuations: answer?.continuations ?? [] };
    } catch (error) {
      console.warn("Kling Desk: the lineage could not be read", error);
      return;
    }
    if (gen) drawLineage();
  }

  /** A clip of the lineage, shown in this dialog in place of the one before. */
  function showRelative(record) {
    noteText = null;
    show(record);
    panel.focus({ preventScroll: true });
  }

  function drawMarks() {
    const { t } = ctx;
    const available = marksAvailable(gen);
    marks.hidden = !available;
    marksLater.hidden = available;
    favoriteButton.setAttribute("aria-pressed", String(Boolean(gen.favorite)));
    favoriteButton.title = t(gen.favorite ? "detail.favorite_remove" : "detail.favorite_add");
    favoriteButton.disabled = !available || markBusy.favorite;
    rejectButton.setAttribute("aria-pressed", String(Boolean(gen.rejected)));
    rejectButton.title = t(gen.rejected ? "detail.reject_remove" : "detail.reject_add");
    rejectButton.disabled = !available || markBusy.rejected;
    titleInput.disabled = !available;
    // The field being edited, or refused, keeps what the user typed; otherwise it shows the saved title.
    if (document.activeElement !== titleInput && !titleError) titleInput.value = gen.title ?? "";
    titleInput.setAttribute("aria-invalid", String(Boolean(titleError)));
    titleInput.classList.toggle("is-over", Boolean(titleError));
    titleProblem.hidden = !titleError;
    titleProblem.textContent = titleError ? describeError(titleError, t).text : "";
  }

  function drawActions() {
    const { t } = ctx;
    const request = againRequest(gen);
    againButton.disabled = againBusy || !request;
    againButton.setAttribute("aria-busy", String(againBusy));
    againLabel.textContent = t(againBusy ? "detail.again_starting" : "detail.again");
    againButton.title = request ? t("detail.again_hint") : "";
    againReason.hidden = Boolean(request);
    const left = gen.status === "ready" ? continueLeft(gen.continue_until, Date.now()) : null;
    continueButton.hidden = !left;
    continueLeftLine.hidden = !left;
    continueLeftLine.textContent = continueLeftText(left, t);
    for (const [button, delta] of [[prevButton, -1], [nextButton, 1]]) {
      // aria-disabled, not disabled: a pressed button at the end keeps the keyboard focus.
      button.setAttribute("aria-disabled", String(ends[delta] || stepping));
    }
    // Always present (a live region that appears with its text is not always read out).
    note.textContent = noteText ? t(noteText.key, noteText.params) : "";
  }

  function draw() {
    if (!gen) return;
    drawMedia.run(JSON.stringify([gen.id, gen.status === "ready" ? gen.video_url ?? null : `state:${gen.status}:${ctx.lang}:${gen.error?.kind ?? ""}`]));
    drawText();
    drawMarks();
    drawActions();
    files.update();
  }

  function setError(error) {
    lastError = error;
    const present = ctx.rules ? (params, err) => presentError(ctx.rules, params, err, ctx.t) : null;
    showError(errorSlot, error ? describeError(error, ctx.t, present) : null, ctx.t);
  }

  function say(key, params = {}, forMs = 6000) {
    noteText = { key, params };
    clearTimeout(noteTimer);
    noteTimer = setTimeout(() => {
      noteText = null;
      if (gen) drawActions();
    }, forMs);
    drawActions();
  }

  /** Shows another record (open, or a move): the media, the marks' errors and the ends start over. */
  function show(record) {
    const moving = gen && gen.id !== record.id;
    if (moving || !gen) {
      ends[-1] = false;
      ends[1] = false;
      titleError = null;
      copied = false;
      clearTimeout(copiedTimer);
      setError(null);
      // Even while it has the focus: an edit of the video left behind was saved on its way out.
      titleInput.value = record.title ?? "";
      lineage = null;
    }
    gen = record;
    draw();
    if (moving || !lineage) loadLineage();
  }

  /** A newer record of the one shown: the marks a call returned, or an event. */
  function accept(record) {
    // A new clip continuing the one shown joins its lineage.
    const continuesShown = gen && record?.request?.parent?.generation_id === gen.id;
    if (continuesShown && !lineage?.continuations.some((known) => known.id === record.id)) loadLineage();
    if (!gen || !record || record.id !== gen.id) return false;
    if ((record.updated_at ?? 0) < (gen.updated_at ?? 0)) return false;
    gen = record;
    draw();
    return true;
  }

  // ---------- opening and closing ----------

  function open(record) {
    if (!record) return;
    if (!dialog.open) {
      openedFrom = record.id;
      noteText = null;
    }
    show(record);
    if (!dialog.open) dialog.showModal();
    panel.focus({ preventScroll: true });
  }

  function close() {
    if (dialog.open) dialog.close();
  }

  /** Set by "Use these settings", which puts the focus in the composer instead. */
  let keepFocus = false;
  /** Set by an Escape that only took back an edited title. */
  let keepOpen = false;
  dialog.addEventListener("close", () => {
    putAwayVideo();
    drawMedia.reset();
    player.replaceChildren();
    const shown = gen?.id;
    gen = null;
    lineage = null;
    clearTimeout(noteTimer);
    noteText = null;
    if (keepFocus) {
      keepFocus = false;
      return;
    }
    // The card of the video shown last (the user may have moved), else the one it opened from.
    (cardOf(shown) ?? cardOf(openedFrom))?.focus({ preventScroll: false });
  });
  dialog.addEventListener("click", (event) => {
    if (event.target === dialog) close();
  });
  for (const button of dialog.querySelectorAll("[data-close]")) button.addEventListener("click", close);

  // ---------- previous / next ----------

  async function move(delta) {
    if (!gen || stepping || ends[delta]) {
      if (gen && ends[delta]) say(delta < 0 ? "detail.at_start" : "detail.at_end");
      return;
    }
    const from = gen.id;
    stepping = true;
    drawActions();
    let next = null;
    try {
      next = await step(from, delta);
    } catch (error) {
      setError(error);
    } finally {
      stepping = false;
    }
    if (!gen || gen.id !== from) return; // closed, or moved by something else meanwhile
    if (next && next.id !== from) {
      noteText = null;
      show(next);
      // The focus stays on a pressed button; if it was on the old player, it goes to the panel.
      if (!panel.contains(document.activeElement) || player.contains(document.activeElement)) panel.focus({ preventScroll: true });
    } else {
      ends[delta] = true;
      say(delta < 0 ? "detail.at_start" : "detail.at_end");
    }
  }

  prevButton.addEventListener("click", () => move(-1));
  nextButton.addEventListener("click", () => move(1));
  dialog.addEventListener("keydown", (event) => {
    if (!gen || event.defaultPrevented) return;
    const target = event.target;
    if (event.key === " " && target === panel && video) {
      // Space on the dialog itself plays and pauses, as it does on a card.
      event.preventDefault();
      if (video.paused) video.play().catch(() => {});
      else video.pause();
      return;
    }
    const delta = stepForKey(event, {
      tag: target?.tagName,
      type: target?.type,
      editable: Boolean(target?.isContentEditable),
    });
    if (!delta) return;
    event.preventDefault();
    move(delta);
  });

  // ---------- marks ----------

  async function mark(change, busyKey) {
    if (!gen || markBusy[busyKey]) return null;
    const id = gen.id;
    markBusy[busyKey] = true;
    setError(null);
    drawMarks();
    try {
      const record = await backend.mark(id, change);
      onRecord?.(record);
      accept(record);
      return record;
    } catch (error) {
      if (busyKey === "title" && error?.kind === "title_too_long") titleError = error;
      else setError(error);
      return null;
    } finally {
      markBusy[busyKey] = false;
      if (gen) drawMarks();
    }
  }

  favoriteButton.addEventListener("click", () => {
    if (gen) mark({ favorite: !gen.favorite }, "favorite");
  });
  rejectButton.addEventListener("click", () => {
    if (gen) mark({ rejected: !gen.rejected }, "rejected");
  });

  async function saveTitle() {
    if (!gen || !marksAvailable(gen)) return;
    const change = titleChange(gen, titleInput.value);
    if (change === null) return;
    titleError = null;
    const record = await mark({ title: change }, "title");
    if (record && gen?.id === record.id) {
      if (document.activeElement === titleInput) titleInput.value = record.title ?? "";
      say(record.title ? "detail.title_saved" : "detail.title_cleared");
    }
  }

  titleInput.addEventListener("keydown", (event) => {
    if (event.key === "Enter") {
      event.preventDefault();
      saveTitle();
    } else if (event.key === "Escape" && gen && (titleChange(gen, titleInput.value) !== null || titleError)) {
      // The first Escape takes back what was typed; the next one closes the dialog.
      event.preventDefault();
      titleInput.value = gen.title ?? "";
      titleError = null;
      drawMarks();
      keepOpen = true;
      setTimeout(() => { keepOpen = false; }, 0);
    }
  });
  // WebKit closes a modal dialog on Escape even when the keydown was handled: its cancel is refused.
  dialog.addEventListener("cancel", (event) => {
    if (!keepOpen) return;
    keepOpen = false;
    event.preventDefault();
  });
  titleInput.addEventListener("blur", () => {
    if (dialog.open) saveTitle();
  });
  titleInput.addEventListener("input", () => {
    if (!titleError) return;
    titleError = null;
    drawMarks();
  });

  // ---------- copy, reuse, generate again ----------

  copyButton.addEventListener("click", async () => {
    if (!gen?.task_id) return;
    const how = await copyText(gen.task_id, taskId);
    if (how !== "copied") {
      say("detail.copy_selected");
      return;
    }
    copied = true;
    drawText();
    clearTimeout(copiedTimer);
    copiedTimer = setTimeout(() => {
      copied = false;
      if (gen) drawText();
    }, 1800);
  });

  reuseButton.addEventListener("click", () => {
    if (!gen) return;
    const shown = gen;
    keepFocus = true;
    close();
    // After closing: the composer is outside the modal dialog, so it can take the focus only now.
    ctx.reuse?.(shown.request ?? {}, shown);
  });

  continueButton.addEventListener("click", () => {
    if (gen) ctx.continueVideo?.(gen);
  });

  againButton.addEventListener("click", async () => {
    if (!gen || againBusy) return;
    const request = againRequest(gen);
    if (!request) return;
    againBusy = true;
    setError(null);
    drawActions();
    try {
      for (const record of await backend.generate(request)) onRecord?.(record);
      say("detail.again_started");
    } catch (error) {
      setError(error);
      if (error?.kind === "key_missing") ctx.refreshKeyStatus?.();
    } finally {
      againBusy = false;
      if (gen) drawActions();
    }
  });

  return {
    /** Shows a generation record (from a card); while open, shows this one instead. */
    open,
    /** A newer record of any generation (an event or a call's answer): redraws if it is the one shown. */
    update(record) {
      accept(record);
    },
    /** The language changed: every text is written again (the video keeps playing). */
    relabel() {
      if (!gen) return;
      draw();
      if (lastError) setError(lastError);
    },
    close,
    get isOpen() {
      return dialog.open;
    },
    get currentId() {
      return dialog.open ? gen?.id ?? null : null;
    },
  };
}
