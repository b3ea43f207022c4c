// "Recover a video" in Settings: a task id from the CometAPI dashboard (a video made on another
// computer, with another tool, or lost from the library) becomes a card in the gallery, once.
// The new card reaches the gallery through the generation event like any other.
import * as backend from "./backend.js";
import { describeError } from "./errors.js";
import { showError } from "./dom.js";

export function createRecoverForm(ctx) {
  const input = document.getElementById("recover-task-id");
  const button = document.getElementById("recover-task");
  const result = document.getElementById("recover-result");
  const errorSlot = document.getElementById("recover-error");
  let busy = false;
  let found = null;
  /** Kept so a change of language re-words it. */
  let failure = null;

  function render() {
    button.disabled = busy || input.value.trim() === "";
    button.setAttribute("aria-busy", busy ? "true" : "false");
    button.textContent = ctx.t(busy ? "recover.busy" : "recover.button");
    result.hidden = !found;
    if (found) result.textContent = ctx.t(found.status === "expired" ? "recover.found_expired" : "recover.found");
    showError(errorSlot, failure && describeError(failure, ctx.t, null, "settings"), ctx.t);
  }

  async function recover() {
    if (busy || input.value.trim() === "") return;
    busy = true;
    found = null;
    failure = null;
    render();
    try {
      found = await backend.recoverTask(input.value);
      input.value = "";
    } catch (error) {
      failure = error;
    } finally {
      busy = false;
      render();
      if (found) ctx.announce(result.textContent);
    }
  }

  input.addEventListener("input", () => {
    found = null;
    failure = null;
    render();
  });
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter") recover();
  });
  button.addEventListener("click", recover);
  render();
  return { relabel: render };
}
