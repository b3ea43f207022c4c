// A stand-in DOM for the UI tests: just what dom.js and the views under test use. Elements are
// found by data-testid (find) and clicked or submitted with dispatch.
export class FakeNode {
  constructor() {
    this.childNodes = [];
    this.parentNode = null;
  }
  append(...nodes) {
    for (const node of nodes) {
      const child = typeof node === "string" ? new FakeText(node) : node;
      child.parentNode?.childNodes.splice(child.parentNode.childNodes.indexOf(child), 1);
      child.parentNode = this;
      this.childNodes.push(child);
    }
  }
  replaceChildren(...nodes) {
    for (const child of this.childNodes) child.parentNode = null;
    this.childNodes = [];
    this.append(...nodes);
  }
  get firstChild() {
    return this.childNodes[0] ?? null;
  }
  get textContent() {
    return this.childNodes.map((child) => child.textContent).join("");
  }
  set textContent(text) {
    this.replaceChildren(new FakeText(String(text)));
  }
}
export class FakeText extends FakeNode {
  constructor(text) {
    super();
    this.text = text;
  }
  get textContent() {
    return this.text;
  }
}
export class FakeElement extends FakeNode {
  constructor(tag) {
    super();
    this.tag = tag;
    this.attributes = {};
    this.dataset = {};
    this.listeners = {};
    this.className = "";
    this.classList = { toggle() {}, add() {}, remove() {} };
    this.style = { setProperty() {} };
    this.value = "";
  }
  setAttribute(name, value) {
    this.attributes[name] = String(value);
  }
  getAttribute(name) {
    return this.attributes[name] ?? null;
  }
  addEventListener(type, fn) {
    (this.listeners[type] ??= []).push(fn);
  }
  dispatch(type) {
    for (const fn of this.listeners[type] ?? []) fn({ type, preventDefault() {} });
  }
  focus() {
    document.activeElement = this;
  }
  setSelectionRange(start, end) {
    this.selectionStart = start;
    this.selectionEnd = end;
  }
  /** Depth-first, like querySelector, by data-testid. */
  find(testid) {
    if (this.dataset.testid === testid) return this;
    for (const child of this.childNodes) {
      const found = child instanceof FakeElement ? child.find(testid) : null;
      if (found) return found;
    }
    return null;
  }
}

/** Makes the stand-ins the page's; `byId` answers document.getElementById. */
export function installFakeDom(byId = {}) {
  globalThis.Node = FakeNode;
  globalThis.document = {
    createElement: (tag) => new FakeElement(tag),
    createElementNS: (_ns, tag) => new FakeElement(tag),
    createTextNode: (text) => new FakeText(text),
    getElementById: (id) => byId[id] ?? null,
    activeElement: null,
  };
}
