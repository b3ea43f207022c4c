// Copying text for support requests and tunnel setups. When the clipboard is not available (or
// refuses), the text is selected instead so the user can copy it with the keyboard.

/** Selects the text of an element (an input's value, or any element's text). */
function selectText(node) {
  if (!node) return;
  if (typeof node.select === "function") {
    node.focus();
    node.select();
    return;
  }
  const selection = globalThis.getSelection?.();
  if (!selection) return;
  const range = document.createRange();
  range.selectNodeContents(node);
  selection.removeAllRanges();
  selection.addRange(range);
}

/** → "copied" when the clipboard took the text, else "selected" (the fallback). */
export async function copyText(text, node) {
  try {
    if (!globalThis.navigator?.clipboard?.writeText) throw new Error("no clipboard");
    await navigator.clipboard.writeText(String(text ?? ""));
    return "copied";
  } catch {
    selectText(node);
    return "selected";
  }
}
