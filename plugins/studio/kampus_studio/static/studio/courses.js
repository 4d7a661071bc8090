/* Studio, area "courses": forms sent as JSON to Studio's REST API (/api/studio/v1/), team role changes
   and removals. Errors of the API (developer_message / user_message / field_errors) are shown by their fields. */
(function () {
  "use strict";
  var csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";

  function send(method, url, body) {
    var options = {method: method, credentials: "same-origin",
                   headers: {"X-CSRFToken": csrf, "Accept": "application/json"}};
    if (body !== undefined) {
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(body);
    }
    return fetch(url, options).then(function (response) {
      if (response.status === 204) { return {ok: true, status: 204, data: {}}; }
      return response.json().catch(function () { return {}; }).then(function (data) {
        return {ok: response.ok, status: response.status, data: data};
      });
    });
  }

  function message(data) {
    return data.user_message || data.developer_message || (data.error && data.error.message) || "Error.";
  }

  function showFormErrors(form, data) {
    var general = form.querySelector(".studio-form-error");
    var fields = data.field_errors || {};
    var shown = false;
    Object.keys(fields).forEach(function (name) {
      var input = form.querySelector('[name="' + name.replace(/^body\./, "") + '"]');
      if (!input) { return; }
      input.classList.add("is-invalid");
      input.setAttribute("aria-invalid", "true");
      var feedback = document.getElementById(input.id + "-error");
      if (feedback) { feedback.textContent = fields[name].user_message || fields[name].developer_message; }
      if (!shown) { input.focus(); shown = true; }
    });
    if (general) {
      general.textContent = message(data);
      general.classList.remove("d-none");
      if (!shown) { general.setAttribute("tabindex", "-1"); general.focus(); }
    }
  }

  document.querySelectorAll("form.studio-json-form").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      form.querySelectorAll(".is-invalid").forEach(function (el) {
        el.classList.remove("is-invalid");
        el.removeAttribute("aria-invalid");
      });
      var general = form.querySelector(".studio-form-error");
      if (general) { general.classList.add("d-none"); }
      var body = {};
      new FormData(form).forEach(function (value, name) { body[name] = value; });
      var button = form.querySelector('[type="submit"]');
      if (button) { button.disabled = true; }
      send(form.dataset.method || "POST", form.dataset.url, body).then(function (result) {
        if (button) { button.disabled = false; }
        if (!result.ok) { showFormErrors(form, result.data); return; }
        if (form.dataset.reload) { window.location.reload(); return; }
        var next = result.data.course_list_url || result.data.outline_url;  // a rerun: the list shows its progress
        if (next) { window.location.assign(next); }
      });
    });
  });

  // the course list's re-runs: reload once one being created has finished; dismiss a failed one
  var rerunList = document.getElementById("course-reruns");
  if (rerunList && rerunList.querySelector('[data-state="in_progress"]')) {
    var poll = window.setInterval(function () {
      send("GET", rerunList.dataset.api).then(function (result) {
        if (!result.ok) { return; }
        var running = (result.data.results || []).filter(function (rerun) { return rerun.state === "in_progress"; });
        if (running.length < rerunList.querySelectorAll('[data-state="in_progress"]').length) {
          window.clearInterval(poll);
          window.location.reload();
        }
      });
    }, 2000);
  }
  document.querySelectorAll("button.studio-rerun-dismiss").forEach(function (button) {
    button.addEventListener("click", function () {
      send("DELETE", button.dataset.url).then(function (result) {
        if (result.ok) { button.closest("li").remove(); }
      });
    });
  });

  var status = document.getElementById("team-status");
  var teamError = document.getElementById("team-error");
  function teamFailure(data) {
    if (!teamError) { return; }
    teamError.textContent = message(data);
    teamError.classList.remove("d-none");
  }

  document.querySelectorAll("select.studio-team-role").forEach(function (select) {
    var previous = select.value;
    select.addEventListener("change", function () {
      send("PUT", select.dataset.url, {role: select.value}).then(function (result) {
        if (!result.ok) { select.value = previous; teamFailure(result.data); return; }
        previous = select.value;
        if (teamError) { teamError.classList.add("d-none"); }
        if (status) { status.textContent = select.options[select.selectedIndex].text; }
      });
    });
  });

  document.querySelectorAll("button.studio-team-remove").forEach(function (button) {
    button.addEventListener("click", function () {
      if (!window.confirm(button.dataset.confirm)) { return; }
      send("DELETE", button.dataset.url).then(function (result) {
        if (!result.ok) { teamFailure(result.data); return; }
        window.location.reload();
      });
    });
  });
}());
