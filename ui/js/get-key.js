// "Get a key at cometapi.com" on the welcome panel. The shell opens CometAPI's key page in the
// system's browser: the window never navigates away, and never names the address.
import * as backend from "./backend.js";
import { describeError } from "./errors.js";
import { showError } from "./dom.js";

export function createGetKey(ctx) {
  const button = document.getElementById("get-key");
  const errorSlot = document.getElementById("get-key-error");
  let lastError = null;

  function setError(error) {
    lastError = error;
    // Worded for the welcome panel: with no browser, the user is told where to go by hand.
    showError(errorSlot, error ? describeError(error, ctx.t, null, "welcome") : null, ctx.t);
  }

  button.addEventListener("click", async () => {
    setError(null);
    try {
      await backend.openKeyPage();
      ctx.announce(ctx.t("welcome.get_key_opened"));
    } catch (error) {
      setError(error);
    }
  });

  return {
    relabel() {
      setError(lastError);
    },
  };
}
