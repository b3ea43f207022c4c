// The tools under the prompt box: Improve prompt (the coach), snippets and earlier prompts. Each
// part fills the box in its own way and tells the composer through `onChange`; one of the two
// panels (snippets, history) is open at a time, so the side panel stays short enough to reach
// Generate.
import { createCoach } from "./coach.js";
import { createSnippets } from "./snippets.js";
import { createPromptHistory } from "./history.js";

/**
 * prompt: the textarea; choice(): the options chosen ({duration, aspect_ratio}); onChange(): the
 * box was filled by a tool (the composer redraws its counter and Generate).
 */
export function createPromptTools(ctx, { prompt, choice, onChange }) {
  const snippetsToggle = document.getElementById("snippets-toggle");
  const historyToggle = document.getElementById("history-toggle");
  const coach = createCoach(ctx, { prompt, choice, onAccept: onChange });
  const snippets = createSnippets(ctx, { prompt, toggle: snippetsToggle, onInsert: onChange });
  const history = createPromptHistory(ctx, { prompt, toggle: historyToggle, onPick: onChange });

  snippetsToggle.addEventListener("click", () => {
    history.show(false);
    snippets.show(!snippets.open);
  });
  historyToggle.addEventListener("click", () => {
    snippets.show(false);
    history.show(!history.open);
  });
  // Escape in a panel closes it and gives the keyboard back to the button that opened it.
  for (const [part, toggle] of [[snippets, snippetsToggle], [history, historyToggle]]) {
    document.getElementById(toggle.getAttribute("aria-controls")).addEventListener("keydown", (event) => {
      if (event.key !== "Escape") return;
      event.stopPropagation();
      part.show(false);
      toggle.focus();
    });
  }

  return {
    /** The prompt changed (typed, filled or emptied): Improve and its estimate follow it. */
    promptChanged: () => coach.promptChanged(),
    /** The chat model changed in Settings: its price may differ. */
    chatModelChanged: () => coach.promptChanged(),
    render: () => coach.render(),
    relabel() {
      coach.relabel();
      snippets.relabel();
      history.relabel();
    },
  };
}
