// One gallery card. A ready card shows its poster image (or a plain placeholder) with a play
// button; the <video> (a media pipeline) exists only after the user pressed play, and is freed
// again when another card plays or when it has stopped and is scrolled far away.
// needs_check and queued cards carry their actions; the returned record goes back to the gallery.
import * as backend from "./backend.js";
import { copyText } from "./clipboard.js";
import { describeError } from "./errors.js";
import { el, icon } from "./dom.js";
import { daysLeftText, resultDaysLeft } from "./expiry.js";
import { ACTION_COMMANDS, cardActions, deliveryKey, isFinished, isSlow, passingProblem, showsError, statusText } from "./status.js";
import { modelLabel } from "./options.js";
import { mediaView } from "./posters.js";
import { elapsedMs, formatElapsed } from "./time.js";

const COMMANDS = {
  check_again: backend.checkAgain,
  post_again: backend.postAgain,
  discard: backend.discard,
  download_again: backend.downloadAgain,
};

/** Button look, label and busy label of each card action. */
const ACTION_VIEW = {
  check_again: { testid: "check-again", class: "btn btn-secondary btn-small", label: "card.check_again", busy: "card.checking" },
  post_again: { testid: "post-again", class: "btn btn-quiet btn-small", label: "card.post_again", busy: "card.sending" },
  discard: { testid: "discard", class: "btn btn-danger-quiet btn-small", label: "card.discard", busy: "card.discarding" },
  cancel: { testid: "cancel", class: "btn btn-quiet btn-small", label: "card.cancel", busy: "card.cancelling" },
  download_again: { testid: "download-again", class: "btn btn-secondary btn-small", label: "card.download_again", busy: "card.downloading_again" },
};

/** "16:9" → {css: "16 / 9", value: 1.777…}; anything odd falls back to 16:9. */
export function parseRatio(text) {
  const match = /^(\d+(?:\.\d+)?):(\d+(?:\.\d+)?)$/.exec(String(text ?? ""));
  const w = match ? Number(match[1]) : 16;
  const h = match ? Number(match[2]) : 9;
  if (!(w > 0 && h > 0)) return { css: "16 / 9", value: 16 / 9 };
  return { css: `${w} / ${h}`, value: w / h };
}

/** Ratios closer than this are the same shape (a poster's pixels are rounded). */
const RATIO_TOLERANCE = 0.01;

