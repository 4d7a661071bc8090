/* Kampus's small helpers: CSRF header for fetch, live task progress. */
(function () {
  "use strict";
  var meta = document.querySelector('meta[name="csrf-token"]');
  window.kampusFetch = function (url, options) {
    options = options || {};
    options.headers = Object.assign({"X-CSRFToken": meta ? meta.content : "", "Accept": "application/json"}, options.headers || {});
    options.credentials = "same-origin";
    return fetch(url, options);
  };

  function watchTask(el) {
    var url = el.getAttribute("data-task-url");
    var progress = el.querySelector("[data-task-progress]") || el.querySelector(".progress");
    var bar = el.querySelector(".progress-bar");
    var state = el.querySelector("[data-task-state]");
    var message = el.querySelector("[data-task-message]");
    var error = el.querySelector("[data-task-error]");
    var result = el.querySelector("[data-task-result]");
    var delay = 500;
    function show(task) {
      var pct = Math.round((task.progress && task.progress.percent) || 0);
      bar.style.width = pct + "%";
      bar.textContent = pct + "%";
      if (progress) { progress.setAttribute("aria-valuenow", pct); }
      if (state) { state.textContent = task.state; }
      if (message) { message.textContent = (task.progress && task.progress.message) || ""; }
      var done = task.state === "SUCCESS" || task.state === "FAILURE" || task.state === "CANCELLED";
      if (done) { bar.classList.remove("progress-bar-striped", "progress-bar-animated"); }
      if (task.state === "FAILURE" || task.state === "CANCELLED") {
        bar.classList.add("bg-danger");
        if (error) { error.textContent = task.error || ""; error.hidden = false; }
      }
      if (task.state === "SUCCESS") {
        bar.classList.add("bg-success");
        if (result && task.result !== null && task.result !== undefined) {
          result.textContent = JSON.stringify(task.result, null, 2);
          result.hidden = false;
        }
      }
      return done;
    }
    function poll() {
      window.kampusFetch(url).then(function (r) {
        if (!r.ok) { throw new Error("HTTP " + r.status); }
        return r.json();
      }).then(function (task) {
        delay = 500;
        if (!show(task)) { setTimeout(poll, document.hidden ? 3000 : 700); }
      }).catch(function () {
        delay = Math.min(delay * 2, 15000);  // back off while the server is away
        setTimeout(poll, delay);
      });
    }
    if (el.getAttribute("data-task-finished") !== "true") { poll(); }
  }
  document.querySelectorAll("[data-task-url]").forEach(watchTask);
})();
