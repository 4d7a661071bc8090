/* Studio's settings pages: forms saved through the settings REST API (/api/studio/v1/courses/<id>/settings/...).
 *
 * A form.settings-form names its endpoint (data-api) and method (data-method); its fields' names are paths
 * into the JSON body ("graders.0.weight"), typed by data-type (number, bool, json, lines, datetime). Every
 * write sends the draft version the page was made from: a 409 shows the conflict message with a reload
 * button, a 400 marks each field of field_errors, success reloads the page with a "saved" message.
 * Grading adds the grade bar (each boundary a slider: drag it, or arrow keys / Page Up / Page Down).
 */
(function () {
  "use strict";

  var dataNode = document.getElementById("settings-data");
  if (!dataNode) { return; }
  var state = JSON.parse(dataNode.textContent || "{}");
  var SAVED_FLAG = "kampus-studio-settings-saved";
  var messages = document.getElementById("settings-messages");

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  function showMessage(templateId, text) {
    var template = document.getElementById(templateId);
    messages.textContent = "";
    var node = template.content.firstElementChild.cloneNode(true);
    var slot = node.querySelector("[data-message]");
    if (slot && text) { slot.textContent = text; }
    messages.appendChild(node);
    var reload = node.querySelector("[data-settings-reload]");
    if (reload) { reload.addEventListener("click", function () { window.location.reload(); }); }
    node.setAttribute("tabindex", "-1");
    node.focus();
  }

  if (window.sessionStorage && sessionStorage.getItem(SAVED_FLAG)) {
    sessionStorage.removeItem(SAVED_FLAG);
    showMessage("settings-saved-template");
  }

  // -- collecting a form's values --------------------------------------------------------------------------------

  function typed(element) {
    var kind = element.getAttribute("data-type") || "text";
    var value = element.value;
    if (kind === "bool") { return element.checked; }
    if (kind === "number") { return value.trim() === "" ? null : Number(value); }
    if (kind === "multi") { return Array.prototype.map.call(element.selectedOptions, function (o) { return o.value; }); }
    if (kind === "lines") { return value.split("\n").map(function (l) { return l.trim(); }).filter(Boolean); }
    if (kind === "datetime") { return value ? (value.length === 16 ? value + ":00Z" : value + "Z") : null; }
    if (kind === "json") {
      try { return JSON.parse(value); } catch (error) { throw { field: element.name, message: error.message }; }
    }
    return value;
  }

  function setPath(target, path, value) {
    var parts = path.split(".");
    var node = target;
    for (var i = 0; i < parts.length - 1; i += 1) {
      var key = /^\d+$/.test(parts[i]) ? Number(parts[i]) : parts[i];
      if (node[key] === undefined) { node[key] = /^\d+$/.test(parts[i + 1]) ? [] : {}; }
      node = node[key];
    }
    var last = parts[parts.length - 1];
    node[/^\d+$/.test(last) ? Number(last) : last] = value;
  }

  function isEmpty(value) {
    if (value === null || value === "" || value === false || value === undefined) { return true; }
    if (Array.isArray(value)) { return value.every(isEmpty); }
    if (typeof value === "object") { return Object.keys(value).every(function (k) { return k === "id" || isEmpty(value[k]); }); }
    return false;
  }

  function compact(value) {  // arrays lose holes and items left all empty (a blank new chapter, signatory...)
    if (Array.isArray(value)) {
      return value.filter(function (item) { return item !== undefined && !(typeof item === "object" && isEmpty(item)); })
        .map(compact);
    }
    if (value && typeof value === "object") {
      Object.keys(value).forEach(function (key) { value[key] = compact(value[key]); });
    }
    return value;
  }

  function renumber(form) {  // rows of data-rows containers get consecutive indexes, outer lists first
    form.querySelectorAll("[data-rows]").forEach(function (container) {
      var prefix = container.getAttribute("data-rows");
      var rows = Array.prototype.filter.call(container.children, function (child) { return child.tagName !== "TEMPLATE"; });
      rows.forEach(function (row, index) {
        var pattern = new RegExp("^" + prefix.replace(/\./g, "\\.") + "\\.\\d+(?=\\.|$)");
        [row].concat(Array.prototype.slice.call(row.querySelectorAll("*"))).forEach(function (node) {
          ["name", "data-rows", "data-add-row"].forEach(function (attribute) {
            var current = node.getAttribute && node.getAttribute(attribute);
            if (current && pattern.test(current)) {
              node.setAttribute(attribute, current.replace(pattern, prefix + "." + index));
            }
          });
        });
      });
    });
  }

  function collect(form) {
    renumber(form);
    var body = {};
    form.querySelectorAll("input[name], select[name], textarea[name]").forEach(function (element) {
      if (element.disabled || element.type === "file") { return; }
      if (form.getAttribute("data-kind") === "advanced" && element.value.trim() === (element.getAttribute("data-initial") || "").trim()) {
        return;  // advanced settings: only what changed
      }
      setPath(body, element.name, typed(element));
    });
    compact(body);
    var kind = form.getAttribute("data-kind");
    if (kind === "grading") { body.grade_cutoffs = gradeCutoffs(form); body.graders = body.graders || []; }
    if (kind === "advanced") { body.settings = body.settings || {}; }
    if (kind === "tabs") {
      body.tabs = Array.prototype.map.call(form.querySelectorAll("[data-tab-id]"), function (item) {
        var hidden = item.querySelector("[data-tab-hidden]");
        return { id: item.getAttribute("data-tab-id"), is_hidden: hidden ? hidden.checked : false };
      });
    }
    body.version = state.version;
    return body;
  }

  // -- showing errors ---------------------------------------------------------------------------------------------

  function clearErrors(form) {
    form.querySelectorAll(".is-invalid").forEach(function (node) { node.classList.remove("is-invalid"); });
    form.querySelectorAll(".settings-error").forEach(function (node) { node.remove(); });
    form.querySelectorAll("[data-error-for]").forEach(function (node) { node.textContent = ""; });
  }

  function markError(form, field, message) {
    var slot = form.querySelector('[data-error-for="' + field + '"]');
    if (slot) { slot.textContent = message; return true; }
    var element = form.querySelector('[name="' + field + '"]');
    if (!element && field.indexOf("settings.") !== 0) { element = form.querySelector('[name="settings.' + field + '"]'); }
    if (!element) { return false; }
    element.classList.add("is-invalid");
    var feedback = document.createElement("div");
    feedback.className = "invalid-feedback d-block settings-error";
    feedback.id = "error-" + field.replace(/[^A-Za-z0-9_-]/g, "-");
    feedback.textContent = message;
    element.insertAdjacentElement("afterend", feedback);
    element.setAttribute("aria-invalid", "true");
    element.setAttribute("aria-errormessage", feedback.id);
    return true;
  }

  function showFieldErrors(form, errors) {
    var unplaced = [];
    Object.keys(errors).forEach(function (field) {
      var message = errors[field].user_message || errors[field].developer_message || errors[field];
      if (!markError(form, field, message)) { unplaced.push(message); }
    });
    showMessage("settings-invalid-template", unplaced.join(" "));
    var first = form.querySelector(".is-invalid");
    if (first) { first.focus(); }
  }

  // -- sending ----------------------------------------------------------------------------------------------------

  function send(method, url, body, form) {
    var options = { method: method, credentials: "same-origin",
                    headers: { "X-CSRFToken": csrfToken(), "Accept": "application/json" } };
    if (body instanceof FormData) { options.body = body; }
    else if (body !== undefined) { options.headers["Content-Type"] = "application/json"; options.body = JSON.stringify(body); }
    return fetch(url, options).then(function (response) {
      return response.text().then(function (text) {
        var data = {};
        try { data = text ? JSON.parse(text) : {}; } catch (error) { data = {}; }
        if (response.status === 409) { showMessage("settings-conflict-template"); return null; }
        if (response.status === 400 && data.field_errors && form) { showFieldErrors(form, data.field_errors); return null; }
        if (!response.ok) { showMessage("settings-failed-template", data.user_message || data.developer_message || response.statusText); return null; }
        return data;
      });
    }).catch(function (error) { showMessage("settings-failed-template", String(error)); return null; });
  }

  function saved() {
    if (window.sessionStorage) { sessionStorage.setItem(SAVED_FLAG, "1"); }
    window.location.reload();
  }

  document.querySelectorAll("form.settings-form").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      clearErrors(form);
      var body;
      try { body = collect(form); } catch (problem) {
        if (problem && problem.field) { showFieldErrors(form, (function () { var e = {}; e[problem.field] = problem.message; return e; })()); return; }
        throw problem;
      }
      var button = form.querySelector('[type="submit"]');
      if (button) { button.disabled = true; }
      send(form.getAttribute("data-method") || "PUT", form.getAttribute("data-api"), body, form).then(function (result) {
        if (button) { button.disabled = false; }
        if (result !== null) { saved(); }
      });
    });
  });

  document.addEventListener("click", function (event) {
    var target = event.target.closest("[data-delete], [data-add-row], [data-remove-row], [data-move]");
    if (!target) { return; }
    if (target.hasAttribute("data-delete")) {
      if (!window.confirm(target.getAttribute("data-confirm") || "?")) { return; }
      var url = target.getAttribute("data-delete") + "?version=" + encodeURIComponent(state.version || "");
      send("DELETE", url, undefined, null).then(function (result) { if (result !== null) { saved(); } });
    } else if (target.hasAttribute("data-add-row")) {
      var container = target.closest("form").querySelector('[data-rows="' + target.getAttribute("data-add-row") + '"]');
      var template = document.getElementById(target.getAttribute("data-template"));
      var count = Array.prototype.filter.call(container.children, function (c) { return c.tagName !== "TEMPLATE"; }).length;
      var holder = document.createElement(container.tagName === "TBODY" || container.tagName === "TABLE" ? "tbody" : "div");
      holder.innerHTML = template.innerHTML.replace(/__index__/g, String(count));
      var row = holder.firstElementChild;
      (container.tagName === "TABLE" ? container.querySelector("tbody") : container).appendChild(row);
      var input = row.querySelector("input, textarea");
      if (input) { input.focus(); }
      updateWeightTotal();
    } else if (target.hasAttribute("data-remove-row")) {
      var selector = target.getAttribute("data-remove-row") || ".grader-row, .chapter-row, .signatory-row";
      var doomed = target.closest(selector);
      if (doomed) { doomed.remove(); }
      updateWeightTotal();
    } else if (target.hasAttribute("data-move")) {
      var item = target.closest("[data-tab-id]");
      var up = target.getAttribute("data-move") === "up";
      var sibling = up ? item.previousElementSibling : item.nextElementSibling;
      if (sibling) { item.parentNode.insertBefore(item, up ? sibling : sibling.nextElementSibling); }
      target.focus();
    }
  });

  // the grader table lives in a <table data-rows>; rows are in its tbody
  document.querySelectorAll('table[data-rows]').forEach(function (table) {
    var body = table.querySelector("tbody");
    body.setAttribute("data-rows", table.getAttribute("data-rows"));
    table.removeAttribute("data-rows");
    var button = table.closest("form").querySelector('[data-add-row="' + body.getAttribute("data-rows") + '"]');
    if (button) { button.setAttribute("data-add-row", body.getAttribute("data-rows")); }
  });

  // -- the course image upload ------------------------------------------------------------------------------------

  document.querySelectorAll("input[data-upload]").forEach(function (input) {
    input.addEventListener("change", function () {
      if (!input.files.length) { return; }
      var form = new FormData();
      form.append("file", input.files[0]);
      form.append("version", state.version || "");
      send("POST", input.getAttribute("data-upload"), form, input.closest("form")).then(function (result) {
        if (result === null) { return; }
        state.version = result.version;
        var select = document.getElementById(input.getAttribute("data-upload-target"));
        var option = document.createElement("option");
        option.value = option.textContent = result.course_image_name;
        select.appendChild(option);
        select.value = result.course_image_name;
        input.value = "";
      });
    });
  });

  // -- advanced settings filter -----------------------------------------------------------------------------------

  document.querySelectorAll("[data-filter-target]").forEach(function (input) {
    var list = document.getElementById(input.getAttribute("data-filter-target"));
    input.addEventListener("input", function () {
      var needle = input.value.trim().toLowerCase();
      list.querySelectorAll("[data-filter-text]").forEach(function (item) {
        item.hidden = needle !== "" && item.getAttribute("data-filter-text").toLowerCase().indexOf(needle) === -1;
      });
    });
  });

  // -- grading: weights and the grade bar ----------------------------------------------------------------------------

  function updateWeightTotal() {
    var slot = document.querySelector("[data-weight-total]");
    if (!slot) { return; }
    var total = 0;
    document.querySelectorAll('input[name$=".weight"]').forEach(function (input) { total += Number(input.value) || 0; });
    slot.textContent = "(" + (Math.round(total * 100) / 100) + "%)";
    slot.classList.toggle("text-danger", Math.abs(total - 100) > 0.01);
  }
  document.addEventListener("input", function (event) {
    if (event.target.name && /\.weight$/.test(event.target.name)) { updateWeightTotal(); }
  });
  updateWeightTotal();

  var LETTERS = ["A", "B", "C", "D", "E"];
  var grades = [];  // [{name, value (percent)}], highest first

  function gradeCutoffs() {
    var cutoffs = {};
    grades.forEach(function (grade) { cutoffs[grade.name] = Math.round(grade.value) / 100; });
    return cutoffs;
  }

  function bounds(index) {  // a boundary stays between its neighbours
    var upper = index === 0 ? 100 : grades[index - 1].value - 1;
    var lower = index === grades.length - 1 ? 1 : grades[index + 1].value + 1;
    return [lower, upper];
  }

  function renderBar(bar) {
    var names = document.querySelector("[data-grade-names] tbody");
    bar.textContent = "";
    var track = document.createElement("div");
    track.className = "grade-track";
    bar.appendChild(track);
    var previous = 100;
    grades.forEach(function (grade, index) {
      var segment = document.createElement("div");
      segment.className = "grade-segment grade-segment-" + index;
      segment.style.left = grade.value + "%";
      segment.style.width = (previous - grade.value) + "%";
      segment.textContent = grade.name + " " + Math.round(grade.value) + "–" + Math.round(previous) + "%";
      segment.setAttribute("aria-hidden", "true");
      track.appendChild(segment);
      previous = grade.value;
    });
    var fail = document.createElement("div");
    fail.className = "grade-segment grade-segment-fail";
    fail.style.left = "0";
    fail.style.width = previous + "%";
    fail.textContent = bar.getAttribute("data-label-fail") + " 0–" + Math.round(previous) + "%";
    fail.setAttribute("aria-hidden", "true");
    track.appendChild(fail);
    grades.forEach(function (grade, index) {
      var handle = document.createElement("div");
      var range = bounds(index);
      handle.className = "grade-handle";
      handle.style.left = grade.value + "%";
      handle.tabIndex = 0;
      handle.setAttribute("role", "slider");
      handle.setAttribute("aria-label", bar.getAttribute("data-label-slider") + " " + grade.name);
      handle.setAttribute("aria-valuemin", String(range[0]));
      handle.setAttribute("aria-valuemax", String(range[1]));
      handle.setAttribute("aria-valuenow", String(Math.round(grade.value)));
      handle.setAttribute("aria-valuetext", grade.name + ": " + Math.round(grade.value) + "%");
      handle.setAttribute("aria-describedby", "cutoffs-help");
      handle.dataset.index = String(index);
      track.appendChild(handle);
    });
    if (names) {
      names.textContent = "";
      var template = document.getElementById("grade-name-row");
      grades.forEach(function (grade, index) {
        var row = template.content.firstElementChild.cloneNode(true);
        var input = row.querySelector("[data-grade-name]");
        input.value = grade.name;
        input.addEventListener("change", function () { grades[index].name = input.value.trim(); renderBar(bar); });
        row.querySelector("[data-grade-value]").textContent = Math.round(grade.value) + "%";
        var remove = row.querySelector("[data-grade-remove]");
        remove.disabled = grades.length === 1;
        remove.addEventListener("click", function () { grades.splice(index, 1); renameLetters(); renderBar(bar); });
        names.appendChild(row);
      });
    }
    var add = document.querySelector("[data-grade-add]");
    if (add) { add.disabled = grades.length >= LETTERS.length; }
  }

  function renameLetters() {  // Open edX: one grade is "Pass", several are A, B, C... (names the author set are kept)
    var standard = grades.every(function (g) { return g.name === "Pass" || LETTERS.indexOf(g.name) !== -1 || g.name === ""; });
    if (!standard) { return; }
    grades.forEach(function (grade, index) { grade.name = grades.length === 1 ? "Pass" : LETTERS[index]; });
  }

  function moveHandle(bar, index, value, keepFocus) {
    var range = bounds(index);
    grades[index].value = Math.max(range[0], Math.min(range[1], Math.round(value)));
    renderBar(bar);
    if (keepFocus) { bar.querySelector('.grade-handle[data-index="' + index + '"]').focus(); }
  }

  document.querySelectorAll("[data-grade-bar]").forEach(function (bar) {
    var cutoffs = state.grade_cutoffs || {};
    grades = Object.keys(cutoffs).map(function (name) { return { name: name, value: cutoffs[name] * 100 }; })
      .sort(function (a, b) { return b.value - a.value; });
    renderBar(bar);
    bar.addEventListener("keydown", function (event) {
      var handle = event.target.closest(".grade-handle");
      if (!handle) { return; }
      var index = Number(handle.dataset.index);
      var steps = { ArrowLeft: -1, ArrowDown: -1, ArrowRight: 1, ArrowUp: 1, PageDown: -10, PageUp: 10 };
      var value = grades[index].value;
      if (event.key in steps) { value += steps[event.key]; }
      else if (event.key === "Home") { value = bounds(index)[0]; }
      else if (event.key === "End") { value = bounds(index)[1]; }
      else { return; }
      event.preventDefault();
      moveHandle(bar, index, value, true);
    });
    bar.addEventListener("pointerdown", function (event) {
      var handle = event.target.closest(".grade-handle");
      if (!handle) { return; }
      var index = Number(handle.dataset.index);
      event.preventDefault();
      handle.focus();
      function move(moveEvent) {  // the bar is redrawn on every move: measure the current track
        var rect = bar.querySelector(".grade-track").getBoundingClientRect();
        if (!rect.width) { return; }
        moveHandle(bar, index, (moveEvent.clientX - rect.left) / rect.width * 100, false);
      }
      function stop() {
        document.removeEventListener("pointermove", move);
        document.removeEventListener("pointerup", stop);
        bar.querySelector('.grade-handle[data-index="' + index + '"]').focus();
      }
      document.addEventListener("pointermove", move);
      document.addEventListener("pointerup", stop);
    });
    var add = document.querySelector("[data-grade-add]");
    if (add) {
      add.addEventListener("click", function () {
        if (grades.length >= LETTERS.length) { return; }
        var lowest = grades.length ? grades[grades.length - 1].value : 100;
        if (lowest <= 2) { return; }
        grades.push({ name: "", value: Math.round(lowest / 2) });
        renameLetters();
        if (grades[grades.length - 1].name === "") { grades[grades.length - 1].name = LETTERS[grades.length - 1]; }
        renderBar(bar);
      });
    }
  });
}());
