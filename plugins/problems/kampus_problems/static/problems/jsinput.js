/* JS Input: an author's page in an iframe that exposes getGrade / getState / setState (names set by the
 * <jsinput> element's gradefn, get_statefn, set_statefn), as Open edX's jsinput.js.
 *
 * How the page is reached:
 *  - a same-origin page: its window functions are called directly (window.frames[...].getGrade()), as upstream;
 *  - any other page -- the course's own pages, which Kampus serves sandboxed with an opaque origin, and
 *    cross-origin pages (sop="false") -- through the jschannel protocol upstream uses (scope "JSInput"):
 *    JSON strings sent with postMessage. Both ends announce themselves with the notification
 *    {"method": "JSInput::__ready", "params": "ping"}; the side that hears a ping answers "pong", and then the
 *    channel is open. A request is {"id": n, "method": "JSInput::getGrade", "params": ...}, answered by
 *    {"id": n, "result": ...} or {"id": n, "error": ..., "message": ...}.
 *    A page that does not open the channel or answer in time gives the learner a message instead of a silent
 *    empty answer.
 *
 * KampusJSInput.update(container) returns a Promise that stores every iframe's answer in its hidden input:
 * the grade alone, or JSON {"answer": grade, "state": state} when get_statefn is set (upstream's format; the
 * customresponse's cfn gets that string as the answer). KampusJSInput.init(container) restores saved state
 * with set_statefn once the page is loaded (direct call) or has opened its channel.
 */
