// Getting rid of videos and taking them elsewhere: Delete (one confirmation that says how many and
// how large, then "Undo" for a few seconds), Open in the default player, Show in the file manager.
// A card, the detail view and the gallery's selection all go through `createTidy`; the pure parts
// (sizes, the selection's clicks) are exported for the tests.
import * as backend from "./backend.js";
import { describeError } from "./errors.js";
import { el, setText, showError } from "./dom.js";
import { formatter } from "./format.js";
import { isFinished } from "./status.js";

/** How long "Deleted … · Undo" stays: core keeps the rows for longer (UNDO_WINDOW_MS). */
export const UNDO_MS = 8000;

/** A size in bytes as the language writes it: "1.5 MB" in English, "1,5 MB" in German. */
export function formatBytes(bytes, lang) {
  const units = ["B", "KB", "MB", "GB", "TB"];
  let value = Math.max(0, Number(bytes) || 0);
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  const digits = unit === 0 || value >= 100 ? 0 : 1;
  const number = formatter(Intl.NumberFormat, lang, { maximumFractionDigits: digits }).format(value);
  return `${number} ${units[unit]}`;
}

/** What the confirmation can say before anything moved: the videos' own sizes. */
export function totalBytes(generations) {
  return generations.reduce((sum, generation) => sum + (Number(generation?.video_bytes) || 0), 0);
}

/** Only a finished video can be deleted; only a ready one has a file to open. */
export const canDelete = (generation) => Boolean(generation) && isFinished(generation.status);
export const canOpen = (generation) => generation?.status === "ready";

/**
 * The selection after a click on `id` with the ids in gallery order: a plain click (in Select
 * mode) or Ctrl/Cmd-click toggles it, Shift-click adds the range from the anchor. Returns
 * {selection, anchor}; the Set given is never changed.
 */
export function nextSelection(selection, order, id, { range = false } = {}, anchor = null) {
  const next = new Set(selection);
  const from = anchor == null ? -1 : order.indexOf(anchor);
  const to = order.indexOf(id);
  if (range && from !== -1 && to !== -1) {
    const [low, high] = from < to ? [from, to] : [to, from];
    for (const each of order.slice(low, high + 1)) next.add(each);
    return { selection: next, anchor };
  }
  if (next.has(id)) next.delete(id);
  else next.add(id);
  return { selection: next, anchor: id };
}

/**
 * The delete flow and the file actions. `onDeleted(ids)` takes the cards away, `onRestored(ids)`
 * brings them back (the gallery asks its query again).
 */
