// The library notice: the catalog could not be read, so a new one was started and the old file set
// aside. It stays until the user dismisses it; the path is selectable.
import { el } from "./dom.js";

/** Marks where a parameter goes, so the text around it can be split off. */
const SLOT = "\u2063path\u2063";

export function createLibraryNotice(ctx) {
  const box = document.getElementById("library-notice");
  const text = document.getElementById("library-notice-text");
  const dismiss = document.getElementById("library-notice-dismiss");
  let notice = null;

  function render() {
    box.hidden = !notice;
    if (!notice) return;
    const path = notice.params?.path ?? "";
    const [before, after = ""] = ctx.t("notice.library_set_aside", { path: SLOT }).split(SLOT);
    text.replaceChildren(before, el("code", { class: "selectable", dataset: { testid: "library-notice-path" }, text: path }), after);
  }

  dismiss.addEventListener("click", () => {
    notice = null;
    render();
  });

  return {
    /** app_info.library_notice: {kind: "library_set_aside", params: {path}} or null. */
    show(value) {
      notice = value?.kind === "library_set_aside" ? value : null;
      render();
    },
    relabel: render,
  };
}
