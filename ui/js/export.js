// Taking videos elsewhere: Export asks for a folder, then copies each ready video there with its
// settings (a JSON file and the MP4's own metadata) and its poster, showing progress with Cancel;
// at the end it says where they went and offers Show in folder. Dropping an exported video on the
// window offers its settings back to the composer (`createDropOffer`). The pure parts are exported
// for the tests.
import * as backend from "./backend.js";
import { describeError } from "./errors.js";
import { canOpen, formatBytes } from "./tidy.js";
import { el, icon } from "./dom.js";

/** Whole percent done of a progress report {done, total, bytes_done, bytes_total}, by bytes. */
export function percentDone(progress) {
  const total = Number(progress?.bytes_total) || 0;
  if (total <= 0) return progress?.total ? Math.floor((100 * (progress.done || 0)) / progress.total) : 0;
  return Math.min(100, Math.floor((100 * (Number(progress.bytes_done) || 0)) / total));
}

/** The last part of a folder's path, as a file manager names it. */
export function folderName(path) {
  const parts = String(path ?? "").split(/[\\/]+/).filter(Boolean);
  return parts.length ? parts[parts.length - 1] : String(path ?? "");
}

/**
 * The export flow, for a card, the detail view, the gallery's selection and "Export favorites".
 * One export runs at a time: while it runs, asking again only brings its progress into view.
 */
export function createExporter(ctx) {
  const text = el("span", { class: "export-text", dataset: { testid: "export-status" } });
  const bar = el("div", { class: "progress export-progress", role: "progressbar", "aria-valuemin": "0", "aria-valuemax": "100" },
    el("div", { class: "progress-fill" }));
  const cancel = el("button", { type: "button", class: "btn btn-secondary btn-small", dataset: { testid: "export-cancel" } });
  const reveal = el("button", { type: "button", class: "btn btn-secondary btn-small", dataset: { testid: "export-show" } });
  const close = el("button", { type: "button", class: "btn btn-quiet btn-small", dataset: { testid: "export-close" } });
  const toast = el("div", { class: "toast export-toast", role: "status", hidden: true, dataset: { testid: "export-toast" } },
    el("div", { class: "export-body" }, text, bar), cancel, reveal, close);
  document.body.append(toast);

  /** What the toast shows: {phase: "running" | "done" | "failed", progress, result, error}. */
  let state = null;

  function draw() {
    const { t } = ctx;
    cancel.textContent = t("export.cancel");
    reveal.textContent = t("tidy.show_in_folder");
    close.textContent = t("export.close");
    toast.hidden = !state;
    if (!state) return;
    const running = state.phase === "running";
    toast.dataset.phase = state.phase;
    toast.setAttribute("role", state.phase === "failed" ? "alert" : "status");
    bar.hidden = !running;
    cancel.hidden = !running;
    cancel.disabled = Boolean(state.cancelling);
    reveal.hidden = !(state.phase === "done" && state.result?.files?.length);
    close.hidden = running;
    if (running) {
      const progress = state.progress ?? { done: 0, total: state.count };
      const percent = percentDone(progress);
      bar.setAttribute("aria-valuenow", String(percent));
      bar.setAttribute("aria-label", t("export.progress_label"));
      bar.firstChild.style.width = `${percent}%`;
      text.textContent = t(state.cancelling ? "export.cancelling" : "export.running", {
        done: Math.min((progress.done ?? 0) + 1, progress.total ?? state.count),
        total: progress.total ?? state.count,
        size: formatBytes(progress.bytes_total ?? 0, ctx.lang),
      });
    } else if (state.phase === "done") {
      const { exported, cancelled, folder } = state.result;
      const key = cancelled ? "export.cancelled" : "export.done";
      text.textContent = t.plural(key, exported, { count: exported, folder: folderName(folder) });
    } else {
      text.textContent = describeError(state.error, t, null, "export").text;
    }
  }

  function finish(next) {
    state = next;
    draw();
    if (next) ctx.announce?.(text.textContent);
  }

  cancel.addEventListener("click", async () => {
    if (state?.phase !== "running") return;
    state.cancelling = true;
    draw();
    try {
      await backend.cancelExport();
    } catch (error) {
      console.warn("Kling Desk: the export could not be cancelled", error);
    }
  });
  close.addEventListener("click", () => finish(null));
  reveal.addEventListener("click", async () => {
    const { folder, files } = state?.result ?? {};
    if (!files?.length) return;
    try {
      await backend.showExported(folder, files[0]);
    } catch (error) {
      ctx.announce?.(describeError(error, ctx.t).text);
    }
  });

  async function run(selection, count) {
    if (state?.phase === "running") {
      cancel.focus();
      return;
    }
    const folder = await backend.chooseFolder(ctx.t("export.choose_folder"));
    if (!folder) return;
    state = { phase: "running", count, progress: null };
    draw();
    cancel.focus();
    try {
      const result = await backend.exportVideos({ ...selection, folder, untitled: ctx.t("export.untitled") }, (progress) => {
        if (state?.phase !== "running") return;
        state.progress = progress;
        draw();
      });
      finish({ phase: "done", result });
      if (!reveal.hidden) reveal.focus();
    } catch (error) {
      finish({ phase: "failed", error });
      close.focus();
    }
  }

  return {
    /** Exports the ready ones of `generations` to a folder the user picks. */
    exportVideos(generations) {
      const ready = generations.filter(canOpen);
      if (ready.length) run({ ids: ready.map((generation) => generation.id), favorites: false }, ready.length);
    },
    /** Exports every ready favorite, however many pages the gallery has drawn. */
    exportFavorites: () => run({ ids: [], favorites: true }, 0),
    relabel: draw,
  };
}