export function createTidy(ctx, { onDeleted = () => {}, onRestored = () => {} } = {}) {
  const message = el("p", { class: "dialog-message", dataset: { testid: "confirm-delete-message" } });
  const title = el("h2", { class: "dialog-title", id: "confirm-delete-title" });
  const errorSlot = el("div", { class: "error-slot" });
  const cancel = el("button", { type: "button", class: "btn btn-secondary", dataset: { testid: "confirm-delete-cancel" } });
  const confirm = el("button", { type: "button", class: "btn btn-primary", dataset: { testid: "confirm-delete" } });
  const dialog = el("dialog", {
    class: "dialog dialog-small",
    "aria-labelledby": "confirm-delete-title",
    dataset: { testid: "confirm-delete-dialog" },
  },
  el("div", { class: "dialog-panel" },
    el("div", { class: "dialog-body" }, title, message, errorSlot),
    el("footer", { class: "dialog-foot dialog-foot-end" }, cancel, confirm)));

  const toastText = el("span", { dataset: { testid: "undo-message" } });
  const undoButton = el("button", { type: "button", class: "btn btn-secondary btn-small", dataset: { testid: "undo" } });
  const toast = el("div", { class: "toast", role: "status", hidden: true, dataset: { testid: "undo-toast" } }, toastText, undoButton);
  document.body.append(dialog, toast);

  /** The videos waiting for a yes, and what the toast can undo. */
  let pending = [];
  let last = null;
  let toastTimer = null;
  let busy = false;

  function label() {
    const { t } = ctx;
    title.textContent = t.plural("tidy.confirm_title", pending.length, { count: pending.length });
    message.textContent = t.plural("tidy.confirm_message", pending.length, {
      count: pending.length,
      size: formatBytes(totalBytes(pending), ctx.lang),
    });
    cancel.textContent = t("tidy.cancel");
    confirm.textContent = t("tidy.delete");
    undoButton.textContent = t("tidy.undo");
    if (last) toastText.textContent = t.plural("tidy.deleted", last.deleted, { count: last.deleted, size: formatBytes(last.bytes, ctx.lang) });
  }

  function hideToast() {
    clearTimeout(toastTimer);
    toastTimer = null;
    toast.hidden = true;
    last = null;
  }

  function showToast(result) {
    last = result;
    label();
    undoButton.hidden = !result.undo;
    toast.hidden = false;
    clearTimeout(toastTimer);
    toastTimer = setTimeout(hideToast, UNDO_MS);
  }

  cancel.addEventListener("click", () => dialog.close());
  confirm.addEventListener("click", async () => {
    if (busy) return;
    busy = true;
    confirm.disabled = true;
    try {
      const ids = pending.map((generation) => generation.id);
      const result = await backend.deleteGenerations(ids);
      dialog.close();
      onDeleted(result?.ids ?? ids);
      showToast(result);
    } catch (error) {
      showError(errorSlot, describeError(error, ctx.t), ctx.t);
    } finally {
      busy = false;
      confirm.disabled = false;
    }
  });
  undoButton.addEventListener("click", async () => {
    if (!last) return;
    const ids = last.ids;
    hideToast();
    try {
      await backend.undoDelete(ids);
    } catch (error) {
      ctx.announce?.(describeError(error, ctx.t).text);
    }
    onRestored(ids);
  });

  async function fileAction(call, id) {
    try {
      await call(id);
    } catch (error) {
      ctx.announce?.(describeError(error, ctx.t).text);
      console.warn("Kling Desk: the video could not be opened", error);
    }
  }

  return {
    /** Asks once for all of `generations` (the finished ones), then deletes them in one call. */
    deleteVideos(generations) {
      pending = generations.filter(canDelete);
      if (!pending.length) return;
      showError(errorSlot, null, ctx.t);
      label();
      if (!dialog.open) dialog.showModal();
      cancel.focus();
    },
    openVideo: (id) => fileAction(backend.openVideo, id),
    showInFolder: (id) => fileAction(backend.showVideoInFolder, id),
    relabel: label,
  };
}

/**
 * The buttons a finished card and the detail view show: Open in player, Show in folder and Export
 * (a ready video), Delete (any finished one). `get()` gives the current record.
 */
export function createFileButtons(ctx, get) {
  const button = (dataset, action) =>
    el("button", { type: "button", class: "btn btn-quiet btn-small file-action", dataset, on: { click: () => action(get()) } });
  const open = button({ testid: "open-video", textKey: "tidy.open" }, (g) => ctx.tidy?.openVideo(g.id));
  const reveal = button({ testid: "show-in-folder", textKey: "tidy.show_in_folder" }, (g) => ctx.tidy?.showInFolder(g.id));
  const exportOne = button({ testid: "export-video", textKey: "export.export" }, (g) => ctx.exporter?.exportVideos([g]));
  const remove = button({ testid: "delete", textKey: "tidy.delete_one" }, (g) => ctx.tidy?.deleteVideos([g]));
  const element = el("div", { class: "file-actions" }, open, reveal, exportOne, remove);
  return {
    element,
    update() {
      const generation = get();
      element.hidden = !canDelete(generation);
      open.hidden = reveal.hidden = exportOne.hidden = !canOpen(generation);
      for (const node of [open, reveal, exportOne, remove]) setText(node, ctx.t(node.dataset.textKey));
    },
  };
}