export function createCard(initial, ctx, { onRecord = () => {}, onPlay = () => {} } = {}) {
  let gen = initial;
  let near = typeof IntersectionObserver === "undefined";
  /** True from the press on play until the video is put away again. */
  let active = false;
  let video = null;
  let resumeAt = 0;
  /** A poster_url whose image did not load: the plain placeholder is shown instead. */
  let brokenPoster = null;
  /** The shape learned from the poster or the video, once known. */
  let measured = null;
  let mediaKey = "";
  let problemKey = "";
  let actionsKey = "";
  /** The action whose call is running, if any; every action button waits for it. */
  let busyAction = null;
  /** True while the "Send again" warning asks for confirmation. */
  let confirming = false;
  let actionError = null;
  let copiedTimer = null;

  const root = el("li", { class: "card", dataset: { testid: "generation", id: gen.id } });
  const media = el("div", { class: "media" });
  const pill = el("span", { class: "pill", dataset: { testid: "status" } });
  const elapsed = el("span", { class: "elapsed", dataset: { testid: "elapsed" } });
  const hint = el("p", { class: "hint" });
  const slow = el("p", { class: "slow" });
  const delivery = el("span", { class: "delivery", dataset: { testid: "delivery" } });
  const daysLeft = el("span", { class: "days-left", dataset: { testid: "days-left" } });
  const facts = el("p", { class: "card-facts" }, delivery, daysLeft);
  const actions = el("div", { class: "card-controls" });
  const progressFill = el("div", { class: "progress-fill" });
  const progress = el("div", {
    class: "progress",
    role: "progressbar",
    "aria-valuemin": "0",
    "aria-valuemax": "100",
    dataset: { testid: "progress" },
  }, progressFill);
  const prompt = el("p", { class: "prompt" });
  const meta = el("p", { class: "meta" });
  const problem = el("div", { class: "card-problem" });
  const detailsSlot = el("div", { class: "card-details" });
  const reuseLabel = el("span");
  const reuse = el("button", {
    type: "button",
    class: "btn btn-quiet btn-small reuse",
    dataset: { testid: "reuse" },
    on: { click: () => ctx.reuse?.(gen.request ?? {}) },
  }, icon("reuse", "icon icon-sm"), reuseLabel);
  root.append(
    media,
    el("div", { class: "card-body" },
      el("div", { class: "card-status" }, pill, elapsed),
      hint,
      slow,
      facts,
      progress,
      prompt,
      meta,
      problem,
      actions,
      detailsSlot,
      el("div", { class: "card-actions" }, reuse),
    ),
  );

  function applyRatio(value, css) {
    media.style.setProperty("--ar", css);
    media.style.setProperty("--ar-value", String(value));
  }

  function measure(width, height) {
    if (!(width > 0 && height > 0)) return;
    const value = width / height;
    if (measured && Math.abs(measured.value - value) / value < RATIO_TOLERANCE) return;
    const current = measured ?? parseRatio(gen.request?.aspect_ratio);
    measured = Math.abs(current.value - value) / value < RATIO_TOLERANCE ? current : { value, css: `${width} / ${height}` };
    applyRatio(measured.value, measured.css);
  }

  function placeholder(kind) {
    const { t } = ctx;
    if (kind === "ready") {
      return el("div", { class: "media-placeholder is-ready" });
    }
    if (kind === "failed" || kind === "expired") {
      return el("div", { class: `media-placeholder is-${kind}` }, icon(kind === "failed" ? "alert" : "clock", "icon icon-lg"));
    }
    if (kind === "needs_check") {
      return el("div", { class: "media-placeholder is-warn" }, icon("alert", "icon icon-lg"));
    }
    return el("div", { class: `media-placeholder is-working is-${kind}` }, el("span", { class: "orbit", "aria-hidden": "true" }));
  }

  /** One play button per card, kept through poster changes so a press (or a focus) is not lost. */
  let playButtonNode = null;
  function playButton() {
    const { t } = ctx;
    playButtonNode ??= el("button", {
      type: "button",
      class: "play-button",
      dataset: { testid: "play" },
      on: { click: play },
    }, el("span", { class: "play-disc" }, icon("play", "icon play-icon")));
    playButtonNode.setAttribute("aria-label", t("card.play"));
    playButtonNode.title = t("card.play");
    return playButtonNode;
  }

  function posterImage() {
    const url = gen.poster_url;
    const img = el("img", {
      class: "poster",
      dataset: { testid: "poster" },
      alt: "",
      loading: "lazy",
      decoding: "async",
      src: url,
    });
    img.addEventListener("load", () => measure(img.naturalWidth, img.naturalHeight), { once: true });
    img.addEventListener("error", () => {
      if (gen.poster_url !== url) return;
      brokenPoster = url;
      renderMedia();
    }, { once: true });
    return img;
  }

  function makeVideo() {
    const v = el("video", {
      class: "clip",
      dataset: { testid: "video" },
      controls: true,
      autoplay: true,
      playsinline: true,
      preload: "metadata",
      src: gen.video_url,
    });
    v.addEventListener("loadedmetadata", () => {
      measure(v.videoWidth, v.videoHeight);
      if (resumeAt > 0 && resumeAt < v.duration) v.currentTime = resumeAt;
    });
    // A video that kept playing while scrolled away is put away once it stops.
    const putAwayIfFar = () => {
      if (v === video && !near) queueMicrotask(stop);
    };
    v.addEventListener("pause", putAwayIfFar);
    v.addEventListener("ended", putAwayIfFar);
    return v;
  }

  /** The poster or placeholder under the play button; the button itself stays where it is. */
  function showBehindPlay(visual) {
    const button = playButton();
    if (button.parentNode !== media) {
      media.replaceChildren(visual, button);
      return;
    }
    for (const child of [...media.children]) if (child !== button) child.remove();
    media.insertBefore(visual, button);
  }

  /** Pauses the video and frees its pipeline. */
  function releaseVideo() {
    if (!video) return;
    const v = video;
    video = null;
    resumeAt = v.ended ? 0 : v.currentTime || 0;
    v.pause();
    v.removeAttribute("src");
    v.load();
  }

  function isPlaying() {
    return video != null && !video.paused && !video.ended;
  }

  function renderMedia() {
    const view = mediaView(gen, { active, brokenPoster });
    if (view !== "video") active = false;
    const key = view === "video" ? `video:${gen.video_url}`
      : view === "poster" ? `poster:${gen.poster_url}:${ctx.lang}`
      : view === "ready" ? `ready:${ctx.lang}`
      : `state:${gen.status}`;
    if (key === mediaKey) return;
    mediaKey = key;
    releaseVideo();
    if (view === "video") {
      video = makeVideo();
      media.replaceChildren(video);
    } else if (view === "poster") {
      showBehindPlay(posterImage());
    } else if (view === "ready") {
      showBehindPlay(placeholder("ready"));
    } else {
      media.replaceChildren(placeholder(gen.status));
    }
  }

  /** The user pressed play (or the poster): the player takes the poster's place and starts. */
  function play() {
    if (active) return;
    const hadFocus = media.contains(document.activeElement);
    active = true;
    renderMedia();
    if (!video) return;
    video.play()?.catch?.(() => {
      // Autoplay refused or the load failed: the controls are there to try again.
    });
    if (hadFocus) video.focus();
    onPlay(card);
  }

  /** Puts the poster back and frees the video (another card plays, or this one is far away). */
  function stop() {
    if (!active) return;
    const hadFocus = media.contains(document.activeElement);
    active = false;
    renderMedia();
    if (hadFocus) media.querySelector("[data-testid=play]")?.focus({ preventScroll: true });
  }

  function errorBox(error, soft) {
    const { t } = ctx;
    const described = describeError(error, t);
    return el("div", {
      class: `error-box error-box-inline${soft ? " error-box-soft" : ""}`,
      dataset: { testid: soft ? "warning" : "error", kind: described.kind },
    },
      icon("alert", "icon icon-sm"),
      el("div", { class: "error-text" },
        el("p", { text: described.text }),
        described.code ? el("p", { class: "error-code", text: t("error.code", { code: described.code }) }) : null,
      ),
    );
  }

  /** The provider's own words, for support requests, with a Copy button. */
  function detailsBox() {
    const { t } = ctx;
    const text = el("pre", { class: "provider-message", text: gen.provider_message });
    const copyLabel = el("span", { text: t("card.copy") });
    const copy = el("button", {
      type: "button",
      class: "btn btn-quiet btn-small details-copy",
      dataset: { testid: "copy-details" },
      on: {
        click: async () => {
          const how = await copyText(gen.provider_message ?? "", text);
          copyLabel.textContent = how === "copied" ? t("card.copied") : t("card.copy_selected");
          clearTimeout(copiedTimer);
          copiedTimer = setTimeout(() => { copyLabel.textContent = t("card.copy"); }, 2500);
        },
      },
    }, copyLabel);
    return el("details", { class: "details", dataset: { testid: "details" } },
      el("summary", { text: t("card.details") }),
      text,
      el("div", { class: "details-foot" }, copy),
    );
  }

  function renderProblem() {
    const failure = showsError(gen.status);
    const passing = passingProblem(gen);
    let error = null;
    if (failure) {
      error = gen.error
        ?? (gen.status === "expired" ? { kind: "result_expired" } : null)
        ?? (gen.status === "needs_check" ? { kind: "submission_unsettled" } : null);
    }
    const showDetails = Boolean(gen.provider_message) && (failure || passing);
    // Rebuilt only when what it shows changes, so an open "Details" stays open through events.
    const key = JSON.stringify([ctx.lang, error, passing, showDetails ? gen.provider_message : null]);
    if (key === problemKey) return;
    problemKey = key;
    problem.replaceChildren();
    if (error) problem.append(errorBox(error, false));
    else if (passing) problem.append(errorBox(passing, true));
    detailsSlot.replaceChildren();
    if (showDetails) detailsSlot.append(detailsBox());
  }

  async function runAction(action) {
    if (busyAction) return;
    busyAction = action;
    actionError = null;
    renderActions();
    try {
      const record = await COMMANDS[ACTION_COMMANDS[action]](gen.id);
      confirming = false;
      if (record?.id) onRecord(record);
    } catch (error) {
      actionError = error;
    } finally {
      busyAction = null;
      renderActions();
    }
  }

  function actionButton(action, onClick) {
    const { t } = ctx;
    const view = ACTION_VIEW[action];
    const busy = busyAction === action;
    return el("button", {
      type: "button",
      class: view.class,
      dataset: { testid: view.testid },
      disabled: busyAction !== null || (confirming && action === "post_again"),
      "aria-busy": busy ? "true" : "false",
      on: { click: onClick },
    }, t(busy ? view.busy : view.label));
  }

  /** The actions core offers: Check again / Send again (after a warning) / Discard, Cancel, Download again. */
  function renderActions() {
    const { t } = ctx;
    const offered = cardActions(gen);
    if (!offered.includes("post_again")) confirming = false;
    const key = JSON.stringify([ctx.lang, offered, busyAction, confirming, actionError]);
    if (key === actionsKey) return;
    const focused = actions.contains(document.activeElement) ? document.activeElement.dataset.testid : null;
    actionsKey = key;
    actions.replaceChildren();
    actions.hidden = offered.length === 0 && !actionError;
    if (offered.length) {
      const row = el("div", { class: "action-row" });
      for (const action of offered) {
        const onClick = action === "post_again"
          ? () => { confirming = true; actionError = null; renderActions(); actions.querySelector("[data-testid=post-again-cancel]")?.focus(); }
          : () => runAction(action);
        row.append(actionButton(action, onClick));
      }
      actions.append(row);
    }
    if (confirming) {
      const busy = busyAction === "post_again";
      actions.append(el("div", { class: "confirm-box", role: "alert", dataset: { testid: "post-again-warning" } },
        el("p", { class: "confirm-text" }, icon("alert", "icon icon-sm"), el("span", { text: t("card.post_again_warning") })),
        el("div", { class: "action-row" },
          el("button", {
            type: "button",
            class: "btn btn-warn btn-small",
            dataset: { testid: "post-again-confirm" },
            disabled: busyAction !== null,
            "aria-busy": busy ? "true" : "false",
            on: { click: () => runAction("post_again") },
          }, t(busy ? "card.sending" : "card.post_again_confirm")),
          el("button", {
            type: "button",
            class: "btn btn-quiet btn-small",
            dataset: { testid: "post-again-cancel" },
            disabled: busyAction !== null,
            on: { click: () => { confirming = false; renderActions(); actions.querySelector("[data-testid=post-again]")?.focus(); } },
          }, t("card.post_again_keep")),
        ),
      ));
    }
    if (actionError) {
      const described = describeError(actionError, t);
      actions.append(el("div", { class: "error-box error-box-inline", role: "alert", dataset: { testid: "action-error", kind: described.kind } },
        icon("alert", "icon icon-sm"),
        el("div", { class: "error-text" }, el("p", { text: described.text })),
      ));
    }
    // Keep the keyboard where it was when the buttons were redrawn.
    if (focused) actions.querySelector(`[data-testid="${focused}"]:not(:disabled)`)?.focus();
  }

  function tick(now = Date.now()) {
    const { t } = ctx;
    const time = formatElapsed(elapsedMs(gen, now), t);
    if (isFinished(gen.status)) {
      elapsed.textContent = gen.finished_at ? t("card.took", { time }) : "";
    } else if (gen.status === "queued" || gen.status === "needs_check") {
      elapsed.textContent = t("card.waiting", { time });
    } else {
      elapsed.textContent = t("card.running", { time });
    }
    const slowNow = isSlow(gen, now);
    slow.hidden = !slowNow;
    if (slowNow) slow.textContent = t("status.slow");
    const left = resultDaysLeft(gen, now);
    daysLeft.hidden = !left;
    daysLeft.textContent = daysLeftText(left, t);
    daysLeft.classList.toggle("is-urgent", Boolean(left?.urgent));
    facts.hidden = delivery.hidden && daysLeft.hidden;
  }

  function render() {
    const { t } = ctx;
    const request = gen.request ?? {};
    const text = statusText(gen.status, t);
    root.dataset.status = gen.status;
    root.dataset.taskId = gen.task_id ?? "";
    root.dataset.id = gen.id;
    root.className = `card tone-${text.tone}`;
    pill.textContent = text.label;
    pill.className = `pill pill-${text.tone}`;
    hint.textContent = text.hint;

    // A recovered task carries no prompt: the provider does not say what it was made from.
    const shownPrompt = request.prompt || t("card.recovered", { task_id: gen.task_id ?? "" });
    prompt.textContent = shownPrompt;
    prompt.title = shownPrompt;
    const parts = [];
    if (request.aspect_ratio) parts.push(request.aspect_ratio);
    const seconds = gen.video_duration ?? request.duration;
    if (seconds) parts.push(t("card.duration", { seconds: formatSeconds(seconds, ctx.lang) }));
    if (request.mode) parts.push(request.mode === "pro" ? t("card.mode_pro") : request.mode === "std" ? t("card.mode_std") : request.mode);
    if (request.model_name) parts.push(ctx.rules ? modelLabel(ctx.rules, request.model_name) : request.model_name);
    meta.textContent = parts.join(" · ");
    reuseLabel.textContent = t("card.reuse");
    reuse.title = t("card.reuse_hint");

    const downloading = gen.status === "downloading";
    progress.hidden = !downloading;
    if (downloading) {
      const percent = Math.round(Math.min(1, Math.max(0, gen.download_progress ?? 0)) * 100);
      progressFill.style.width = `${percent}%`;
      progress.setAttribute("aria-valuenow", String(percent));
      progress.setAttribute("aria-label", t("card.progress", { percent }));
      progress.title = t("card.progress", { percent });
    }

    if (!measured) {
      const ratio = parseRatio(request.aspect_ratio);
      applyRatio(ratio.value, ratio.css);
    }
    const deliveryText = deliveryKey(gen);
    delivery.hidden = !deliveryText;
    delivery.textContent = deliveryText ? t(deliveryText) : "";
    delivery.dataset.delivery = gen.delivery ?? "";

    renderMedia();
    renderProblem();
    renderActions();
    tick();
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
      if (!video) mediaKey = ""; // the play button carries text; a playing video is left alone
      problemKey = "";
      actionsKey = "";
      render();
    },
    tick,
    /** Called by the gallery's IntersectionObserver; a stopped video far away is put away. */
    setNear(value) {
      if (near === value) return;
      near = value;
      if (!near && active && !isPlaying()) stop();
    },
    play,
    stop,
    isPlaying,
    get isActive() {
      return active;
    },
  };

  render();
  return card;
}

function formatSeconds(value, lang) {
  const number = Number(value);
  if (!Number.isFinite(number)) return String(value);
  return new Intl.NumberFormat(lang === "de" ? "de-DE" : "en-US", { maximumFractionDigits: 1 }).format(number);
}
