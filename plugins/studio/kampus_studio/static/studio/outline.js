/* Studio, area "outline": the outline editor. Every change goes to /api/studio/v1/courses/<id>/... with the
   draft version the page was made from (expected_version); a 409 shows the conflict and a reload link.
   Moves: arrow buttons, Alt+Up / Alt+Down on a focused row, drag and drop, or "Move to". */
(function () {
  "use strict";
  var root = document.getElementById("studio-outline");
  if (!root) { return; }
  var csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";
  var api = root.dataset.api;
  var version = root.dataset.version;
  var courseId = root.dataset.courseId;
  var messages = document.getElementById("outline-messages").dataset;
  var live = document.getElementById("outline-live");
  var expandedKey = "studio-outline-expanded:" + courseId;
  var focusKey = "studio-outline-focus:" + courseId;

  function text(template, values) {
    return template.replace(/\{(\w+)\}/g, function (_, name) { return values[name]; });
  }
  function announce(message) {
    live.textContent = "";
    window.setTimeout(function () { live.textContent = message; }, 50);
  }
  function showError(message) {
    var box = document.getElementById("outline-error");
    box.textContent = message;
    box.classList.remove("d-none");
  }
  function clearError() { document.getElementById("outline-error").classList.add("d-none"); }
  function showConflict(message) {
    var box = document.getElementById("outline-conflict");
    box.querySelector(".outline-conflict-text").textContent = message + " ";
    box.classList.remove("d-none");
    document.getElementById("outline-reload").focus();
  }

  /* Send a change; resolves to the answer's data, or null after showing the error. */
  function send(method, path, body) {
    var url = api + path;
    var options = {method: method, credentials: "same-origin",
                   headers: {"X-CSRFToken": csrf, "Accept": "application/json"}};
    if (method === "DELETE") {
      url += (url.indexOf("?") < 0 ? "?" : "&") + "expected_version=" + encodeURIComponent(version);
    } else if (method !== "GET") {
      body = body || {};
      body.expected_version = version;
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(body);
    }
    return fetch(url, options).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        if (response.status === 409) { showConflict(data.user_message || data.developer_message); return null; }
        if (!response.ok) {
          showError(data.user_message || data.developer_message || (data.error && data.error.message) || "Error.");
          return null;
        }
        clearError();
        if (data.version) { version = data.version; root.dataset.version = version; }
        return data;
      });
    }, function () { showError("The server could not be reached."); return null; });
  }

  function reload(focusUsageId) {
    if (focusUsageId) { sessionStorage.setItem(focusKey, focusUsageId); }
    window.location.reload();
  }

  function itemOf(element) { return element.closest("li.outline-item"); }
  function nameOf(li) { return li.dataset.name; }
  function siblings(li) {
    return Array.prototype.filter.call(li.parentElement.children, function (el) { return el.matches("li.outline-item"); });
  }

  /* Publishing states after an in-place change (move, rename). */
  function refreshStates() {
    send("GET", "/outline").then(function (data) {
      if (!data) { return; }
      var labels = {};
      (function walk(node) {
        labels[node.usage_id] = node;
        node.children.forEach(walk);
      }(data.root));
      root.querySelectorAll("li.outline-item").forEach(function (li) {
        var node = labels[li.dataset.usageId];
        var badge = li.querySelector(":scope > .outline-row .outline-state");
        if (!node || !badge) { return; }
        badge.className = "badge outline-state state-" + node.state;
        badge.textContent = node.state_label;
        var publishButton = li.querySelector(":scope > .outline-row [data-action=publish]");
        if (publishButton) {
          publishButton.classList.toggle("d-none", node.state !== "never_published" && node.state !== "unpublished_changes");
        }
      });
      var status = document.getElementById("outline-publish-status");
      status.textContent = data.has_changes ? messages.changes : (data.published_version ? messages.published : messages.never);
      document.getElementById("outline-publish").disabled = !data.has_changes;
      document.getElementById("outline-discard").disabled = !data.has_changes || !data.published_version;
    });
  }

  /* Moves ------------------------------------------------------------------------------------------------ */

  function commitMove(li, list, focusTarget, undo) {
    var position = siblings(li).indexOf(li);
    send("POST", "/blocks/" + encodeURIComponent(li.dataset.usageId) + "/move",
         {parent: list.dataset.parent, index: position}).then(function (data) {
      if (!data) { undo(); return; }
      announce(text(messages.moved, {name: nameOf(li), position: position + 1, count: siblings(li).length}));
      if (focusTarget) { focusTarget.focus(); }
      refreshStates();
    });
  }

  function moveBy(li, step, focusTarget) {
    var all = siblings(li);
    var index = all.indexOf(li);
    var target = index + step;
    if (target < 0) { announce(text(messages.first, {name: nameOf(li)})); return; }
    if (target >= all.length) { announce(text(messages.last, {name: nameOf(li)})); return; }
    var list = li.parentElement;
    var next = li.nextElementSibling;
    if (step < 0) { list.insertBefore(li, all[target]); } else { list.insertBefore(li, all[target].nextElementSibling); }
    if (focusTarget) { focusTarget.focus(); }
    commitMove(li, list, focusTarget, function () { list.insertBefore(li, next); });
  }

  root.addEventListener("keydown", function (event) {
    if (!event.altKey || (event.key !== "ArrowUp" && event.key !== "ArrowDown")) { return; }
    var row = event.target.closest(".outline-row");
    if (!row) { return; }
    event.preventDefault();
    moveBy(itemOf(row), event.key === "ArrowUp" ? -1 : 1, event.target);
  });

  /* Drag and drop: an item drops before or after another of its kind, or into an empty list of its kind. */
  var dragged = null;
  root.addEventListener("dragstart", function (event) {
    var li = event.target.closest && event.target.closest("li.outline-item");
    if (!li || event.target !== li) { return; }
    dragged = li;
    li.classList.add("dragging");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", li.dataset.usageId);
  });
  function clearMarks() {
    root.querySelectorAll(".drop-before, .drop-after").forEach(function (el) {
      el.classList.remove("drop-before", "drop-after");
    });
  }
  function dropPlace(event) {
    if (!dragged) { return null; }
    var over = event.target.closest("li.outline-item, ol.outline-list");
    while (over && over.dataset.category !== dragged.dataset.category) {
      over = over.parentElement && over.parentElement.closest("li.outline-item, ol.outline-list");
    }
    if (!over || over === dragged || dragged.contains(over)) { return null; }
    if (over.matches("ol")) { return {list: over, before: null}; }
    var box = over.getBoundingClientRect();
    var after = event.clientY > box.top + box.height / 2;
    return {list: over.parentElement, before: after ? over.nextElementSibling : over, mark: over, after: after};
  }
  root.addEventListener("dragover", function (event) {
    var place = dropPlace(event);
    if (!place) { return; }
    event.preventDefault();
    clearMarks();
    if (place.mark) { place.mark.classList.add(place.after ? "drop-after" : "drop-before"); }
  });
  root.addEventListener("drop", function (event) {
    var place = dropPlace(event);
    clearMarks();
    if (!place) { return; }
    event.preventDefault();
    var li = dragged;
    var oldList = li.parentElement;
    var oldNext = li.nextElementSibling;
    place.list.insertBefore(li, place.before);
    commitMove(li, place.list, li.querySelector(".outline-row"), function () { oldList.insertBefore(li, oldNext); });
  });
  root.addEventListener("dragend", function () {
    if (dragged) { dragged.classList.remove("dragging"); }
    dragged = null;
    clearMarks();
  });

  /* Move to another parent ------------------------------------------------------------------------------ */
  var moveModal = document.getElementById("outline-moveto");
  var moving = null;
  function openMoveTo(li) {
    send("GET", "/outline").then(function (data) {
      if (!data) { return; }
      var wanted = li.dataset.category === "vertical" ? "sequential" : "chapter";
      var select = document.getElementById("moveto-parent");
      select.innerHTML = "";
      data.root.children.forEach(function (section) {
        var candidates = wanted === "chapter" ? [[section, section.display_name]]
          : section.children.map(function (sub) { return [sub, section.display_name + " › " + sub.display_name]; });
        candidates.forEach(function (pair) {
          var option = document.createElement("option");
          option.value = pair[0].usage_id;
          option.textContent = pair[1];
          if (li.parentElement.dataset.parent === pair[0].usage_id) { option.selected = true; }
          select.appendChild(option);
        });
      });
      moving = li;
      bootstrap.Modal.getOrCreateInstance(moveModal).show();
    });
  }
  moveModal.addEventListener("shown.bs.modal", function () { document.getElementById("moveto-parent").focus(); });
  document.getElementById("outline-moveto-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var parent = document.getElementById("moveto-parent").value;
    send("POST", "/blocks/" + encodeURIComponent(moving.dataset.usageId) + "/move", {parent: parent})
      .then(function (data) { if (data) { reload(moving.dataset.usageId); } });
  });

  /* Rename in place ---------------------------------------------------------------------------------------- */
  function rename(li, button) {
    var row = li.querySelector(":scope > .outline-row");
    var name = row.querySelector(".outline-name");
    if (row.querySelector(".outline-name-input")) { return; }
    var input = document.createElement("input");
    input.className = "form-control form-control-sm outline-name-input";
    input.value = nameOf(li);
    input.setAttribute("aria-label", messages.nameLabel);
    name.classList.add("d-none");
    name.after(input);
    input.focus();
    input.select();
    var finished = false;
    function finish(save) {
      // Removing the focused input blurs it, and the blur handler would finish (and save) a second time.
      if (finished) { return; }
      finished = true;
      var value = input.value.trim();
      input.remove();
      name.classList.remove("d-none");
      button.focus();
      if (!save || !value || value === nameOf(li)) { return; }
      send("PATCH", "/blocks/" + encodeURIComponent(li.dataset.usageId), {display_name: value}).then(function (data) {
        if (!data) { return; }
        li.dataset.name = value;
        name.textContent = value;
        announce(text(messages.renamed, {name: value}));
        refreshStates();
      });
    }
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter") { event.preventDefault(); finish(true); }
      if (event.key === "Escape") { event.preventDefault(); finish(false); }
    });
    input.addEventListener("blur", function () { finish(true); });
  }

  /* Settings ------------------------------------------------------------------------------------------------ */
  var settingsModal = document.getElementById("outline-settings");
  var editing = null;
  function localDate(iso) { return iso ? iso.slice(0, 16) : ""; }
  function openSettings(li) {
    editing = li;
    var kind = li.dataset.category;
    var form = document.getElementById("outline-settings-form");
    document.getElementById("outline-settings-title").textContent = li.querySelector(".outline-actions [data-action=settings]").textContent;
    form.querySelector(".setting-start").classList.toggle("d-none", kind === "vertical");
    form.querySelector(".setting-due").classList.toggle("d-none", kind !== "sequential");
    form.querySelector(".setting-format").classList.toggle("d-none", kind !== "sequential");
    form.querySelector(".setting-toc").classList.toggle("d-none", kind === "vertical");
    form.start.value = localDate(li.dataset.start);
    form.due.value = localDate(li.dataset.due);
    form.format.value = li.dataset.format;
    form.visible_to_staff_only.checked = li.dataset.staffOnly === "true";
    form.hide_from_toc.checked = li.dataset.hideFromToc === "true";
    document.getElementById("settings-error").classList.add("d-none");
    bootstrap.Modal.getOrCreateInstance(settingsModal).show();
  }
  settingsModal.addEventListener("shown.bs.modal", function () {
    var first = settingsModal.querySelector(".modal-body > div:not(.d-none):not(.alert) input, .modal-body > div:not(.d-none):not(.alert) select");
    if (first) { first.focus(); }
  });
  document.getElementById("outline-settings-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var form = event.target;
    var kind = editing.dataset.category;
    var body = {visible_to_staff_only: form.visible_to_staff_only.checked};
    if (kind !== "vertical") {
      body.start = form.start.value || null;
      body.hide_from_toc = form.hide_from_toc.checked;
    }
    if (kind === "sequential") {
      body.due = form.due.value || null;
      body.format = form.format.value || null;
    }
    send("PATCH", "/blocks/" + encodeURIComponent(editing.dataset.usageId), body).then(function (data) {
      if (data) { reload(editing.dataset.usageId); }
    });
  });

  /* Sections: open and close (a large course loads a section's contents when it is opened) -------------- */
  function expandedSet() {
    try { return JSON.parse(sessionStorage.getItem(expandedKey) || "{}"); } catch (e) { return {}; }
  }
  function toggle(button, open) {
    var body = document.getElementById(button.getAttribute("aria-controls"));
    var li = itemOf(button);
    var shown = open === undefined ? button.getAttribute("aria-expanded") !== "true" : open;
    var state = expandedSet();
    state[li.dataset.usageId] = shown;
    sessionStorage.setItem(expandedKey, JSON.stringify(state));
    button.setAttribute("aria-expanded", shown ? "true" : "false");
    body.classList.toggle("d-none", !shown);
    if (shown && body.dataset.loaded !== "true") {
      body.dataset.loaded = "true";
      return fetch(root.dataset.fragment + encodeURIComponent(li.dataset.usageId), {credentials: "same-origin"})
        .then(function (response) { return response.ok ? response.text() : ""; })
        .then(function (html) { body.innerHTML = html; });
    }
    return Promise.resolve();
  }

  /* Buttons ------------------------------------------------------------------------------------------------- */
  root.addEventListener("click", function (event) {
    var toggleButton = event.target.closest(".outline-toggle");
    if (toggleButton) { toggle(toggleButton); return; }
    var add = event.target.closest("button.outline-add");
    if (add) {
      send("POST", "/blocks", {parent: add.dataset.parent, category: add.dataset.category}).then(function (data) {
        if (data) { reload(data.usage_id); }
      });
      return;
    }
    if (event.target.closest("#outline-publish")) {
      send("POST", "/publish", {}).then(function (data) { if (data) { reload(); } });
      return;
    }
    var discard = event.target.closest("#outline-discard");
    if (discard) {
      if (window.confirm(discard.dataset.confirm)) {
        send("POST", "/discard", {}).then(function (data) { if (data) { reload(); } });
      }
      return;
    }
    var button = event.target.closest("button[data-action]");
    if (!button) { return; }
    var li = itemOf(button);
    var action = button.dataset.action;
    var path = "/blocks/" + encodeURIComponent(li.dataset.usageId);
    if (action === "up" || action === "down") { moveBy(li, action === "up" ? -1 : 1, button); }
    else if (action === "rename") { rename(li, button); }
    else if (action === "settings") { openSettings(li); }
    else if (action === "moveto") { openMoveTo(li); }
    else if (action === "publish") {
      send("POST", path + "/publish", {}).then(function (data) { if (data) { reload(li.dataset.usageId); } });
    } else if (action === "duplicate") {
      send("POST", path + "/duplicate", {}).then(function (data) { if (data) { reload(data.usage_id); } });
    } else if (action === "delete") {
      if (window.confirm(text(messages.confirmDelete, {name: nameOf(li)}))) {
        send("DELETE", path).then(function (data) { if (data) { reload(); } });
      }
    }
  });
  document.getElementById("outline-reload").addEventListener("click", function (event) {
    event.preventDefault();
    window.location.reload();
  });

  /* After a reload: reopen the sections that were open, focus the item that was changed or created. */
  var opened = expandedSet();
  var pending = [];
  if (root.dataset.lazy === "true") {
    root.querySelectorAll("ol.outline-sections > li.outline-item").forEach(function (li) {
      if (opened[li.dataset.usageId]) { pending.push(toggle(li.querySelector(".outline-toggle"), true)); }
    });
  } else {
    root.querySelectorAll("ol.outline-sections > li.outline-item").forEach(function (li) {
      if (opened[li.dataset.usageId] === false) { toggle(li.querySelector(".outline-toggle"), false); }
    });
  }
  var focusId = sessionStorage.getItem(focusKey);
  if (focusId) {
    sessionStorage.removeItem(focusKey);
    Promise.all(pending).then(function () {
      var target = root.querySelector('li.outline-item[data-usage-id="' + CSS.escape(focusId) + '"] > .outline-row');
      if (target) { target.focus(); target.scrollIntoView({block: "center"}); }
    });
  }
}());
