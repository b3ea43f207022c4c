// Prompt text rules, shared with the Rust validator: characters are Unicode scalar values
// counted after trimming and NFC normalisation. No DOM access here.

export const PROMPT_MAX = 500;

/** Number of characters as the validator counts them. */
export function countChars(text) {
  return [...String(text ?? "").trim().normalize("NFC")].length;
}

/** "ok" below 90 % of the limit, "warn" from 90 % up to the limit, "over" past it. */
export function counterState(count, max) {
  if (count > max) return "over";
  if (count >= max * 0.9) return "warn";
  return "ok";
}

/**
 * Everything the composer needs to know about a prompt.
 * problem is null when the prompt may be sent, else the error kind that explains why not.
 */
export function checkPrompt(text, max = PROMPT_MAX) {
  const count = countChars(text);
  let problem = null;
  if (count === 0) problem = "prompt_empty";
  else if (count > max) problem = "prompt_too_long";
  return { count, max, state: counterState(count, max), problem, over: Math.max(0, count - max) };
}
