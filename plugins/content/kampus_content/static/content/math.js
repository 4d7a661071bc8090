/* Maths in course content: MathJax 3 configured as Open edX configures MathJax 2, and loaded on demand.
 *
 * Open edX typesets \( \) and [mathjaxinline]...[/mathjaxinline] inline, \[ \], $$ $$ and
 * [mathjax]...[/mathjax] as display maths (the server already turns Open edX's markers into MathJax's
 * delimiters; they stay here for HTML that scripts add later). Pages whose HTML holds maths load MathJax
 * with this file; others load it only when `KampusMath.typeset(element)` finds maths in new HTML (a problem
 * re-rendered after Submit, an answer shown).
 *
 * Course scripts written for Open edX call MathJax 2's API: `MathJax.Hub.Queue(["Typeset", MathJax.Hub, el])`,
 * `MathJax.Hub.Typeset(el)`, `MathJax.Hub.Config(...)`, `MathJax.Hub.Register.StartupHook(name, fn)`. They
 * work here: calls made before MathJax is ready wait for it.
 *
 * TeX that could reach outside the page (\href with javascript:, \style, \class...) is filtered by MathJax's
 * `ui/safe` extension, since a learner's answer (or a forum post) may be typeset too, made strict: Safe's URL
 * test reads "java<TAB>script:" or "<U+0001>javascript:" as a relative address (the browser drops those
 * characters and runs the script) and lets file: through, so \href (and MathML's href and src) accepts only
 * http, https and relative addresses, judged as the browser reads them; classes, ids and styles keep Safe's
 * "safe" lists.
 */
(function () {
  "use strict";

  var script = document.currentScript;
  var mathjaxSrc = script ? script.getAttribute("data-mathjax-src") : "";
  var MATH = /\\\(|\\\[|\$\$|\\begin\{|\[mathjax(inline)?\]|<math[\s>]/i;
  var ready = false;
  var pending = [];

  var MATH_PROTOCOLS = {http: true, https: true, file: false, javascript: false, data: false};
  var URL_NOISE = /[\s\u0000-\u001f\u007f-\u009f\u180e\u200b-\u200f]/g;

  function safeMathUrl(safe, url) {
    var scheme = /^([a-z][a-z0-9+.\-]*):/i.exec(String(url).replace(URL_NOISE, ""));
    if (safe.allow.URLs === "none") { return null; }
    return !scheme || MATH_PROTOCOLS[scheme[1].toLowerCase()] === true ? url : null;
  }

  /* Make the running MathJax's Safe extension strict (idempotent). */
  function hardenSafe() {
    var mathDocument = window.MathJax && window.MathJax.startup && window.MathJax.startup.document;
    var safe = mathDocument && mathDocument.safe;
    if (!safe || !safe.filterMethods || safe.filterMethods.filterURL === safeMathUrl) { return; }
    ["URLs", "classes", "cssIDs", "styles"].forEach(function (name) { safe.allow[name] = "safe"; });
    safe.options.safeProtocols = MATH_PROTOCOLS;  // also what \style's url() is checked against
    safe.filterMethods.filterURL = safeMathUrl;
  }

  function typesetNow(elements) {
    var mathjax = window.MathJax;
    if (!mathjax || !mathjax.typesetPromise) { return Promise.resolve(); }
    hardenSafe();
    return mathjax.typesetPromise(elements).catch(function (error) {
      if (window.console) { window.console.warn("MathJax could not typeset", error); }
    });
  }

  function whenReady(action) {
    if (ready) { action(); } else { pending.push(action); }
  }

  /* One MathJax 2 queue item: a function, [fn, args...], [object, "method", args...] or ["Typeset", Hub, el]. */
  function runItem(item) {
    if (typeof item === "function") { item(); return; }
    if (!item || !item.length) { return; }
    if (item[0] === "Typeset") {
      var target = item[2];
      if (typeof target === "string") { target = document.getElementById(target); }
      typesetNow(target ? [target] : undefined).then(function () {
        if (typeof item[3] === "function") { item[3](); }
      });
    } else if (typeof item[0] === "function") {
      item[0].apply(null, item.slice(1));
    } else if (item[0] && typeof item[1] === "string" && typeof item[0][item[1]] === "function") {
      item[0][item[1]].apply(item[0], item.slice(2));
    }
  }

  var noop = function () {};
  var Hub = {
    Queue: function () {
      Array.prototype.forEach.call(arguments, function (item) { whenReady(function () { runItem(item); }); });
    },
    Typeset: function (element, callback) { Hub.Queue(["Typeset", Hub, element, callback]); },
    Config: noop,
    Configured: noop,
    Register: { StartupHook: function (name, callback) { Hub.Queue(callback); }, MessageHook: noop },
    signal: { Interest: noop },
    getAllJax: function () { return []; }
  };

  function load() {
    if (document.getElementById("MathJax-script") || !mathjaxSrc) { return; }
    var tag = document.createElement("script");
    tag.id = "MathJax-script";
    tag.src = mathjaxSrc;
    tag.async = true;
    document.head.appendChild(tag);
  }

  if (!window.MathJax || !window.MathJax.version) {
    window.MathJax = {
      tex: {
        inlineMath: [["\\(", "\\)"], ["[mathjaxinline]", "[/mathjaxinline]"]],
        displayMath: [["\\[", "\\]"], ["$$", "$$"], ["[mathjax]", "[/mathjax]"]],
        processEscapes: true
      },
      loader: { load: ["ui/safe"] },
      options: { ignoreHtmlClass: "tex2jax_ignore", processHtmlClass: "tex2jax_process" },
      startup: {
        ready: function () {
          window.MathJax.startup.defaultReady();
          hardenSafe();
          window.MathJax.Hub = Hub;
          window.MathJax.startup.promise.then(function () {
            ready = true;
            var waiting = pending;
            pending = [];
            waiting.forEach(function (action) { action(); });
          });
        }
      },
      Hub: Hub  // MathJax 2's API for scripts that run before MathJax has loaded
    };
  }

  window.KampusMath = {
    /* Typeset the maths in `element` (a DOM element or jQuery object), loading MathJax when needed. */
    typeset: function (element) {
      if (element && element.jquery) { element = element[0]; }
      if (!element) { return; }
      if (window.MathJax && window.MathJax.typesetPromise && ready) {
        typesetNow([element]);
        return;
      }
      if (MATH.test(element.innerHTML || "")) {
        whenReady(function () { typesetNow([element]); });
        load();
      }
    },
    load: load
  };
}());
