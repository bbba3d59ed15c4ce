// Runs snippets in a fake browser page (node:vm) and prints, as JSON, what reached TikTok's ttq.
//
// Input (stdin): {"steps": [...], "scripts": {url: source}, "crypto": "full"|"random-values"|"none",
//                 "storage": "ok"|"throws"}
// Steps:
//   {"html": "<script>..</script>.."}  run every inline <script> body, as an HTML parser would cut them
//   {"js": "..."}                      run a script (a headless snippet, a loader body)
//   {"eval": "..."}                    run test code; its value goes to "results"
//   {"deliver": true}                  fetch the async scripts inserted so far: known URLs run,
//                                      TikTok's events.js stays pending (no network), others fail
//   {"ready": true} / {"load": true}   DOMContentLoaded / window load
//   {"click": {"class": "...", "href": "...", "child": true}}   a click on such a link (or on a
//                                      <span> inside it when child is set)
//   {"advance": ms}                    move the page clock forward
//   {"dispatch": "hashchange"}         an event on window
//   {"reload": true}                   a new page; localStorage and the clock carry over
// Output: {"pages": [{"ttq": [[method, ...args]] (pixel instances), "ttq_global": [...], "ttq_pixels": [...], "scripts": [src...],
//          "errors": [...], "console": [...], "results": [...], "ttc_queue": n}]}
"use strict";
const fs = require("fs");
const vm = require("vm");
const nodeCrypto = require("crypto");

const scenario = JSON.parse(fs.readFileSync(0, "utf8"));
const knownScripts = scenario.scripts || {};
const storageMode = scenario.storage || "ok";
const cryptoMode = scenario.crypto || "full";
const storageData = new Map();
// WebCrypto's digest, settled in a microtask (the real one settles later, off the main thread).
const subtle = {
  digest: (algorithm, data) => {
    const hash = nodeCrypto.createHash(algorithm.replace("-", "").toLowerCase()).update(Buffer.from(data)).digest();
    return Promise.resolve(hash.buffer.slice(hash.byteOffset, hash.byteOffset + hash.length));
  },
};
let now = Date.UTC(2024, 0, 15, 12, 0, 0);

class FakeDate extends Date {
  constructor(...args) {
    if (args.length) super(...args);
    else super(now);
  }
  static now() {
    return now;
  }
}

function makeStorage() {
  const fail = () => {
    throw new Error("SecurityError: localStorage is disabled");
  };
  if (storageMode === "throws") return { getItem: fail, setItem: fail, removeItem: fail };
  return {
    getItem: (k) => (storageData.has(String(k)) ? storageData.get(String(k)) : null),
    setItem: (k, v) => storageData.set(String(k), String(v)),
    removeItem: (k) => storageData.delete(String(k)),
  };
}

function makeCrypto() {
  const getRandomValues = (arr) => {
    const bytes = nodeCrypto.randomBytes(arr.length);
    for (let i = 0; i < arr.length; i++) arr[i] = bytes[i];
    return arr;
  };
  if (cryptoMode === "full") return { randomUUID: () => nodeCrypto.randomUUID(), getRandomValues, subtle };
  if (cryptoMode === "random-values") return { getRandomValues };
  return undefined;
}

function newPage() {
  const page = { errors: [], console: [], results: [], scripts: [], pending: [], listeners: new Map() };

  function on(target, type, fn) {
    const key = target + ":" + type;
    if (!page.listeners.has(key)) page.listeners.set(key, []);
    page.listeners.get(key).push(fn);
  }
  function dispatch(target, type, event) {
    for (const fn of (page.listeners.get(target + ":" + type) || []).slice()) {
      try {
        fn.call(null, event);
      } catch (err) {
        page.errors.push("uncaught in " + type + " listener: " + err);
      }
    }
  }

  class Element {
    constructor(tag, attrs) {
      this.tagName = tag.toUpperCase();
      this.attrs = Object.assign({}, attrs || {});
      this.className = this.attrs.class || "";
      this.parentNode = null;
      this.childNodes = [];
    }
    getAttribute(name) {
      return name in this.attrs ? this.attrs[name] : null;
    }
    setAttribute(name, value) {
      this.attrs[name] = String(value);
    }
    appendChild(child) {
      return this.insertBefore(child, null);
    }
    insertBefore(child, ref) {
      child.parentNode = this;
      const at = ref ? this.childNodes.indexOf(ref) : -1;
      if (at < 0) this.childNodes.push(child);
      else this.childNodes.splice(at, 0, child);
      if (child.tagName === "SCRIPT" && child.src) {
        page.scripts.push(child.src);
        page.pending.push(child);
      }
      return child;
    }
    addEventListener() {}
  }

  const html = new Element("html");
  const head = html.appendChild(new Element("head"));
  const body = html.appendChild(new Element("body"));
  head.appendChild(new Element("script")); // the script that is running
  const document = {
    readyState: "loading",
    documentElement: html,
    head,
    body,
    createElement: (tag) => new Element(tag),
    getElementsByTagName: (tag) => {
      const found = [];
      const walk = (el) => {
        for (const c of el.childNodes) {
          if (c.tagName === String(tag).toUpperCase()) found.push(c);
          walk(c);
        }
      };
      walk(html);
      return found;
    },
    addEventListener: (type, fn) => on("document", type, fn),
    removeEventListener: () => {},
  };

  const requests = [];
  function XMLHttpRequest() {}
  XMLHttpRequest.prototype.open = function (method, url) {
    this.request = { method, url };
  };
  XMLHttpRequest.prototype.setRequestHeader = function () {};
  XMLHttpRequest.prototype.send = function (body) {
    requests.push({ via: "xhr", method: this.request.method, url: String(this.request.url), body: body });
  };
  function fetch(input, init) {
    requests.push({ via: "fetch", url: String(input), body: init && init.body });
    return Promise.resolve({ ok: true, status: 200 });
  }

  const window = {
    document,
    location: { href: "https://shop.example/produto/p", protocol: "https:", hostname: scenario.hostname || "shop.example" },
    TextEncoder,
    navigator: { userAgent: "harness" },
    console: {
      log: () => {},
      info: () => {},
      warn: (...a) => page.console.push("warn: " + a.join(" ")),
      error: (...a) => page.console.push("error: " + a.join(" ")),
    },
    localStorage: makeStorage(),
    sessionStorage: makeStorage(),
    crypto: makeCrypto(),
    Date: FakeDate,
    XMLHttpRequest,
    fetch,
    addEventListener: (type, fn) => on("window", type, fn),
    removeEventListener: () => {},
    setTimeout: (fn) => fn && 0,
    clearTimeout: () => {},
    harnessRequests: requests,
  };
  if (!window.crypto) delete window.crypto;
  const context = vm.createContext(window);
  const global = vm.runInContext("this", context);
  window.window = global;
  window.self = global;

  page.run = (source, label) => {
    try {
      return vm.runInContext(source, context, { filename: label || "snippet.js" });
    } catch (err) {
      page.errors.push((label || "script") + ": " + err);
      return undefined;
    }
  };
  page.global = global;
  page.document = document;
  page.body = body;
  page.dispatch = dispatch;
  page.Element = Element;
  return page;
}

