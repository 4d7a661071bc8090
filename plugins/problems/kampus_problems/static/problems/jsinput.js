/* JS Input: an author's page in an iframe that exposes getGrade / getState / setState (names set by the
 * <jsinput> element's gradefn, get_statefn, set_statefn), as Open edX's jsinput.js.
 *
 * Same-origin pages are called directly (window.frames[...].fn()). Cross-origin pages (sop="false")
 * get a postMessage request {jsinput: true, method, params, id} and answer {jsinput: true, id, result}.
 * KampusJSInput.update(container) returns a Promise that stores every iframe's answer in its hidden
 * input: the grade alone, or JSON {"answer": grade, "state": state} when get_statefn is set.
 */
(function () {
  "use strict";

  var pending = {};
  var counter = 0;

  window.addEventListener("message", function (event) {
    var data = event.data;
    if (!data || typeof data !== "object" || !data.jsinput || !(data.id in pending)) { return; }
    var waiter = pending[data.id];
    delete pending[data.id];
    waiter(data.result);
  });

  function resolvePath(root, path) {
    var target = root;
    var parts = String(path || "").split(".");
    for (var i = 0; i < parts.length; i++) {
      if (target == null) { return null; }
      target = target[parts[i]];
    }
    return target;
  }

  function sameOrigin(frame) {
    try {
      return Boolean(frame.contentWindow && frame.contentWindow.document);
    } catch (e) {
      return false;
    }
  }

  function call(frame, path, params) {
    if (!path) { return Promise.resolve(undefined); }
    if (sameOrigin(frame)) {
      var win = frame.contentWindow;
      var fn = resolvePath(win, path);
      if (typeof fn !== "function") {
        return Promise.reject(new Error("The interactive problem does not define " + path + "."));
      }
      var owner = resolvePath(win, path.split(".").slice(0, -1).join(".")) || win;
      try {
        return Promise.resolve(fn.apply(path.indexOf(".") === -1 ? win : owner, params || []));
      } catch (e) {
        return Promise.reject(e);
      }
    }
    return new Promise(function (resolve) {
      var id = "jsinput-" + (++counter);
      pending[id] = resolve;
      frame.contentWindow.postMessage({ jsinput: true, method: path, params: params || [], id: id }, "*");
      window.setTimeout(function () {
        if (pending[id]) { delete pending[id]; resolve(undefined); }
      }, 5000);
    });
  }

  function storedState(box) {
    var input = box.querySelector(".kampus-jsinput-value");
    var raw = input ? input.value : "";
    if (raw) {
      try {
        var parsed = JSON.parse(raw);
        if (parsed && typeof parsed === "object" && "state" in parsed) { return parsed.state; }
      } catch (e) { /* a bare answer */ }
    }
    var initial = box.getAttribute("data-initial-state");
    if (initial) {
      try { return JSON.parse(initial); } catch (e) { return initial; }
    }
    return undefined;
  }

  function setup(box) {
    if (box.getAttribute("data-ready")) { return; }
    box.setAttribute("data-ready", "1");
    var frame = box.querySelector("iframe");
    var setter = box.getAttribute("data-set-statefn");
    function restore() {
      var state = storedState(box);
      if (setter && state !== undefined && state !== null && state !== "") {
        var value = typeof state === "string" ? state : JSON.stringify(state);
        call(frame, setter, [value]).catch(function () { /* page not ready */ });
      }
    }
    frame.addEventListener("load", restore);
    try {
      if (frame.contentDocument && frame.contentDocument.readyState === "complete" &&
          frame.contentWindow.location.href !== "about:blank") {
        restore();
      }
    } catch (e) { /* cross-origin: waits for load */ }
  }

  function update(box) {
    var frame = box.querySelector("iframe");
    var input = box.querySelector(".kampus-jsinput-value");
    var gradefn = box.getAttribute("data-gradefn");
    var getter = box.getAttribute("data-get-statefn");
    return call(frame, gradefn, []).then(function (answer) {
      if (!getter) {
        input.value = answer === undefined || answer === null ? "" : String(answer);
        return;
      }
      return call(frame, getter, []).then(function (state) {
        input.value = JSON.stringify({ answer: answer, state: state });
      });
    });
  }

  window.KampusJSInput = {
    init: function (container) {
      Array.prototype.forEach.call(container.querySelectorAll(".kampus-jsinput"), setup);
    },
    update: function (container) {
      var boxes = Array.prototype.slice.call(container.querySelectorAll(".kampus-jsinput"));
      return Promise.all(boxes.map(update));
    }
  };
})();
