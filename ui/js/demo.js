// Demo mode: "Try it without a key" on the welcome panel brings the demo's own library to the
// front, with the built-in stand-in for Kling; a banner says so, and "Leave demo mode" in the top
// bar (always in view) leads back. The shell keeps
// both libraries open, so switching is instant and the user's own library stays as it was.
import * as backend from "./backend.js";
import { describeError } from "./errors.js";

export function createDemo(ctx, { onSwitch }) {
  const tryButton = document.getElementById("try-demo");
  const banner = document.getElementById("demo-banner");
  const leaveButton = document.getElementById("leave-demo");
  const detailBadge = document.getElementById("detail-demo");
  const clearButton = document.getElementById("clear-demo");
  const clearConfirm = document.getElementById("clear-demo-confirm");
  const clearYes = document.getElementById("clear-demo-yes");
  const clearNo = document.getElementById("clear-demo-no");
  let busy = false;

  /** "Clear demo videos" asks once, in place: they go for good. */
  function askToClear(asking) {
    clearButton.hidden = asking;
    clearConfirm.hidden = !asking;
    (asking ? clearNo : clearButton).focus();
  }

  function update() {
    const on = Boolean(ctx.info?.demo);
    banner.hidden = !on;
    leaveButton.hidden = !on;
    detailBadge.hidden = !on;
    document.body.classList.toggle("is-demo", on);
  }

  async function switchTo(call, announcement, focus) {
    if (busy) return;
    busy = true;
    tryButton.disabled = leaveButton.disabled = true;
    try {
      ctx.info = await call();
      update();
      await onSwitch();
      ctx.announce?.(ctx.t(announcement));
      focus();
    } catch (error) {
      ctx.announce?.(describeError(error, ctx.t).text);
      console.warn("Kling Desk: demo mode could not be switched", error);
    } finally {
      busy = false;
      tryButton.disabled = leaveButton.disabled = false;
    }
  }

  clearButton.addEventListener("click", () => askToClear(true));
  clearNo.addEventListener("click", () => askToClear(false));
  clearYes.addEventListener("click", async () => {
    try {
      const count = await backend.clearDemo();
      await onSwitch();
      ctx.announce?.(ctx.t.plural("demo.cleared", count, { count }));
    } catch (error) {
      ctx.announce?.(describeError(error, ctx.t).text);
    }
    askToClear(false);
  });
  tryButton.addEventListener("click", () => switchTo(backend.enterDemo, "demo.entered", () => ctx.focusComposer?.()));
  leaveButton.addEventListener("click", () => switchTo(backend.leaveDemo, "demo.left", () => ctx.focusStart?.()));

  update();
  return { update };
}
