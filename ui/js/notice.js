// The library notice: the catalog could not be read, so a new one was started from what could be
// read and the old file set aside; or some entries could not be read. It stays until the user
// dismisses it; the path is selectable.
import { el } from "./dom.js";

/** Marks where a parameter goes, so the text around it can be split off. */
const SLOT = "\u2063path\u2063";

export function createLibraryNotice(ctx) {
  const box = document.getElementById("library-notice");
  const text = document.getElementById("library-notice-text");
  const dismiss = document.getElementById("library-notice-dismiss");
  let notice = null;

  let unreadable = 0;

  function render() {
    box.hidden = !notice && !unreadable;
    if (box.hidden) return;
    const counts = [];
    if (notice && Number.isFinite(notice.params?.rescued)) {
      counts.push(" ", ctx.t("notice.library_rescued", { rescued: notice.params.rescued, lost: notice.params.lost ?? 0 }));
    }
    if (unreadable) counts.push(" ", ctx.t("notice.library_unreadable_rows", { count: unreadable }));
    if (!notice) {
      text.replaceChildren(...counts.slice(1));
      return;
    }
    const path = notice.params?.path ?? "";
    const [before, after = ""] = ctx.t("notice.library_set_aside", { path: SLOT }).split(SLOT);
    text.replaceChildren(before, el("code", { class: "selectable", dataset: { testid: "library-notice-path" }, text: path }), after, ...counts);
  }

  dismiss.addEventListener("click", () => {
    notice = null;
    unreadable = 0;
    render();
  });

  return {
    /** app_info.library_notice: {kind: "library_set_aside", params: {path}} or null. */
    show(value) {
      notice = value?.kind === "library_set_aside" ? value : null;
      render();
    },
    /** The background check's report (see backend.onLibraryChecked). */
    checked(report) {
      if (report?.set_aside?.kind === "library_set_aside") notice = report.set_aside;
      unreadable = Number(report?.undecodable) || 0;
      render();
    },
    relabel: render,
  };
}
