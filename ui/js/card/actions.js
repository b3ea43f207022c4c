// A card's own actions, the ones core offers with the record: Check again / Send again (after a
// warning) / Discard, Cancel, Download again. While one runs every button waits for it; a failed
// one says why under the buttons; the record it returns goes back to the gallery.
import * as backend from "../backend.js";
import { el, icon } from "../dom.js";
import { describeError } from "../errors.js";
import { renderOnChange } from "../memo.js";
import { ACTION_COMMANDS, cardActions } from "../status.js";

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

export function createActions(initial, ctx, { onRecord = () => {} } = {}) {
  let gen = initial;
  /** The action whose call is running, if any; every action button waits for it. */
  let busyAction = null;
  /** True while the "Send again" warning asks for confirmation. */
  let confirming = false;
  let actionError = null;

  const element = el("div", { class: "card-controls" });

  async function runAction(action) {
    if (busyAction) return;
    const id = gen.id;
    busyAction = action;
    actionError = null;
    render();
    let failure = null;
    try {
      const record = await COMMANDS[ACTION_COMMANDS[action]](id);
      if (record?.id) onRecord(record);
    } catch (error) {
      failure = error;
    }
    // The card went on to show another record while the call ran: the outcome is not its own.
    if (gen.id !== id) return;
    if (!failure) confirming = false;
    actionError = failure;
    busyAction = null;
    render();
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

  /** "Send again" may charge twice, so it first asks. */
  function confirmBox() {
    const { t } = ctx;
    const busy = busyAction === "post_again";
    return el("div", { class: "confirm-box", role: "alert", dataset: { testid: "post-again-warning" } },
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
          on: { click: () => { confirming = false; render(); element.querySelector("[data-testid=post-again]")?.focus(); } },
        }, t("card.post_again_keep")),
      ),
    );
  }

  const draw = renderOnChange((offered) => {
    const { t } = ctx;
    const focused = element.contains(document.activeElement) ? document.activeElement.dataset.testid : null;
    element.replaceChildren();
    element.hidden = offered.length === 0 && !actionError;
    if (offered.length) {
      const row = el("div", { class: "action-row" });
      for (const action of offered) {
        const onClick = action === "post_again"
          ? () => { confirming = true; actionError = null; render(); element.querySelector("[data-testid=post-again-cancel]")?.focus(); }
          : () => runAction(action);
        row.append(actionButton(action, onClick));
      }
      element.append(row);
    }
    if (confirming) element.append(confirmBox());
    if (actionError) {
      const described = describeError(actionError, t);
      element.append(el("div", { class: "error-box error-box-inline", role: "alert", dataset: { testid: "action-error", kind: described.kind } },
        icon("alert", "icon icon-sm"),
        el("div", { class: "error-text" }, el("p", { text: described.text })),
      ));
    }
    // Keep the keyboard where it was when the buttons were redrawn.
    if (focused) element.querySelector(`[data-testid="${focused}"]:not(:disabled)`)?.focus();
  });

  function render() {
    const offered = cardActions(gen);
    if (!offered.includes("post_again")) confirming = false;
    draw.run(JSON.stringify([ctx.lang, offered, busyAction, confirming, actionError]), offered);
  }

  return {
    element,
    update(next) {
      gen = next;
      render();
    },
    /** The card is about to show another record: a running call, the warning and an error go. */
    forget() {
      busyAction = null;
      confirming = false;
      actionError = null;
      draw.reset();
    },
    /** The next update redraws (a new language). */
    relabel() {
      draw.reset();
    },
  };
}
