/* The Kampus XBlock JavaScript runtime, compatible with Open edX's.
 *
 * Blocks written for Open edX run unchanged, so this follows Open edX's
 * `XBlock` object (common/static/js/xblock/core.js) and its runtime v1:
 *
 * - every `.xblock` element is initialised children first; its children's
 *   block objects are kept as the element's `xblock_children` property;
 * - the runtime is `new window[data-runtime-class]["v" + data-runtime-version]`
 *   (here `KampusRuntime.v1`);
 * - the init function named by `data-init` is called **as a constructor**,
 *   `new init(runtime, element, initArgs)`, so `this` is the block object; the
 *   element is the DOM element (blocks wrap it with `$(element)`), the init
 *   args are the JSON of the element's `script.xblock-json-init-args` (removed
 *   from the page, as upstream) or `{}`;
 * - the block object gets `runtime`, `element`, `name` (`data-name`) and `type`
 *   (`data-block-type`); the element gets the class `xblock-initialized` and
 *   fires `xblock-initialized`.
 *
 * The runtime offers handlerUrl(element, handler, suffix, query, thirdparty),
 * children(element), childMap(element, name), notify(name, data),
 * localResourceUrl(block, uri) and `element`, the block's DOM element. The global `XBlock` offers initializeBlock(s)
 * for blocks that render HTML with blocks inside it later.
 *
 * Kampus additions: jQuery's ajax (Open edX's jQuery 2 API through
 * jquery-migrate, loaded before this file) and window.fetch calls send the
 * page's CSRF token; Django's JavaScript gettext functions exist.
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
    // jquery-migrate restores the jQuery 2 API that Open edX blocks call; its deprecation warnings are
    // for developers (kept in jQuery.migrateWarnings), not for every learner's console.
    window.jQuery.migrateMute = true;
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

  function domElement(element) {
    return element && element.jquery ? element[0] : element;
  }

  /** The nearest `.xblock` element at or above `element` (a DOM element or a jQuery object). */
  function blockElement(element) {
    element = domElement(element);
    while (element && !(element.classList && element.classList.contains("xblock"))) {
      element = element.parentNode;
    }
    return element;
  }

  /** The `.xblock` elements under `element`, only the first one down each path (jQuery's immediateDescendents). */
  function immediateBlocks(element) {
    var found = [];
    var walk = function (node) {
      for (var i = 0; i < node.children.length; i++) {
        var child = node.children[i];
        if (child.classList.contains("xblock")) { found.push(child); } else { walk(child); }
      }
    };
    walk(domElement(element));
    return found;
  }

  function logError(message, error) {
    if (window.console) { window.console.error(message, error); }
  }

  /** Open edX's runtime v1, with Kampus's handler URLs. Each block gets its own runtime object, whose
   * `element` is the block's element (set before its init function runs). */
  function Runtime() {
    this.element = null;
  }

  Runtime.prototype.handlerUrl = function (element, handlerName, suffix, query, thirdparty) {
    var block = blockElement(element);
    if (!block) { throw new Error("handlerUrl: the element is not inside an XBlock"); }
    var url = block.getAttribute("data-handler-prefix") + "/" + encodeURIComponent(handlerName);
    if (suffix !== undefined && suffix !== null && suffix !== "") {
      url += "/" + String(suffix).replace(/^\/+/, "");
    }
    var params = [];
    if (query !== undefined && query !== null && query !== "") { params.push(String(query).replace(/^\?/, "")); }
    var page = document.querySelector(".kampus-xblock-page");
    var view = page ? page.getAttribute("data-view") : "student_view";
    if (view === "author_view" || view === "studio_view") { params.push("branch=draft"); }
    if (params.length) { url += "?" + params.join("&"); }
    // A URL another site may call (LTI tools, file pickers) must be absolute.
    return thirdparty ? new URL(url, window.location.href).href : url;
  };

  Runtime.prototype.handlerUrlNoAuth = function (element, handlerName, suffix, query) {
    return this.handlerUrl(element, handlerName, suffix, query, true);
  };

  /** The URL of a file under the `public/` folder of a block's package; `block` is a JS block or an element. */
  Runtime.prototype.localResourceUrl = function (block, uri) {
    var element = blockElement(block && block.element ? block.element : block);
    var type = (block && block.type) || (element && element.getAttribute("data-block-type"));
    return "/xblock/resource/" + encodeURIComponent(type) + "/" + String(uri).replace(/^\/+/, "");
  };

  /** The block objects of the element's children, in page order. */
  Runtime.prototype.children = function (element) {
    var block = blockElement(element);
    return (block && block.xblock_children) || [];
  };

  /** The child block named `childName` (its `data-name`), or undefined. */
  Runtime.prototype.childMap = function (element, childName) {
    var children = this.children(element);
    for (var i = 0; i < children.length; i++) {
      if (children[i] && children[i].name === childName) { return children[i]; }
    }
    return undefined;
  };

  /** Studio's notifications (save, cancel, error, modal-shown…) as `xblock:<name>` DOM events that bubble
   * from the block's element; a finished save is announced in the block's editor status, if it has one. */
  Runtime.prototype.notify = function (name, data) {
    var target = this.element || document;
    target.dispatchEvent(new CustomEvent("xblock:" + name, { detail: data, bubbles: true }));
    if (name === "save" && data && data.state === "end" && this.element) {
      var status = this.element.querySelector(".kampus-editor-status");
      if (status && !status.textContent) { status.textContent = window.gettext("Saved."); }
    }
  };

  /** POST `data` as JSON to a handler; a promise of the JSON answer (a Kampus helper, not in Open edX). */
  Runtime.prototype.postJSON = function (element, handlerName, data) {
    return window.fetch(this.handlerUrl(element, handlerName), {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
      body: JSON.stringify(data || {})
    }).then(function (response) { return response.json(); });
  };

  window.KampusRuntime = { v1: Runtime };

  function initArgs(element) {
    for (var i = 0; i < element.children.length; i++) {
      var child = element.children[i];
      if (child.classList.contains("xblock-json-init-args")) {
        element.removeChild(child);
        return child.textContent ? JSON.parse(child.textContent) : {};
      }
    }
    var attribute = element.getAttribute("data-init-args");
    return attribute ? JSON.parse(attribute) : {};
  }

  function elementRuntime(element) {
    var runtimeClass = element.getAttribute("data-runtime-class");
    var version = element.getAttribute("data-runtime-version");
    var initName = element.getAttribute("data-init");
    if (runtimeClass && version && initName) {
      var family = window[runtimeClass];
      var Constructor = family && family["v" + version];
      if (typeof Constructor !== "function") {
        throw new Error("XBlock runtime " + runtimeClass + " v" + version + " is not on the page");
      }
      return new Constructor();
    }
    return null;
  }

  function markInitialized(element) {
    element.classList.add("xblock-initialized");
    element.setAttribute("data-initialized", "true");
    if (window.jQuery) {
      window.jQuery(element).data("initialized", true).trigger("xblock-initialized");
    } else {
      element.dispatchEvent(new CustomEvent("xblock-initialized", { bubbles: true }));
    }
  }

  /** Construct the block object of `element` (its children must be initialised already). */
  function constructBlock(element, blockArgs) {
    var block = {};
    var runtime = null;
    try {
      runtime = elementRuntime(element);
      if (runtime) {
        runtime.element = element;
        var initName = element.getAttribute("data-init");
        var initFn = window[initName];
        if (typeof initFn !== "function") {
          throw new Error("XBlock init function " + initName + " is not on the page");
        }
        var args = [runtime, element].concat(blockArgs);
        // Open edX calls the init function as a constructor: `this` is the block object, and an object
        // the function returns replaces it.
        var Block = function () { return initFn.apply(this, args); };
        Block.prototype = initFn.prototype;
        block = new Block();
        block.runtime = runtime;
      }
    } catch (error) {
      logError("XBlock " + (element.getAttribute("data-init") || "") + " failed to start:", error);
      block = block || {};
    }
    block.element = element;
    block.name = element.getAttribute("data-name") || undefined;
    block.type = element.getAttribute("data-block-type");
    element.xblockInstance = block;
    markInitialized(element);
    return block;
  }

  /** Initialise `element` and the blocks inside it; returns its block object. */
  function initializeBlock(element) {
    element = domElement(element);
    element.xblock_children = initializeXBlocks(element);
    var args;
    try {
      args = initArgs(element);
    } catch (error) {
      logError("XBlock " + element.getAttribute("data-usage-id") + " has malformed init args:", error);
      args = {};
    }
    return constructBlock(element, [args]);
  }

  /** Initialise the outermost blocks inside `element` (and theirs); returns their block objects. */
  function initializeXBlocks(element) {
    return immediateBlocks(element).map(function (child) { return initializeBlock(child); });
  }

  var XBlock = window.XBlock || {};
  XBlock.Runtime = XBlock.Runtime || {};
  XBlock.Runtime.v1 = Runtime;
  XBlock.initializeBlock = initializeBlock;
  XBlock.initializeXBlocks = initializeXBlocks;
  XBlock.initializeBlocks = initializeXBlocks;
  // Kampus renders no XBlock asides yet: there is nothing of theirs to initialise.
  XBlock.initializeXBlockAsides = function () { return []; };
  window.XBlock = XBlock;

  window.KampusXBlock = { initializeBlocks: initializeXBlocks, Runtime: Runtime, csrfToken: csrfToken };

  /* Open edX's `Logger` (common/static/coffee/src/logger.js): blocks and players send tracking events with
   * Logger.log(event_type, data), which POSTs {event_type, event: JSON of data, page} to the kernel's /event.
   * Returns a promise; a failure to log never breaks the page. */
  if (!window.Logger) {
    window.Logger = {
      log: function (eventType, data, element, callback) {
        var body = new URLSearchParams();
        body.set("event_type", eventType);
        body.set("event", typeof data === "string" ? data : JSON.stringify(data === undefined ? {} : data));
        body.set("page", window.location.href);
        var sent = window.fetch("/event", {
          method: "POST",
          credentials: "same-origin",
          keepalive: true,
          headers: { "X-CSRFToken": csrfToken() },
          body: body
        }).then(function (response) {
          if (typeof callback === "function") { callback(); }
          return response;
        })["catch"](function () { /* the event is lost; the learner's page goes on */ });
        return sent;
      },
      listen: function () {},
      bind: function () {}
    };
  }

  function initPage() {
    var page = document.querySelector(".kampus-xblock-page") || document.body;
    initializeXBlocks(page);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", initPage);
  } else {
    window.setTimeout(initPage, 0);
  }
})();
