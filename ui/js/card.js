// One gallery card. The <video> exists only while the card is near the viewport or playing.
import { describeError } from "./errors.js";
import { el, icon } from "./dom.js";
import { isFinished, isSlow, showsError, statusText } from "./status.js";
import { modelLabel } from "./options.js";
import { elapsedMs, formatElapsed } from "./time.js";

/** "16:9" → {css: "16 / 9", value: 1.777…}; anything odd falls back to 16:9. */
export function parseRatio(text) {
  const match = /^(\d+(?:\.\d+)?):(\d+(?:\.\d+)?)$/.exec(String(text ?? ""));
  const w = match ? Number(match[1]) : 16;
  const h = match ? Number(match[2]) : 9;
  if (!(w > 0 && h > 0)) return { css: "16 / 9", value: 16 / 9 };
  return { css: `${w} / ${h}`, value: w / h };
}

export function createCard(initial, ctx) {
  let gen = initial;
  let near = typeof IntersectionObserver === "undefined";
  let video = null;
  let resumeAt = 0;
  let mediaKey = "";

  const root = el("li", { class: "card", dataset: { testid: "generation", id: gen.id } });
  const media = el("div", { class: "media" });
  const pill = el("span", { class: "pill", dataset: { testid: "status" } });
  const elapsed = el("span", { class: "elapsed", dataset: { testid: "elapsed" } });
  const hint = el("p", { class: "hint" });
  const slow = el("p", { class: "slow" });
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
      progress,
      prompt,
      meta,
      problem,
      el("div", { class: "card-actions" }, reuse),
    ),
  );

  function applyRatio(value, css) {
    media.style.setProperty("--ar", css);
    media.style.setProperty("--ar-value", String(value));
  }

  function placeholder(kind) {
    const { t } = ctx;
    if (kind === "parked") {
      return el("div", { class: "media-placeholder is-parked", title: t("card.video_parked") }, icon("play", "icon icon-lg"));
    }
    if (kind === "failed" || kind === "expired") {
      return el("div", { class: `media-placeholder is-${kind}` }, icon(kind === "failed" ? "alert" : "clock", "icon icon-lg"));
    }
    if (kind === "needs_check") {
      return el("div", { class: "media-placeholder is-warn" }, icon("alert", "icon icon-lg"));
    }
    return el("div", { class: `media-placeholder is-working is-${kind}` }, el("span", { class: "orbit", "aria-hidden": "true" }));
  }

  function makeVideo() {
    const v = el("video", {
      class: "clip",
      dataset: { testid: "video" },
      controls: true,
      preload: "metadata",
      playsinline: true,
      src: gen.video_url,
    });
    v.addEventListener("loadedmetadata", () => {
      if (v.videoWidth > 0 && v.videoHeight > 0) {
        applyRatio(v.videoWidth / v.videoHeight, `${v.videoWidth} / ${v.videoHeight}`);
      }
      if (resumeAt > 0 && resumeAt < v.duration) v.currentTime = resumeAt;
    });
    // A video that kept playing while scrolled away is parked once it stops.
    const parkIfFar = () => {
      if (!near) queueMicrotask(renderMedia);
    };
    v.addEventListener("pause", parkIfFar);
    v.addEventListener("ended", parkIfFar);
    return v;
  }

  function isPlaying() {
    return video != null && !video.paused && !video.ended;
  }

  function renderMedia() {
    const ready = gen.status === "ready" && gen.video_url;
    const showVideo = ready && (near || isPlaying());
    const key = ready ? `ready:${gen.video_url}:${showVideo}` : `state:${gen.status}`;
    if (key === mediaKey) return;
    mediaKey = key;
    if (video && !showVideo) {
      resumeAt = video.currentTime || 0;
      video.pause();
      video.removeAttribute("src");
      video.load();
      video = null;
    }
    if (showVideo) {
      video = makeVideo();
      media.replaceChildren(video);
    } else {
      media.replaceChildren(placeholder(ready ? "parked" : gen.status));
    }
  }

  function renderProblem() {
    const { t } = ctx;
    problem.replaceChildren();
    if (!showsError(gen.status)) return;
    const error = gen.error ?? (gen.status === "expired" ? { kind: "result_expired" } : null);
    if (error) {
      const described = describeError(error, t);
      problem.append(el("div", { class: "error-box error-box-inline", dataset: { testid: "error", kind: described.kind } },
        icon("alert", "icon icon-sm"),
        el("div", { class: "error-text" },
          el("p", { text: described.text }),
          described.code ? el("p", { class: "error-code", text: t("error.code", { code: described.code }) }) : null,
        ),
      ));
    }
    if (gen.provider_message) {
      problem.append(el("details", { class: "details", dataset: { testid: "details" } },
        el("summary", { text: t("card.details") }),
        el("pre", { class: "provider-message", text: gen.provider_message }),
      ));
    }
  }

  function tick(now = Date.now()) {
    const { t } = ctx;
    const time = formatElapsed(elapsedMs(gen, now), t);
    if (isFinished(gen.status)) {
      elapsed.textContent = gen.finished_at ? t("card.took", { time }) : "";
    } else {
      elapsed.textContent = t("card.running", { time });
    }
    const slowNow = isSlow(gen, now);
    slow.hidden = !slowNow;
    if (slowNow) slow.textContent = t("status.slow");
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

    prompt.textContent = request.prompt ?? "";
    prompt.title = request.prompt ?? "";
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

    if (!video) {
      const ratio = parseRatio(request.aspect_ratio);
      applyRatio(ratio.value, ratio.css);
    }
    renderMedia();
    renderProblem();
    tick();
  }

  render();

  return {
    element: root,
    get generation() {
      return gen;
    },
    update(next) {
      gen = next;
      render();
    },
    relabel() {
      if (!video) mediaKey = ""; // placeholders carry text; a playing video is left alone
      render();
    },
    tick,
    /** Called by the gallery's IntersectionObserver. */
    setNear(value) {
      if (near === value) return;
      near = value;
      renderMedia();
    },
    isPlaying,
  };
}

function formatSeconds(value, lang) {
  const number = Number(value);
  if (!Number.isFinite(number)) return String(value);
  return new Intl.NumberFormat(lang === "de" ? "de-DE" : "en-US", { maximumFractionDigits: 1 }).format(number);
}
