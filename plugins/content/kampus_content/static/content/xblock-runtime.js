/* The Kampus XBlock JavaScript runtime.
 *
 * Every element `.xblock[data-init]` names the global init function of its
 * block; on DOMContentLoaded (children first, like Open edX) it is called as
 * init(runtime, element, args) with the JSON args of the element's
 * `script.xblock-json-init-args`. The runtime offers handlerUrl(element,
 * handler, suffix, query), notify(name, data), children(element),
 * childMap(element, name) and element. jQuery's ajax (when jQuery is on the
 * page) and window.fetch calls send the page's CSRF token.
 */
(function () {
  "use strict";

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  function sameOrigin(url) {
    try {
      return new URL(url, window.location.href).origin === window.location.origin;
    } catch (e) {
      return false;
    }
  }

  if (window.jQuery) {
    window.jQuery.ajaxPrefilter(function (options, original, xhr) {
      var method = (options.type || options.method || "GET").toUpperCase();
      if (["GET", "HEAD", "OPTIONS", "TRACE"].indexOf(method) === -1 && sameOrigin(options.url)) {
        xhr.setRequestHeader("X-CSRFToken", csrfToken());
      }
    });
  }

  // Django's JavaScript i18n functions, which many XBlocks call; identity until a catalog is loaded.
  if (typeof window.gettext !== "function") {
    window.gettext = function (msgid) { return msgid; };
    window.ngettext = function (singular, plural, count) { return count === 1 ? singular : plural; };
    window.pgettext = function (context, msgid) { return msgid; };
    window.interpolate = function (fmt, obj, named) {
      if (named) {
        return fmt.replace(/%\(\w+\)s/g, function (match) { return String(obj[match.slice(2, -2)]); });
      }
      return fmt.replace(/%s/g, function () { return String(obj.shift()); });
    };
  }

  function blockElement(element) {
    if (element && element.jquery) { element = element[0]; }
    while (element && !(element.classList && element.classList.contains("xblock"))) {
      element = element.parentNode;
    }
    return element;
  }

  function childBlocks(element) {
    var found = [];
    var walker = function (node) {
      for (var i = 0; i < node.children.length; i++) {
        var child = node.children[i];
        if (child.classList.contains("xblock")) { found.push(child); } else { walker(child); }
      }
    };
    walker(element);
    return found;
  }

  function Runtime(element) {
    this.element = element;
  }

  Runtime.prototype.handlerUrl = function (element, handlerName, suffix, query) {
    var block = blockElement(element) || this.element;
    var url = block.getAttribute("data-handler-prefix") + "/" + encodeURIComponent(handlerName);
    if (suffix) { url += "/" + String(suffix).replace(/^\/+/, ""); }
    var params = [];
    if (query) { params.push(String(query).replace(/^\?/, "")); }
    var page = document.querySelector(".kampus-xblock-page");
    var view = page ? page.getAttribute("data-view") : "student_view";
    if (view === "author_view" || view === "studio_view") { params.push("branch=draft"); }
    return params.length ? url + "?" + params.join("&") : url;
  };

  Runtime.prototype.handlerUrlNoAuth = Runtime.prototype.handlerUrl;

  Runtime.prototype.localResourceUrl = function (element, uri) {
    var block = blockElement(element) || this.element;
    return "/xblock/resource/" + block.getAttribute("data-block-type") + "/" + uri;
  };

  Runtime.prototype.children = function (element) {
    return childBlocks(blockElement(element) || this.element).map(function (child) { return child.xblockInstance; });
  };

  Runtime.prototype.childMap = function (element, name) {
    var children = this.children(element);
    for (var i = 0; i < children.length; i++) {
      if (children[i] && children[i].name === name) { return children[i]; }
    }
    return undefined;
  };

  Runtime.prototype.notify = function (name, data) {
    var event = new CustomEvent("xblock:" + name, { detail: data, bubbles: true });
    (this.element || document).dispatchEvent(event);
    if (name === "save" && data && data.state === "end") {
      var status = this.element && this.element.querySelector(".kampus-editor-status");
      if (status) { status.textContent = "Saved."; }
    }
  };

  Runtime.prototype.postJSON = function (element, handlerName, data) {
    return window.fetch(this.handlerUrl(element, handlerName), {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
      body: JSON.stringify(data || {})
    }).then(function (response) { return response.json(); });
  };

  function initArgs(element) {
    for (var i = 0; i < element.children.length; i++) {
      var child = element.children[i];
      if (child.tagName === "SCRIPT" && child.classList.contains("xblock-json-init-args")) {
        try { return JSON.parse(child.textContent); } catch (e) { return undefined; }
      }
    }
    return undefined;
  }

  function initBlock(element) {
    if (element.getAttribute("data-initialized") === "true") { return element.xblockInstance; }
    childBlocks(element).forEach(initBlock);
    element.setAttribute("data-initialized", "true");
    var name = element.getAttribute("data-init");
    var instance = { element: element, name: element.getAttribute("data-name") };
    if (name) {
      var init = window[name];
      if (typeof init !== "function") {
        if (window.console) { window.console.warn("XBlock init function not found:", name); }
      } else {
        var runtime = new Runtime(element);
        var args = initArgs(element);
        var target = window.jQuery ? window.jQuery(element) : element;
        try {
          var result = args === undefined ? init(runtime, target) : init(runtime, target, args);
          if (result && typeof result === "object") { instance = result; instance.element = element; }
        } catch (error) {
          if (window.console) { window.console.error("XBlock " + name + " failed to start", error); }
        }
      }
    }
    element.xblockInstance = instance;
    return instance;
  }

  function initAll(root) {
    var scope = root || document;
    var blocks = scope.querySelectorAll(".xblock");
    var outermost = [];
    for (var i = 0; i < blocks.length; i++) {
      var parent = blocks[i].parentNode;
      var nested = false;
      while (parent && parent !== scope) {
        if (parent.classList && parent.classList.contains("xblock")) { nested = true; break; }
        parent = parent.parentNode;
      }
      if (!nested) { outermost.push(blocks[i]); }
    }
    outermost.forEach(initBlock);
  }

  window.KampusXBlock = { initializeBlocks: initAll, Runtime: Runtime, csrfToken: csrfToken };
  if (!window.XBlock) {
    window.XBlock = { initializeBlocks: initAll, Runtime: { v1: Runtime } };
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { initAll(document); });
  } else {
    window.setTimeout(function () { initAll(document); }, 0);
  }
})();
