// "Redraw when what it shows changed": a view part names everything it shows as a key, and its
// DOM is rebuilt only when the key differs from the last one. Rebuilding less keeps the keyboard
// focus, an open <details> and a playing video where they are. No DOM access here.

/**
 * renderOnChange(render) → {run(key, ...args), reset()}.
 * run calls render(...args) when `key` differs (===) from the key of the last render, and says
 * whether it did; build keys as strings (JSON.stringify) so equal content compares equal.
 * reset forgets the last key, so the next run renders whatever the key (a new language).
 */
export function renderOnChange(render) {
  let last = null;
  let fresh = true;
  return {
    run(key, ...args) {
      if (!fresh && key === last) return false;
      fresh = false;
      last = key;
      render(...args);
      return true;
    },
    reset() {
      fresh = true;
    },
  };
}
