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
    var bar = el.querySelector(".progress-bar");
    var state = el.querySelector("[data-task-state]");
    var message = el.querySelector("[data-task-message]");
    var error = el.querySelector("[data-task-error]");
    var result = el.querySelector("[data-task-result]");
    function poll() {
      window.kampusFetch(url).then(function (r) { return r.json(); }).then(function (task) {
        var pct = Math.round((task.progress && task.progress.percent) || 0);
        bar.style.width = pct + "%";
        bar.setAttribute("aria-valuenow", pct);
        bar.textContent = pct + "%";
        state.textContent = task.state;
        if (message) { message.textContent = (task.progress && task.progress.message) || ""; }
        if (task.state === "FAILURE") {
          bar.classList.add("bg-danger");
          if (error) { error.textContent = task.error || ""; error.hidden = false; }
        }
        if (task.state === "SUCCESS" && result) {
          bar.classList.add("bg-success");
          result.textContent = JSON.stringify(task.result, null, 2);
          result.hidden = false;
        }
        if (task.state !== "SUCCESS" && task.state !== "FAILURE") { setTimeout(poll, 700); }
      }).catch(function () { setTimeout(poll, 2000); });
    }
    poll();
  }
  document.querySelectorAll("[data-task-url]").forEach(watchTask);
})();