/** The first dropped file that can be a video, or null. */
export function droppedVideo(paths) {
  return (paths ?? []).find((path) => /\.(mp4|m4v|mov)$/i.test(String(path))) ?? null;
}

/**
 * Dropping a video on the window: one exported by Kling Desk carries its prompt and settings, and
 * the composer offers them ("Use these settings"); any other file says why nothing can be used.
 * Shown only while the composer is (a key is set).
 */
export function createDropOffer(ctx, { slot, composer, onUse }) {
  const message = el("p", { class: "drop-offer-text", dataset: { testid: "drop-offer-message" } });
  const use = el("button", { type: "button", class: "btn btn-secondary btn-small", dataset: { testid: "drop-use-settings" } });
  const dismiss = el("button", { type: "button", class: "btn btn-quiet btn-small", dataset: { testid: "drop-dismiss" } });
  slot.replaceChildren(icon("film", "icon icon-sm"), el("div", { class: "drop-offer-body" }, message,
    el("div", { class: "action-row" }, use, dismiss)));
  /** {name, request} offered, or {name, error} when the file carries nothing to use. */
  let offer = null;

  function draw() {
    const { t } = ctx;
    slot.hidden = !offer;
    use.textContent = t("export.drop_use");
    dismiss.textContent = t("export.drop_dismiss");
    if (!offer) return;
    use.hidden = !offer.request;
    slot.setAttribute("role", offer.request ? "status" : "alert");
    message.textContent = offer.request
      ? t("export.drop_offer", { name: offer.name })
      : `${offer.name}: ${describeError(offer.error, t).text}`;
  }

  function show(next) {
    offer = next;
    draw();
    if (next) (next.request ? use : dismiss).focus();
  }

  use.addEventListener("click", () => {
    const request = offer?.request;
    show(null);
    if (request) onUse(request);
  });
  dismiss.addEventListener("click", () => show(null));

  const visible = () => !composer.hidden;
  backend.onFileDrag((dragging) => composer.classList.toggle("is-drop-target", dragging && visible())).catch((error) => {
    console.warn("Kling Desk: dropped files cannot be followed", error);
  });
  backend.onFileDrop(async (paths) => {
    composer.classList.remove("is-drop-target");
    const path = droppedVideo(paths);
    if (!path || !visible()) return;
    const name = folderName(path);
    try {
      show({ name, request: await backend.settingsInVideo(path) });
    } catch (error) {
      show({ name, error });
    }
  }).catch((error) => console.warn("Kling Desk: dropped files cannot be followed", error));

  return { relabel: draw };
}
