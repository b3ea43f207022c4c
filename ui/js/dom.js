// Small DOM helpers shared by the views.

/**
 * el("button", {class: "btn", dataset: {testid: "x"}, on: {click}}, "text", child...)
 * Attributes with null/false values are left out; true sets an empty attribute.
 */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs ?? {})) {
    if (value == null || value === false) continue;
    if (name === "class") node.className = value;
    else if (name === "dataset") Object.assign(node.dataset, value);
    else if (name === "on") for (const [type, fn] of Object.entries(value)) node.addEventListener(type, fn);
    else if (name === "text") node.textContent = value;
    else node.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child == null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

const ICONS = {
  gear: "M12 15.5a3.5 3.5 0 1 0 0-7 3.5 3.5 0 0 0 0 7Zm7.4-2.5a7.6 7.6 0 0 0 0-2l2-1.6-2-3.4-2.4 1a7.4 7.4 0 0 0-1.7-1L15 3.5h-4l-.3 2.5a7.4 7.4 0 0 0-1.7 1l-2.4-1-2 3.4 2 1.6a7.6 7.6 0 0 0 0 2l-2 1.6 2 3.4 2.4-1a7.4 7.4 0 0 0 1.7 1l.3 2.5h4l.3-2.5a7.4 7.4 0 0 0 1.7-1l2.4 1 2-3.4-2-1.6Z",
  film: "M4 5h16v14H4zM8 5v14M16 5v14M4 9h4M4 15h4M16 9h4M16 15h4",
  play: "M8 5.5v13l11-6.5z",
  pause: "M9 5.5v13M15 5.5v13",
  alert: "M12 4 2.5 20h19L12 4Zm0 6v4.5m0 2.5v.5",
  clock: "M12 21a9 9 0 1 0 0-18 9 9 0 0 0 0 18Zm0-13v4.5l3 2",
  spark: "M12 3v4M12 17v4M3 12h4M17 12h4M5.6 5.6l2.8 2.8M15.6 15.6l2.8 2.8M5.6 18.4l2.8-2.8M15.6 8.4l2.8-2.8",
  close: "M6 6l12 12M18 6 6 18",
  eye: "M2.5 12S6 5.5 12 5.5 21.5 12 21.5 12 18 18.5 12 18.5 2.5 12 2.5 12Zm9.5 3a3 3 0 1 0 0-6 3 3 0 0 0 0 6Z",
  eyeOff: "M3 3l18 18M10.6 6.1A9.7 9.7 0 0 1 12 6c6 0 9.5 6 9.5 6a16 16 0 0 1-2.9 3.5M6.4 7.6A16.5 16.5 0 0 0 2.5 12S6 18 12 18a9 9 0 0 0 4-.9M9.9 9.9a3 3 0 0 0 4.2 4.2",
  reuse: "M4 12a8 8 0 1 0 2.4-5.7M4 4.5v4h4",
  star: "M12 3.5l2.6 5.3 5.9.9-4.3 4.1 1 5.8-5.2-2.7-5.2 2.7 1-5.8-4.3-4.1 5.9-.9z",
  reject: "M10 15.5V19a2 2 0 0 0 2 2l3.5-7V4H7.2a2 2 0 0 0-2 1.7l-1.2 7.5a2 2 0 0 0 2 2.3Zm5.5-1.5H19a1.5 1.5 0 0 0 1.5-1.5v-7A1.5 1.5 0 0 0 19 4h-3.5",
  pen: "M4 20h4L19.5 8.5a2.1 2.1 0 0 0-4-4L4 16v4Zm10-14 4 4",
  picture: "M4 5h16v14H4zM4 16l5-5 4 4 3-3 4 4M15.5 9.5h.01",
  key: "M14.5 3.5a6 6 0 0 0-5.6 8.1L3.5 17v3.5H7v-2h2v-2h2l1.4-1.4a6 6 0 1 0 2.1-11.6Zm1.5 3a1.5 1.5 0 1 1 0 3 1.5 1.5 0 0 1 0-3Z",
};

/** Gives an element the shape of an aspect ratio ({css, value}, ratio.js) through --ar and --ar-value. */
export function setAspect(node, { css, value }) {
  node.style.setProperty("--ar", css);
  node.style.setProperty("--ar-value", String(value));
}

/** A text field's character counter: "120 / 500", read out in words, coloured by its state. */
export function showCounter(counter, { count, max, state }, t) {
  counter.textContent = t("composer.counter", { count, max });
  counter.setAttribute("aria-label", t("composer.counter_aria", { count, max }));
  counter.dataset.state = state;
}

/**
 * Sets a node's text only when it changed: every write makes a new text node, and WebKit keeps
 * memory for a replaced node until a full collection, so a gallery that moves cards on to other
 * records (and ticks their clocks every second) writes only what differs.
 */
export function setText(node, text) {
  if (node.textContent !== text) node.textContent = text;
}

/** A stroked 24×24 icon, decorative (aria-hidden). */
export function icon(name, className = "icon") {
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("class", className);
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("focusable", "false");
  const path = document.createElementNS(ns, "path");
  path.setAttribute("d", ICONS[name] ?? "");
  svg.append(path);
  return svg;
}

/**
 * Shows an error message inside `slot` (a container), or clears it when `described` is null.
 * The element with data-testid="error" exists only while there is an error.
 */
export function showError(slot, described, t, extra = []) {
  slot.replaceChildren();
  if (!described) return null;
  const box = el("div", { class: "error-box", role: "alert", dataset: { testid: "error", kind: described.kind } },
    icon("alert", "icon icon-sm"),
    el("div", { class: "error-text" },
      el("p", { text: described.text }),
      described.code ? el("p", { class: "error-code", text: t("error.code", { code: described.code }) }) : null,
      ...extra,
    ),
  );
  slot.append(box);
  return box;
}

/**
 * A word diff ({op, text, glued} parts, as core's coach::word_diff sends them) as nodes: added
 * words in <ins class="diff-added">, removed ones in <del class="diff-removed">, a space between
 * parts unless the next one is glued to the one before (punctuation).
 */
export function diffNodes(parts) {
  const nodes = [];
  parts.forEach((part, index) => {
    if (index > 0 && !part.glued) nodes.push(" ");
    if (part.op === "added") nodes.push(el("ins", { class: "diff-added", text: part.text }));
    else if (part.op === "removed") nodes.push(el("del", { class: "diff-removed", text: part.text }));
    else nodes.push(part.text);
  });
  return nodes;
}

/** The gallery's card of generation `id`, if it is drawn. */
export function cardOf(id) {
  if (!id) return null;
  const escaped = globalThis.CSS?.escape ? CSS.escape(id) : String(id).replace(/["\\]/g, "\\$&");
  return document.querySelector(`[data-testid="generation"][data-id="${escaped}"]`);
}

/** Fills every data-i18n* attribute under root. */
export function applyI18n(root, t) {
  for (const node of root.querySelectorAll("[data-i18n]")) node.textContent = t(node.dataset.i18n);
  for (const node of root.querySelectorAll("[data-i18n-placeholder]")) node.placeholder = t(node.dataset.i18nPlaceholder);
  for (const node of root.querySelectorAll("[data-i18n-title]")) node.title = t(node.dataset.i18nTitle);
  for (const node of root.querySelectorAll("[data-i18n-aria-label]")) node.setAttribute("aria-label", t(node.dataset.i18nAriaLabel));
}

/**
 * Resolves at the next animation frame, or after `lateMs` if none comes: a page that has not
 * painted yet may hold its frames back, and what waits for one must not wait for ever.
 */
export function nextFrame(lateMs = 250) {
  return new Promise((resolve) => {
    const frame = requestAnimationFrame(() => {
      clearTimeout(timer);
      resolve();
    });
    const timer = setTimeout(() => {
      cancelAnimationFrame(frame);
      resolve();
    }, lateMs);
  });
}

/** Resolves in a task of its own: what runs before and after it lets input and painting in between. */
export function nextTask() {
  return new Promise((resolve) => setTimeout(resolve, 0));
}