// What a browser's HTML tokenizer does with script data, for the cases that matter here: the
// element ends at the first "</script", whatever JavaScript string it sits in.
function inlineScripts(markup) {
  const bodies = [];
  const re = /<script\b[^>]*>([\s\S]*?)<\/script/gi;
  let m;
  while ((m = re.exec(markup))) bodies.push(m[1]);
  return bodies;
}

function deliver(page) {
  const waiting = page.pending.splice(0);
  for (const el of waiting) {
    if (Object.prototype.hasOwnProperty.call(knownScripts, el.src)) {
      page.run(knownScripts[el.src], el.src);
      if (typeof el.onload === "function") el.onload();
    } else if (/^https:\/\/analytics\.tiktok\.com\//.test(el.src)) {
      // TikTok's events.js never arrives here: what it would read stays in the ttq array.
    } else if (typeof el.onerror === "function") {
      el.onerror();
    }
  }
}

function click(page, spec) {
  const link = new page.Element("a", { class: spec.class || "", href: spec.href || "" });
  page.body.appendChild(link);
  const target = spec.child ? link.appendChild(new page.Element("span")) : link;
  const event = { type: "click", target, preventDefault() {}, stopPropagation() {} };
  page.dispatch("document", "click", event);
  page.dispatch("window", "click", event);
}

function report(page) {
  const g = page.global;
  const ttq = g.ttq;
  let calls = [];
  let pixels = [];
  let global = [];
  try {
    // The loader talks to its own pixel's instance queue (ttq._i[code]); consent stays global.
    global = ttq ? JSON.parse(JSON.stringify(Array.prototype.slice.call(ttq))) : [];
    pixels = ttq && ttq._i ? Object.keys(ttq._i) : [];
    calls = [];
    for (const code of pixels) calls = calls.concat(JSON.parse(JSON.stringify(Array.prototype.slice.call(ttq._i[code]))));
  } catch (err) {
    page.errors.push("report: " + err);
  }
  const queue = g.ttc && g.ttc.q ? g.ttc.q.length : 0;
  return {
    ttq: calls,
    ttq_global: global,
    ttq_pixels: pixels,
    scripts: page.scripts,
    errors: page.errors,
    console: page.console,
    results: page.results,
    ttc_queue: queue,
    requests: g.harnessRequests,
  };
}

const pages = [];
let page = newPage();
// Promises (WebCrypto's digest) settle between steps, as they would between a page's tasks.
const settle = () => new Promise((resolve) => setImmediate(resolve));
(async () => {
for (const step of scenario.steps) {
  await settle();
  if ("html" in step) for (const body of inlineScripts(step.html)) page.run(body, "inline");
  else if ("js" in step) page.run(step.js, step.label);
  else if ("eval" in step) {
    const value = page.run(step.eval, "test");
    const json = value === undefined ? undefined : JSON.stringify(value);
    page.results.push(json === undefined ? null : JSON.parse(json));
  } else if ("deliver" in step) deliver(page);
  else if ("ready" in step) {
    page.document.readyState = "interactive";
    page.dispatch("document", "DOMContentLoaded", { type: "DOMContentLoaded" });
  } else if ("load" in step) {
    page.document.readyState = "complete";
    page.dispatch("window", "load", { type: "load" });
  } else if ("click" in step) click(page, step.click);
  else if ("advance" in step) now += step.advance;
  else if ("dispatch" in step) page.dispatch("window", step.dispatch, { type: step.dispatch });
  else if ("reload" in step) {
    await settle();
    pages.push(report(page));
    page = newPage();
  } else throw new Error("unknown step " + JSON.stringify(step));
}
await settle();
pages.push(report(page));
process.stdout.write(JSON.stringify({ pages }));
})();
