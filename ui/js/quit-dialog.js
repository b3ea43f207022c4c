// The small dialog shown when the window is closed while videos are on their way: they go on at
// Kling and are picked up at the next start. Quit exits; Keep open just closes the dialog.
import * as backend from "./backend.js";
import { describeError } from "./errors.js";
import { showError } from "./dom.js";

export function createQuitDialog(ctx) {
  const dialog = document.getElementById("quit-dialog");
  const message = document.getElementById("quit-message");
  const confirm = document.getElementById("quit-confirm");
  const cancel = document.getElementById("quit-cancel");
  const errorSlot = document.getElementById("quit-error");
  let unfinished = 0;
  let busy = false;

  function render() {
    message.textContent = ctx.t.plural("quit.message", unfinished, { count: unfinished });
    confirm.disabled = busy;
    confirm.setAttribute("aria-busy", String(busy));
  }

  function open(count) {
    unfinished = Math.max(0, Number(count) || 0);
    showError(errorSlot, null, ctx.t);
    render();
    if (!dialog.open) dialog.showModal();
    cancel.focus();
  }

  confirm.addEventListener("click", async () => {
    if (busy) return;
    busy = true;
    render();
    try {
      await backend.quit();
    } catch (error) {
      showError(errorSlot, describeError(error, ctx.t), ctx.t);
    } finally {
      busy = false;
      render();
    }
  });
  cancel.addEventListener("click", () => dialog.close());

  return {
    async start() {
      try {
        await backend.onQuitRequested((payload) => open(payload?.unfinished));
      } catch (error) {
        console.warn("Kling Desk: no quit-requested events", error);
      }
    },
    open,
    relabel() {
      if (dialog.open) render();
    },
  };
}
