// What went wrong on a card: the reason of a failure (or, on a card still on its way, a passing
// problem as a soft warning), and the provider's own words under "Details", for support requests,
// with a Copy button.
import { copyText } from "../clipboard.js";
import { el, icon } from "../dom.js";
import { describeError } from "../errors.js";
import { renderOnChange } from "../memo.js";
import { passingProblem, showsError } from "../status.js";

export function createProblem(ctx) {
  let copiedTimer = null;
  const box = el("div", { class: "card-problem" });
  const details = el("div", { class: "card-details" });

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

  function detailsBox(message) {
    const { t } = ctx;
    const text = el("pre", { class: "provider-message", text: message });
    const copyLabel = el("span", { text: t("card.copy") });
    const copy = el("button", {
      type: "button",
      class: "btn btn-quiet btn-small details-copy",
      dataset: { testid: "copy-details" },
      on: {
        click: async () => {
          const how = await copyText(message, text);
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

  const draw = renderOnChange((error, passing, message) => {
    box.replaceChildren();
    if (error) box.append(errorBox(error, false));
    else if (passing) box.append(errorBox(passing, true));
    details.replaceChildren();
    if (message) details.append(detailsBox(message));
  });

  return {
    /** The reason, above the card's actions. */
    box,
    /** "Details", below the card's actions. */
    details,
    update(gen) {
      const failure = showsError(gen.status);
      const passing = passingProblem(gen);
      let error = null;
      if (failure) {
        error = gen.error
          ?? (gen.status === "expired" ? { kind: "result_expired" } : null)
          ?? (gen.status === "needs_check" ? { kind: "submission_unsettled" } : null);
      }
      const message = gen.provider_message && (failure || passing) ? gen.provider_message : null;
      // Rebuilt only when what it shows changes, so an open "Details" stays open through events.
      draw.run(JSON.stringify([ctx.lang, error, passing, message]), error, passing, message);
    },
    /** The card is about to show another record: an open "Details" closes, "Copied" goes. */
    forget() {
      clearTimeout(copiedTimer);
      draw.reset();
    },
    /** The next update redraws (a new language). */
    relabel() {
      draw.reset();
    },
  };
}