(function () {
  "use strict";

  var SCOPE = "JSInput";
  var api = { timeout: 10000 };  // ms to wait for the page to open its channel, and for each answer
  var PING_EVERY = 500;
  var NO_ANSWER = "The interactive part of this problem did not respond, so your answer could not be read. " +
    "Reload the page and try again.";
  var nextId = Math.floor(Math.random() * 100000) + 1;

  /* Per-iframe channel state, kept on the element (a re-rendered problem has new iframes). */
  function channelOf(frame) {
    if (!frame._kampusJSInput) {
      frame._kampusJSInput = { ready: false, waiters: [], pending: {} };
    }
    return frame._kampusJSInput;
  }

  function frameOfWindow(source) {
    var frames = document.querySelectorAll(".kampus-jsinput iframe");
    for (var i = 0; i < frames.length; i++) {
      if (frames[i].contentWindow === source) { return frames[i]; }
    }
    return null;
  }

  function send(frame, message) {
    if (!frame.contentWindow) { return; }
    // The page's origin is opaque (sandboxed) or another site's: "*" is the only target that reaches it.
    // Nothing secret is sent -- only method names and the learner's own saved state.
    frame.contentWindow.postMessage(JSON.stringify(message), "*");
  }

  function scoped(method) { return SCOPE + "::" + method; }

  function opened(frame) {
    var channel = channelOf(frame);
    channel.ready = true;
    var waiters = channel.waiters;
    channel.waiters = [];
    waiters.forEach(function (waiter) { waiter(); });
  }

  window.addEventListener("message", function (event) {
    var frame = frameOfWindow(event.source);
    if (!frame) { return; }
    var message;
    try {
      message = typeof event.data === "string" ? JSON.parse(event.data) : event.data;
    } catch (e) {
      return;
    }
    if (!message || typeof message !== "object") { return; }
    var channel = channelOf(frame);
    if (typeof message.method === "string") {
      var parts = message.method.split("::");
      if (parts.length !== 2 || parts[0] !== SCOPE) { return; }
      if (parts[1] === "__ready") {
        // A (re)loaded page says hello: answer, so that it may send its replies, and the channel is open.
        if (message.params === "ping") { send(frame, { method: scoped("__ready"), params: "pong" }); }
        opened(frame);
      } else if (message.id !== undefined) {
        // The problem offers no methods to the page.
        send(frame, { id: message.id, error: "method_not_found",
                      message: "No method '" + parts[1] + "' is offered to the page." });
      }
      return;
    }
    if (message.id !== undefined && channel.pending[message.id]) {
      var waiter = channel.pending[message.id];
      delete channel.pending[message.id];
      if (message.error !== undefined) {
        waiter.reject(new Error(String(message.message || message.error)));
      } else {
        waiter.resolve(message.result);
      }
    }
  });

  function whenOpen(frame) {
    var channel = channelOf(frame);
    if (channel.ready) { return Promise.resolve(); }
    return new Promise(function (resolve, reject) {
      var done = false;
      var pinger;
      var timer;
      function finish(ok) {
        if (done) { return; }
        done = true;
        window.clearInterval(pinger);
        window.clearTimeout(timer);
        if (ok) { resolve(); } else { reject(new Error(NO_ANSWER)); }
      }
      channel.waiters.push(function () { finish(true); });
      // The page's own ping may have been sent before this script listened: ask again until it answers.
      function ping() { if (!channel.ready) { send(frame, { method: scoped("__ready"), params: "ping" }); } }
      ping();
      pinger = window.setInterval(ping, PING_EVERY);
      timer = window.setTimeout(function () { finish(false); }, api.timeout);
    });
  }

  function viaChannel(frame, method, params) {
    return whenOpen(frame).then(function () {
      var channel = channelOf(frame);
      var id = nextId++;
      return new Promise(function (resolve, reject) {
        var timer = window.setTimeout(function () {
          if (channel.pending[id]) { delete channel.pending[id]; reject(new Error(NO_ANSWER)); }
        }, api.timeout);
        channel.pending[id] = {
          resolve: function (value) { window.clearTimeout(timer); resolve(value); },
          reject: function (err) { window.clearTimeout(timer); reject(err); }
        };
        send(frame, { id: id, method: scoped(method), params: params === undefined ? "" : params });
      });
    }).then(function (value) {
      // As upstream (val.toString()): the page's answers arrive as text.
      if (value === undefined || value === null || typeof value === "string") { return value; }
      return typeof value === "object" ? JSON.stringify(value) : String(value);
    });
  }

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
      var doc = frame.contentWindow && frame.contentWindow.document;
      return Boolean(doc) && frame.contentWindow.location.href !== "about:blank";
    } catch (e) {
      return false;  // cross-origin, or a sandboxed page with an opaque origin
    }
  }

  /* Call the page's function `path` (getGrade, getState, setState or a dotted name such as "app.grade"). */
  function call(frame, path, params) {
    if (!path) { return Promise.resolve(undefined); }
    if (sameOrigin(frame)) {
      var win = frame.contentWindow;
      var fn = resolvePath(win, path);
      if (typeof fn === "function") {
        var owner = path.indexOf(".") === -1 ? win : resolvePath(win, path.split(".").slice(0, -1).join("."));
        try {
          return Promise.resolve(fn.apply(owner || win, params === undefined ? [] : [params]));
        } catch (e) {
          return Promise.reject(e);
        }
      }
      if (!channelOf(frame).ready) {
        return Promise.reject(new Error("The interactive problem does not define " + path + "."));
      }
      // A same-origin page that talks through jschannel rather than window functions.
    }
    return viaChannel(frame, path.split(".").pop(), params);
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

  function showProblem(box, message) {
    var note = box.querySelector(".kampus-jsinput-message");
    if (!note) {
      note = document.createElement("p");
      note.className = "kampus-jsinput-message small text-danger";
      note.setAttribute("role", "status");
      box.appendChild(note);
    }
    note.textContent = message || "";
    note.hidden = !message;
  }

  function setup(box) {
    if (box.getAttribute("data-ready")) { return; }
    box.setAttribute("data-ready", "1");
    var frame = box.querySelector("iframe");
    if (!frame) { return; }
    var setter = box.getAttribute("data-set-statefn");
    var restored = false;
    function restore() {
      if (restored) { return; }
      var state = storedState(box);
      if (!setter || state === undefined || state === null || state === "") { return; }
      restored = true;
      var value = typeof state === "string" ? state : JSON.stringify(state);
      call(frame, setter, value).then(function () { showProblem(box, ""); }, function (err) {
        restored = false;
        showProblem(box, err.message);
      });
    }
    frame.addEventListener("load", restore);
    if (sameOrigin(frame) && frame.contentDocument.readyState === "complete") {
      restore();
    } else if (setter && storedState(box) !== undefined) {
      // An opaque or cross-origin page: restore once its channel opens (it may already be loaded).
      whenOpen(frame).then(restore, function () { /* the load event retries */ });
    }
  }

  function toText(value) {
    return value === undefined || value === null ? "" : String(value);
  }

  function update(box) {
    var frame = box.querySelector("iframe");
    var input = box.querySelector(".kampus-jsinput-value");
    var gradefn = box.getAttribute("data-gradefn");
    var getter = box.getAttribute("data-get-statefn");
    return call(frame, gradefn).then(function (answer) {
      if (!getter) {
        input.value = toText(answer);
        return;
      }
      return call(frame, getter).then(function (state) {
        input.value = JSON.stringify({ answer: answer, state: state });
      });
    }).then(function () { showProblem(box, ""); }, function (err) {
      showProblem(box, err.message);
      throw err;
    });
  }

  api.init = function (container) {
    Array.prototype.forEach.call(container.querySelectorAll(".kampus-jsinput"), setup);
  };
  api.update = function (container) {
    var boxes = Array.prototype.slice.call(container.querySelectorAll(".kampus-jsinput"));
    return Promise.all(boxes.map(update));
  };
  window.KampusJSInput = api;
})();
