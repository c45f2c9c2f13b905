// A very small DOM, enough for view.js: elements, text nodes, attributes, listeners, focus and
// simple selectors ("tag", "#id", "[attr]", "[attr=value]", combined like 'li[data-step="x"]').
// There is no HTML parser here on purpose: if view.js ever used innerHTML, tests would notice.

class FakeNode {
  constructor(doc) {
    this.ownerDocument = doc;
    this.parentNode = null;
    this.childNodes = [];
  }

  get textContent() {
    return this.childNodes.map((child) => child.textContent).join('');
  }

  set textContent(text) {
    this.replaceChildren(this.ownerDocument.createTextNode(String(text)));
  }

  appendChild(child) {
    if (child.parentNode) child.parentNode.removeChild(child);
    child.parentNode = this;
    this.childNodes.push(child);
    return child;
  }

  removeChild(child) {
    this.childNodes = this.childNodes.filter((node) => node !== child);
    child.parentNode = null;
    return child;
  }

  replaceChildren(...nodes) {
    for (const child of this.childNodes) child.parentNode = null;
    this.childNodes = [];
    for (const node of nodes) this.appendChild(node);
  }

  contains(node) {
    for (let current = node; current; current = current.parentNode) if (current === this) return true;
    return false;
  }
}

class FakeText extends FakeNode {
  constructor(doc, text) {
    super(doc);
    this.nodeType = 3;
    this.data = text;
  }

  get textContent() {
    return this.data;
  }

  set textContent(text) {
    this.data = String(text);
  }
}

class FakeElement extends FakeNode {
  constructor(doc, tagName) {
    super(doc);
    this.nodeType = 1;
    this.tagName = tagName.toUpperCase();
    this.attributes = new Map();
    this.listeners = {};
    this.value = '';
    this.checked = false;
    this.disabled = false;
    this.selected = false;
  }

  get id() {
    return this.getAttribute('id') || '';
  }

  get children() {
    return this.childNodes.filter((node) => node.nodeType === 1);
  }

  set innerHTML(_) {
    throw new Error('innerHTML is not allowed in the sidebar');
  }

  setAttribute(name, value) {
    this.attributes.set(name, String(value));
  }

  getAttribute(name) {
    return this.attributes.has(name) ? this.attributes.get(name) : null;
  }

  hasAttribute(name) {
    return this.attributes.has(name);
  }

  addEventListener(type, listener) {
    (this.listeners[type] = this.listeners[type] || []).push(listener);
  }

  /** Fire an event at this element: {type, target, preventDefault}. */
  dispatch(type, extra = {}) {
    const event = {type, target: this, defaultPrevented: false, preventDefault() { this.defaultPrevented = true; }, ...extra};
    for (const listener of this.listeners[type] || []) listener(event);
    return event;
  }

  click() {
    return this.dispatch('click');
  }

  focus() {
    this.ownerDocument.activeElement = this;
  }

  matches(selector) {
    return matches(this, selector);
  }

  querySelectorAll(selector) {
    const found = [];
    const alternatives = selector.split(',').map((part) => part.trim().split(/\s+/));
    const walk = (node) => {
      for (const child of node.children) {
        if (alternatives.some((parts) => matchesPath(child, parts))) found.push(child);
        walk(child);
      }
    };
    walk(this);
    return found;
  }

  querySelector(selector) {
    return this.querySelectorAll(selector)[0] || null;
  }
}

/** "a b c": the element matches c and has ancestors matching b, then a. */
function matchesPath(element, parts) {
  if (!matches(element, parts[parts.length - 1])) return false;
  let rest = parts.length - 2;
  for (let node = element.parentNode; node && rest >= 0; node = node.parentNode) {
    if (node.nodeType === 1 && matches(node, parts[rest])) rest -= 1;
  }
  return rest < 0;
}

const SIMPLE = /^([a-zA-Z0-9]*)((?:#[\w-]+)?)((?:\[[^\]]+\])*)$/;

function matches(element, selector) {
  const match = SIMPLE.exec(selector);
  if (!match) throw new Error(`the fake DOM does not understand ${selector}`);
  const [, tagName, id, attributes] = match;
  if (tagName && element.tagName !== tagName.toUpperCase()) return false;
  if (id && element.id !== id.slice(1)) return false;
  for (const [, name, value] of attributes.matchAll(/\[([\w-]+)(?:="?([^"\]]*)"?)?\]/g)) {
    if (!element.hasAttribute(name)) return false;
    if (value !== undefined && element.getAttribute(name) !== value) return false;
  }
  return true;
}

class FakeDocument {
  constructor() {
    this.activeElement = null;
    this.documentElement = new FakeElement(this, 'html');
    this.body = new FakeElement(this, 'body');
    this.body.scrollHeight = 480; // what the iframe would measure
    this.documentElement.appendChild(this.body);
    this.baseURI = 'https://app.zendesk.example/assets/iframe.html';
  }

  createElement(tagName) {
    return new FakeElement(this, tagName);
  }

  createTextNode(text) {
    return new FakeText(this, text);
  }

  getElementById(id) {
    return this.documentElement.querySelector(`#${id}`);
  }
}

/** A document with <main id="app"> in its body: {doc, root}. */
export function fakeDocument() {
  const doc = new FakeDocument();
  const root = doc.createElement('main');
  root.setAttribute('id', 'app');
  doc.body.appendChild(root);
  return {doc, root};
}

/** Every element in the tree under `node` (for whole-tree checks). */
export function allElements(node) {
  return [node, ...walk(node)];
}

function walk(node) {
  const out = [];
  for (const child of node.children || []) out.push(child, ...walk(child));
  return out;
}
