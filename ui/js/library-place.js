// Settings > Library: where the library is, how much space it takes, and moving it to another
// folder (an external disk, say). Core copies and checks everything before it switches; the app
// then starts again on the new place, so a move that finishes never answers here.
import * as backend from "./backend.js";
import { describeError } from "./errors.js";
import { showError } from "./dom.js";
import { formatBytes } from "./tidy.js";

/** Whole percent of a move's progress {bytes_done, bytes_total, files_done, files_total}. */
export function movePercent(progress) {
  const bytes = Number(progress?.bytes_total) || 0;
  if (bytes > 0) return Math.min(100, Math.floor((100 * (Number(progress.bytes_done) || 0)) / bytes));
  const files = Number(progress?.files_total) || 0;
  return files > 0 ? Math.min(100, Math.floor((100 * (Number(progress.files_done) || 0)) / files)) : 0;
}

export function createLibraryPlace(ctx) {
  const path = document.getElementById("library-path");
  const usage = document.getElementById("library-usage");
  const move = document.getElementById("library-move");
  const cancel = document.getElementById("library-move-cancel");
  const bar = document.getElementById("library-move-progress");
  const status = document.getElementById("library-move-status");
  const errorSlot = document.getElementById("library-move-error");
  /** {bytes, videos} once measured; the last progress report while a move runs. */
  let measured = null;
  let progress = null;
  let moving = false;

  function draw() {
    const { t } = ctx;
    path.textContent = ctx.info?.library_dir ?? "";
    usage.textContent = measured
      ? t.plural("library_place.usage", measured.videos, { count: measured.videos, size: formatBytes(measured.bytes, ctx.lang) })
      : t("library_place.measuring");
    move.disabled = moving;
    cancel.hidden = !moving;
    bar.hidden = !moving;
    status.hidden = !moving;
    if (moving) {
      const percent = movePercent(progress);
      bar.setAttribute("aria-valuenow", String(percent));
      bar.firstChild.style.width = `${percent}%`;
      status.textContent = t("library_place.moving", {
        done: progress?.files_done ?? 0,
        total: progress?.files_total ?? 0,
        percent,
      });
    }
  }

  async function measure() {
    try {
      measured = await backend.libraryUsage();
    } catch (error) {
      console.warn("Kling Desk: the library could not be measured", error);
    }
    draw();
  }

  move.addEventListener("click", async () => {
    if (moving) return;
    const folder = await backend.chooseFolder(ctx.t("library_place.choose_folder"));
    if (!folder) return;
    moving = true;
    progress = null;
    showError(errorSlot, null, ctx.t);
    draw();
    cancel.focus();
    try {
      // Resolves only when the library stayed where it was: a finished move restarts the app.
      await backend.moveLibrary(folder, (step) => {
        progress = step;
        draw();
      });
    } catch (error) {
      const described = describeError(error, ctx.t, null, "move");
      showError(errorSlot, described, ctx.t);
      ctx.announce?.(described.text);
    } finally {
      moving = false;
      draw();
    }
  });
  cancel.addEventListener("click", async () => {
    try {
      await backend.cancelMove();
    } catch (error) {
      console.warn("Kling Desk: the move could not be cancelled", error);
    }
  });

  return {
    /** Settings opened: the path now, the size once measured (it walks every file). */
    open() {
      draw();
      measure();
    },
    relabel: draw,
  };
}
