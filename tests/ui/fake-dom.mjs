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
      child.remove();
      child.parentNode = this;
      this.childNodes.push(child);
    }
  }
  replaceChildren(...nodes) {
    for (const child of this.childNodes) child.parentNode = null;
    this.childNodes = [];
    this.append(...nodes);
  }
  insertBefore(node, ref) {
    node.remove();
    node.parentNode = this;
    const at = ref ? this.childNodes.indexOf(ref) : -1;
    this.childNodes.splice(at === -1 ? this.childNodes.length : at, 0, node);
    return node;
  }
  remove() {
    this.parentNode?.childNodes.splice(this.parentNode.childNodes.indexOf(this), 1);
    this.parentNode = null;
  }
  contains(node) {
    for (let at = node; at; at = at.parentNode) if (at === this) return true;
    return false;
  }
  get children() {
    return this.childNodes.filter((child) => child instanceof FakeElement);
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
  removeAttribute(name) {
    delete this.attributes[name];
  }
  /** A <video>'s, never playing. */
  play() {
    return Promise.resolve();
  }
  pause() {}
  load() {}
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
  /** Only `[data-testid=…]`, what the views ask for. */
  querySelector(selector) {
    const testid = /^\[data-testid="?([\w-]+)"?\]/.exec(selector)?.[1];
    return testid ? this.find(testid) : null;
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
