/* The Background Tasks section: cancel buttons, and the table refreshed while tasks run. */
(function () {
  "use strict";
  var root = document.getElementById("instructor-tasks");
  if (!root) { return; }
  var body = document.querySelector("#course-tasks tbody");
  var mayCancel = root.getAttribute("data-may-cancel") === "true";

  function cell(row, text) {
    var td = document.createElement("td");
    if (text !== undefined && text !== null) { td.textContent = text; }
    row.appendChild(td);
    return td;
  }

  function progress(task) {
    var pct = Math.round(task.progress.percent || 0);
    var wrap = document.createElement("div");
    var bar = document.createElement("div");
    bar.className = "progress";
    bar.setAttribute("role", "progressbar");
    bar.setAttribute("aria-valuenow", pct);
    bar.setAttribute("aria-valuemin", 0);
    bar.setAttribute("aria-valuemax", 100);
    var inner = document.createElement("div");
    inner.className = "progress-bar" + (task.task_state === "SUCCESS" ? " bg-success" :
      (task.task_state === "FAILURE" || task.task_state === "CANCELLED") ? " bg-danger" :
      " progress-bar-striped progress-bar-animated");
    inner.style.width = pct + "%";
    inner.textContent = pct + "%";
    bar.appendChild(inner);
    var note = document.createElement("div");
    note.className = "small text-body-secondary";
    note.textContent = task.task_message || "";
    wrap.appendChild(bar);
    wrap.appendChild(note);
    return wrap;
  }

  function render(tasks) {
    body.replaceChildren();
    if (!tasks.length) {
      var empty = document.createElement("tr");
      var td = cell(empty, root.getAttribute("data-label-none"));
      td.colSpan = 8;
      body.appendChild(empty);
      return;
    }
    tasks.forEach(function (task) {
      var row = document.createElement("tr");
      row.setAttribute("data-task-id", task.task_id);
      var code = document.createElement("code");
      code.textContent = task.task_type;
      var name = cell(row);
      name.className = "text-break";
      name.appendChild(code);
      cell(row, task.requester);
      cell(row, (task.created || "").slice(0, 16).replace("T", " ")).className = "text-nowrap small";
      cell(row).appendChild(progress(task));
      cell(row, task.duration_sec === null ? "" : task.duration_sec);
      cell(row, task.status);
      var result = cell(row);
      result.className = "text-break small";
      (task.files || []).forEach(function (file) {
        var a = document.createElement("a");
        a.href = file.url;
        a.textContent = file.name;
        result.appendChild(a);
        result.appendChild(document.createElement("br"));
      });
      if (task.error) {
        var err = document.createElement("span");
        err.className = "text-danger small";
        err.textContent = task.error;
        result.appendChild(err);
      }
      var actions = cell(row);
      if (mayCancel && !task.finished && !task.cancel_requested) {
        var button = document.createElement("button");
        button.type = "button";
        button.className = "btn btn-sm btn-outline-danger";
        button.setAttribute("data-cancel", task.task_id);
        button.textContent = root.getAttribute("data-label-cancel");
        actions.appendChild(button);
      }
      body.appendChild(row);
    });
  }

  var timer = null;
  function refresh() {
    clearTimeout(timer);
    var form = new FormData();
    form.append("include_finished", "true");
    window.kampusFetch(root.getAttribute("data-list-url"), {method: "POST", body: form})
      .then(function (r) { return r.json(); })
      .then(function (data) {
        render(data.tasks || []);
        var running = (data.tasks || []).some(function (t) { return !t.finished; });
        timer = setTimeout(refresh, running ? 1000 : 10000);
      }).catch(function () { timer = setTimeout(refresh, 10000); });
  }

  body.addEventListener("click", function (event) {
    var button = event.target.closest("[data-cancel]");
    if (!button) { return; }
    button.disabled = true;
    var url = root.getAttribute("data-cancel-url").replace("TASK_ID", encodeURIComponent(button.getAttribute("data-cancel")));
    window.kampusFetch(url, {method: "POST"}).finally(refresh);
  });
  refresh();
})();
