/* The Data Download section: start reports, show their tasks' progress, list the files. */
(function () {
  "use strict";
  var root = document.getElementById("instructor-reports");
  if (!root) { return; }
  var status = document.getElementById("report-status");
  var pending = document.querySelector("#pending-tasks tbody");
  var downloads = document.getElementById("report-downloads");
  var locations = document.getElementById("problem-locations");
  var timer = null;

  function post(url, body, asJson) {
    var options = {method: "POST"};
    if (asJson) {
      options.headers = {"Content-Type": "application/json"};
      options.body = JSON.stringify(body);
    } else {
      var form = new FormData();
      Object.keys(body).forEach(function (k) { form.append(k, body[k]); });
      options.body = form;
    }
    return window.kampusFetch(url, options).then(function (r) {
      return r.json().then(function (data) { return {ok: r.ok, data: data}; });
    });
  }

  function say(text, kind) {
    status.textContent = text;
    status.className = "alert alert-" + (kind || "info");
    status.hidden = false;
  }

  function cell(row, text) {
    var td = document.createElement("td");
    td.textContent = text;
    row.appendChild(td);
    return td;
  }

  function showTasks(tasks) {
    pending.replaceChildren();
    if (!tasks.length) {
      var row = document.createElement("tr");
      var td = cell(row, root.getAttribute("data-label-no-tasks"));
      td.colSpan = 4;
      td.className = "text-body-secondary";
      pending.appendChild(row);
      return;
    }
    tasks.forEach(function (task) {
      var row = document.createElement("tr");
      row.setAttribute("data-task-id", task.task_id);
      cell(row, task.task_type);
      cell(row, task.requester);
      var td = document.createElement("td");
      var bar = document.createElement("div");
      bar.className = "progress";
      bar.setAttribute("role", "progressbar");
      var pct = Math.round(task.progress.percent || 0);
      bar.setAttribute("aria-valuenow", pct);
      bar.setAttribute("aria-valuemin", 0);
      bar.setAttribute("aria-valuemax", 100);
      var inner = document.createElement("div");
      inner.className = "progress-bar progress-bar-striped progress-bar-animated";
      inner.style.width = pct + "%";
      inner.textContent = pct + "%";
      bar.appendChild(inner);
      td.appendChild(bar);
      row.appendChild(td);
      cell(row, task.status);
      pending.appendChild(row);
    });
  }

  function showDownloads(files) {
    downloads.replaceChildren();
    if (!files.length) {
      var empty = document.createElement("li");
      empty.className = "list-group-item text-body-secondary";
      empty.textContent = root.getAttribute("data-label-none");
      downloads.appendChild(empty);
      return;
    }
    files.forEach(function (file) {
      var li = document.createElement("li");
      li.className = "list-group-item d-flex justify-content-between";
      var a = document.createElement("a");
      a.href = file.url;
      a.textContent = file.name;
      var when = document.createElement("span");
      when.className = "text-body-secondary small";
      when.textContent = file.created.replace("T", " ").slice(0, 16) + " UTC";
      li.appendChild(a);
      li.appendChild(when);
      downloads.appendChild(li);
    });
  }

  function refresh() {
    clearTimeout(timer);
    Promise.all([
      post(root.getAttribute("data-tasks-url"), {}, false),
      post(root.getAttribute("data-downloads-url"), {}, false)
    ]).then(function (answers) {
      var tasks = (answers[0].data.tasks || []).filter(function (t) { return t.task_type.indexOf("instructor.reports.") === 0; });
      showTasks(tasks);
      showDownloads(answers[1].data.downloads || []);
      timer = setTimeout(refresh, tasks.length ? 1000 : 5000);
    }).catch(function () { timer = setTimeout(refresh, 5000); });
  }

  root.querySelectorAll("[data-report-url]").forEach(function (button) {
    button.addEventListener("click", function () {
      var body = {};
      var field = button.getAttribute("data-with-locations");
      var asJson = button.getAttribute("data-json") === "true";
      if (field && locations.value.trim()) {
        body[field] = asJson ? locations.value.split(",").map(function (s) { return s.trim(); }).filter(Boolean)
                             : locations.value.trim();
      }
      button.disabled = true;
      post(button.getAttribute("data-report-url"), body, asJson).then(function (answer) {
        if (answer.ok) { say(answer.data.status, "info"); } else {
          say(answer.data.user_message || root.getAttribute("data-label-failed"), "danger");
        }
        refresh();
      }).catch(function () { say(root.getAttribute("data-label-failed"), "danger"); })
        .finally(function () { button.disabled = false; });
    });
  });
  refresh();
})();
