/* Studio's unit editor (templates/studio/unit/unit.html): every action calls the REST API under
 * /api/studio/v1/ with the draft version the page was made from; a 409 shows the conflict and a reload link,
 * a 400 shows the server's message (problem XML errors with their line) next to the text, and nothing is lost. */
(function () {
  "use strict";
  var root = document.getElementById("unit-editor");
  if (!root) { return; }
  var msg = JSON.parse(document.getElementById("unit-messages").textContent);
  var api = root.getAttribute("data-api");
  var unitId = root.getAttribute("data-usage-id");
  var list = document.getElementById("component-list");
  var alertBox = document.getElementById("unit-alert");
  var editorModalEl = document.getElementById("editor-modal");
  var editorModal = new bootstrap.Modal(editorModalEl);
  var moveModal = new bootstrap.Modal(document.getElementById("move-modal"));
  var deleteModal = new bootstrap.Modal(document.getElementById("delete-modal"));
  var current = null;  // the component an action is about
  var editing = null;  // the component JSON being edited

  function version() { return root.getAttribute("data-version"); }
  function setVersion(v) { if (v) { root.setAttribute("data-version", v); } }
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) {
      if (name === "text") { node.textContent = attrs[name]; } else if (attrs[name] !== null && attrs[name] !== undefined && attrs[name] !== false) { node.setAttribute(name, attrs[name] === true ? "" : attrs[name]); }
    });
    (children || []).forEach(function (child) { if (child) { node.appendChild(child); } });
    return node;
  }

  function showAlert(kind, text, withReload) {
    alertBox.textContent = "";
    var box = el("div", { "class": "alert alert-" + kind, role: kind === "danger" || kind === "warning" ? "alert" : "status" });
    box.appendChild(document.createTextNode(text + " "));
    if (withReload) {
      box.appendChild(el("a", { href: window.location.href, "class": "alert-link", id: "reload-link", text: msg.reload }));
    }
    alertBox.appendChild(box);
    return box;
  }

  /** Call the API; resolves with the JSON answer, rejects with {status, body} after showing what went wrong. */
  function call(method, path, body, errorTarget) {
    var options = { method: method, headers: { "Content-Type": "application/json" } };
    if (body !== undefined) { options.body = JSON.stringify(body); }
    return window.kampusFetch(path.indexOf("/api/") === 0 ? path : api + path, options).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (json) {
        if (response.ok) { setVersion(json.version); return json; }
        var text = json.user_message || json.developer_message || msg.error;
        if (response.status === 409) {
          showAlert("warning", text, true);
          if (errorTarget) { showErrors(errorTarget, json, true); }
        } else if (errorTarget) {
          showErrors(errorTarget, json, false);
        } else {
          showAlert("danger", text, false);
        }
        throw { status: response.status, body: json };
      });
    }, function (error) { showAlert("danger", msg.network, false); throw error; });
  }

  function showErrors(target, json, conflict) {
    target.textContent = "";
    var box = el("div", { "class": "alert " + (conflict ? "alert-warning" : "alert-danger"), role: "alert" });
    box.appendChild(el("p", { "class": "mb-1 fw-semibold", text: json.user_message || json.developer_message || msg.error }));
    (json.errors || []).slice(1).forEach(function (error) {  // the first one is the message above
      if (error.line) {
        box.appendChild(el("p", { "class": "mb-0 small studio-error-line", text: msg.line + " " + error.line + (error.column ? ", " + msg.column + " " + error.column : "") + ": " + error.message }));
      }
    });
    if (conflict) { box.appendChild(el("a", { href: window.location.href, "class": "alert-link", text: msg.reload })); }
    target.appendChild(box);
  }

  function reload() { window.location.reload(); }

  // -- adding ---------------------------------------------------------------------------------------------------
  document.querySelectorAll("[data-add-type]").forEach(function (button) {
    button.addEventListener("click", function () {
      var body = { block_type: button.getAttribute("data-add-type"), expected_version: version() };
      if (button.getAttribute("data-template")) { body.template = button.getAttribute("data-template"); }
      showAlert("info", msg.saving, false);
      call("POST", "/units/" + unitId + "/components", body).then(function (json) {
        window.sessionStorage.setItem("studio-unit-edit", json.usage_id);
        reload();
      }, function () {});
    });
  });

  // -- the components' actions -------------------------------------------------------------------------------------
  function items() { return Array.prototype.slice.call(list.querySelectorAll(":scope > li.studio-component")); }
  function refreshArrows() {
    var all = items();
    all.forEach(function (item, index) {
      item.querySelector('[data-action="up"]').disabled = index === 0;
      item.querySelector('[data-action="down"]').disabled = index === all.length - 1;
    });
  }
  function saveOrder(focusItem, focusAction) {
    var order = items().map(function (item) { return item.getAttribute("data-usage-id"); });
    call("PUT", "/units/" + unitId + "/order", { children: order, expected_version: version() }).then(function () {
      refreshArrows();
      showAlert("success", msg.order_saved, false);
      if (focusItem) {
        var target = focusItem.querySelector('[data-action="' + focusAction + '"]');
        (target && !target.disabled ? target : focusItem.querySelector('[data-action="edit"]')).focus();
      }
    }, function () {});
  }

  list.addEventListener("click", function (event) {
    var button = event.target.closest("[data-action]");
    if (!button || !list.contains(button)) { return; }
    var item = button.closest("li.studio-component");
    current = item;
    var id = item.getAttribute("data-usage-id");
    var action = button.getAttribute("data-action");
    if (action === "edit") { openEditor(id); }
    if (action === "duplicate") {
      call("POST", "/components/" + id + "/duplicate", { expected_version: version() }).then(reload, function () {});
    }
    if (action === "move") { openMove(); }
    if (action === "delete") { deleteModal.show(); }
    if (action === "up" && item.previousElementSibling) {
      list.insertBefore(item, item.previousElementSibling);
      saveOrder(item, "up");
    }
    if (action === "down" && item.nextElementSibling) {
      list.insertBefore(item.nextElementSibling, item);
      saveOrder(item, "down");
    }
  });

  var moveTarget = document.getElementById("move-target");
  function openMove() {
    call("GET", "/units").then(function (json) {
      moveTarget.textContent = "";
      json.units.forEach(function (choice) {
        if (choice.usage_id !== unitId) { moveTarget.appendChild(el("option", { value: choice.usage_id, text: choice.path })); }
      });
      moveModal.show();
    }, function () {});
  }

  document.getElementById("delete-confirm").addEventListener("click", function () {
    var id = current.getAttribute("data-usage-id");
    call("DELETE", "/components/" + id + "?expected_version=" + encodeURIComponent(version())).then(reload, function () {
      deleteModal.hide();
    });
  });
  document.getElementById("move-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var target = document.getElementById("move-target").value;
    if (!target) { return; }
    call("POST", "/components/" + current.getAttribute("data-usage-id") + "/move",
         { target_unit: target, expected_version: version() }).then(reload, function () { moveModal.hide(); });
  });

  // drag and drop
  var dragged = null;
  list.addEventListener("dragstart", function (event) {
    dragged = event.target.closest("li.studio-component");
    if (dragged) { dragged.classList.add("studio-dragging"); event.dataTransfer.effectAllowed = "move"; event.dataTransfer.setData("text/plain", dragged.getAttribute("data-usage-id")); }
  });
  list.addEventListener("dragover", function (event) {
    if (!dragged) { return; }
    event.preventDefault();
    var over = event.target.closest("li.studio-component");
    if (!over || over === dragged) { return; }
    var box = over.getBoundingClientRect();
    list.insertBefore(dragged, event.clientY > box.top + box.height / 2 ? over.nextElementSibling : over);
  });
  list.addEventListener("dragend", function () {
    if (!dragged) { return; }
    dragged.classList.remove("studio-dragging");
    dragged = null;
    saveOrder(null);
  });

  // -- publish (the outline area's endpoint: this unit with its components, or the course) ---------------------------
  var publishButton = document.getElementById("publish-course");
  if (publishButton) {
    publishButton.addEventListener("click", function () {
      publishButton.disabled = true;
      call("POST", publishButton.getAttribute("data-url"), { expected_version: version() }).then(reload, function () {
        publishButton.disabled = false;
      });
    });
  }

  // -- discard this unit's unpublished changes (after the confirmation dialog) ---------------------------------------
  var discardButton = document.getElementById("discard-unit");
  if (discardButton) {
    var discardModalEl = document.getElementById("discard-modal");
    var discardConfirm = document.getElementById("discard-confirm");
    discardConfirm.addEventListener("click", function () {
      discardConfirm.disabled = true;
      call("POST", discardButton.getAttribute("data-url"), { expected_version: version() }).then(reload, function () {
        discardConfirm.disabled = false;
        bootstrap.Modal.getOrCreateInstance(discardModalEl).hide();
      });
    });
  }

  // -- rename --------------------------------------------------------------------------------------------------------
  var renameForm = document.getElementById("rename-form");
  var renameToggle = document.getElementById("rename-toggle");
  renameToggle.addEventListener("click", function () {
    renameForm.hidden = !renameForm.hidden;
    renameToggle.setAttribute("aria-expanded", String(!renameForm.hidden));
    if (!renameForm.hidden) { document.getElementById("rename-input").focus(); }
  });
  renameForm.addEventListener("submit", function (event) {
    event.preventDefault();
    var name = document.getElementById("rename-input").value;
    call("PATCH", "/units/" + unitId, { display_name: name, expected_version: version() }).then(function () {
      document.getElementById("unit-title").textContent = name;
      renameForm.hidden = true;
      renameToggle.setAttribute("aria-expanded", "false");
      showAlert("success", msg.saved, false);
      renameToggle.focus();
    }, function () {});
  });

  // -- editors ---------------------------------------------------------------------------------------------------------
  var editorBody = document.getElementById("editor-body");
  var editorErrors = document.getElementById("editor-errors");
  var saveButton = document.getElementById("editor-save");

  function textField(id, label, value, rows, extraClass) {
    var wrap = el("div", { "class": "mb-3" });
    wrap.appendChild(el("label", { "class": "form-label", "for": id, text: label }));
    var input = rows ? el("textarea", { "class": "form-control " + (extraClass || ""), id: id, rows: String(rows), spellcheck: "false" })
                     : el("input", { "class": "form-control", id: id });
    input.value = value === null || value === undefined ? "" : value;
    wrap.appendChild(input);
    return wrap;
  }

  function tabs(prefix, panes) {
    var nav = el("ul", { "class": "nav nav-tabs mb-3", role: "tablist" });
    var content = el("div", { "class": "tab-content" });
    panes.forEach(function (pane, index) {
      var tabId = prefix + "-tab-" + pane.key, paneId = prefix + "-pane-" + pane.key;
      var button = el("button", { "class": "nav-link" + (pane.active ? " active" : ""), id: tabId, type: "button", role: "tab",
        "data-bs-toggle": "tab", "data-bs-target": "#" + paneId, "aria-controls": paneId,
        "aria-selected": pane.active ? "true" : "false", "data-pane": pane.key, text: pane.label });
      nav.appendChild(el("li", { "class": "nav-item", role: "presentation" }, [button]));
      var div = el("div", { "class": "tab-pane" + (pane.active ? " show active" : ""), id: paneId, role: "tabpanel", "aria-labelledby": tabId, tabindex: "0" });
      pane.nodes.forEach(function (node) { div.appendChild(node); });
      content.appendChild(div);
      void index;
    });
    return [nav, content];
  }

  function settingsNodes(settings) {
    if (!settings.length) { return [el("p", { "class": "text-body-secondary", text: msg.no_settings })]; }
    return settings.map(function (setting) {
      var id = "setting-" + setting.name;
      var wrap = el("div", { "class": "mb-3" });
      var input;
      var value = setting.value;
      if (setting.type === "boolean") {
        wrap.className = "form-check mb-3";
        input = el("input", { "class": "form-check-input", type: "checkbox", id: id });
        input.checked = !!value;
        wrap.appendChild(input);
        wrap.appendChild(el("label", { "class": "form-check-label", "for": id, text: setting.display_name }));
      } else {
        wrap.appendChild(el("label", { "class": "form-label", "for": id, text: setting.display_name }));
        if (setting.options) {
          input = el("select", { "class": "form-select", id: id });
          setting.options.forEach(function (option) {
            var node = el("option", { value: option.value, text: option.label });
            if (String(value) === option.value) { node.selected = true; }
            input.appendChild(node);
          });
        } else if (setting.type === "list" || setting.type === "dict") {
          input = el("textarea", { "class": "form-control font-monospace", id: id, rows: "3" });
          input.value = value === null || value === undefined ? "" : (setting.type === "list" ? value.join("\n") : JSON.stringify(value, null, 2));
        } else {
          input = el("input", { "class": "form-control", id: id, type: setting.type === "string" ? "text" : "number", step: setting.type === "float" ? "any" : "1" });
          input.value = value === null || value === undefined ? "" : value;
        }
        wrap.appendChild(input);
      }
      var help = setting.help || (setting.type === "list" ? msg.list_help : setting.type === "dict" ? msg.dict_help : "");
      if (help) { var helpId = id + "-help"; input.setAttribute("aria-describedby", helpId); wrap.appendChild(el("div", { "class": "form-text", id: helpId, text: help })); }
      input.setAttribute("data-setting", setting.name);
      input.setAttribute("data-setting-type", setting.type);
      input.setAttribute("data-initial", setting.type === "boolean" ? String(input.checked) : input.value);
      return wrap;
    });
  }

  /** The settings the author changed (the others stay unset, so that course-wide defaults still apply). */
  function collectSettings() {
    var values = {};
    editorBody.querySelectorAll("[data-setting]").forEach(function (input) {
      var type = input.getAttribute("data-setting-type");
      var name = input.getAttribute("data-setting");
      var now = type === "boolean" ? String(input.checked) : input.value;
      if (now === input.getAttribute("data-initial")) { return; }
      values[name] = type === "boolean" ? input.checked : (input.value === "" && type !== "string" ? null : input.value);
    });
    return values;
  }

  var visualEditor = null;
  function destroyVisual() {
    if (visualEditor && window.tinymce) { window.tinymce.remove(visualEditor); }
    visualEditor = null;
  }

  function buildHtmlEditor(component) {
    var visual = textField("html-visual", msg.visual_label, component.data, 14);
    var source = textField("html-source", msg.html_label, component.data, 14, "font-monospace");
    var parts = tabs("html", [
      { key: "visual", label: msg.visual, active: true, nodes: [visual] },
      { key: "source", label: msg.source, nodes: [source] },
      { key: "settings", label: msg.settings, nodes: settingsNodes(component.settings) }
    ]);
    editorBody.appendChild(textField("editor-display-name", msg.display_name, component.display_name));
    parts.forEach(function (node) { editorBody.appendChild(node); });
    editorBody.querySelectorAll('[data-bs-toggle="tab"]').forEach(function (tab) {
      tab.addEventListener("show.bs.tab", function () {
        var pane = tab.getAttribute("data-pane");
        if (pane === "source" && window.tinymce && window.tinymce.get("html-visual")) { document.getElementById("html-source").value = window.tinymce.get("html-visual").getContent(); }
        if (pane === "visual" && window.tinymce && window.tinymce.get("html-visual")) { window.tinymce.get("html-visual").setContent(document.getElementById("html-source").value); }
      });
    });
    if (window.tinymce) {
      window.tinymce.init({
        selector: "#html-visual", base_url: root.getAttribute("data-tinymce-base").replace(/\/$/, ""), suffix: ".min",
        license_key: "gpl", menubar: false, promotion: false, branding: false, height: 360,
        plugins: "lists link image table code", toolbar: "undo redo | blocks | bold italic underline | bullist numlist | link image table | code",
        convert_urls: false, relative_urls: false,
        // the frame's focus is not seen by the page's focusin: the dialog's "shown" needs to know of it
        setup: function (editor) { editor.on("focus", function () { touched = "visual"; }); }
      }).then(function (editors) { visualEditor = editors[0] || null; });
    }
    editing.activePane = function () {
      var active = editorBody.querySelector(".nav-link.active");
      return active ? active.getAttribute("data-pane") : "visual";
    };
    editing.collect = function () {
      var pane = editing.activePane();
      var html = pane === "source" || !(window.tinymce && window.tinymce.get("html-visual"))
        ? document.getElementById("html-source").value : window.tinymce.get("html-visual").getContent();
      if (pane === "settings") { html = window.tinymce && window.tinymce.get("html-visual") ? window.tinymce.get("html-visual").getContent() : document.getElementById("html-source").value; }
      return { display_name: document.getElementById("editor-display-name").value, data: html, settings: collectSettings() };
    };
  }

  function buildProblemEditor(component) {
    var simple = component.markdown !== null && component.markdown !== undefined;
    var markdown = textField("problem-markdown", msg.markdown_label, component.markdown || "", 14, "font-monospace");
    var showXml = el("button", { type: "button", "class": "btn btn-sm btn-outline-secondary", id: "problem-show-xml", text: msg.show_xml });
    var xmlOut = el("pre", { "class": "studio-xml-preview border rounded p-2 small mt-2", id: "problem-xml-made", hidden: true, tabindex: "0", "aria-label": msg.xml_made });
    var xml = textField("problem-xml", msg.xml_label, component.data, 16, "font-monospace");
    var parts = tabs("problem", [
      { key: "simple", label: msg.simple, active: simple, nodes: [markdown, showXml, xmlOut] },
      { key: "xml", label: msg.advanced, active: !simple, nodes: [el("p", { "class": "form-text", text: msg.switch_to_xml }), xml] },
      { key: "settings", label: msg.settings, nodes: settingsNodes(component.settings) }
    ]);
    editorBody.appendChild(textField("editor-display-name", msg.display_name, component.display_name));
    parts.forEach(function (node) { editorBody.appendChild(node); });
    var mode = simple ? "simple" : "xml";
    editorBody.querySelectorAll('[data-bs-toggle="tab"]').forEach(function (tab) {
      tab.addEventListener("show.bs.tab", function () {
        var pane = tab.getAttribute("data-pane");
        if (pane !== "settings") { mode = pane; }
      });
    });
    showXml.addEventListener("click", function () {
      call("POST", root.getAttribute("data-markdown-url"), { markdown: document.getElementById("problem-markdown").value, course_id: root.getAttribute("data-course-id") }, editorErrors).then(function (json) {
        xmlOut.hidden = false;
        xmlOut.textContent = json.xml;
        document.getElementById("problem-xml").value = json.xml;
        editorErrors.textContent = "";
        if (json.errors && json.errors.length) { showErrors(editorErrors, { user_message: json.errors[0].message, errors: json.errors }, false); }
      }, function () {});
    });
    editing.collect = function () {
      var body = { display_name: document.getElementById("editor-display-name").value, settings: collectSettings() };
      if (mode === "simple") { body.markdown = document.getElementById("problem-markdown").value; body.use_markdown = true; }
      else { body.data = document.getElementById("problem-xml").value; body.use_markdown = false; }
      return body;
    };
  }

  function buildSettingsEditor(component) {
    editorBody.appendChild(textField("editor-display-name", msg.display_name, component.display_name));
    settingsNodes(component.settings).forEach(function (node) { editorBody.appendChild(node); });
    if (component.block_type === "video") { editorBody.appendChild(transcriptUploader(component)); }
    editing.collect = function () {
      return { display_name: document.getElementById("editor-display-name").value, settings: collectSettings() };
    };
  }

  /** A video's "Add a transcript": a language and an .srt or .sjson file, uploaded at once (its own request, so the
   * other settings stay as typed); the transcripts setting above shows the result. */
  function transcriptUploader(component) {
    var box = el("fieldset", { "class": "border rounded p-3 mb-3", id: "transcript-upload-box" });
    box.appendChild(el("legend", { "class": "h6 float-none w-auto px-1 mb-1", text: msg.transcript_legend }));
    box.appendChild(el("p", { "class": "form-text mt-0", id: "transcript-help", text: msg.transcript_help }));
    var row = el("div", { "class": "row g-2 align-items-end" });
    var language = el("input", { "class": "form-control", id: "transcript-language", value: "en", size: "8",
      autocomplete: "off", "aria-describedby": "transcript-help" });
    var file = el("input", { "class": "form-control", id: "transcript-file", type: "file", accept: ".srt,.sjson",
      "aria-describedby": "transcript-help" });
    var button = el("button", { type: "button", "class": "btn btn-outline-primary", id: "transcript-upload", text: msg.transcript_upload });
    row.appendChild(el("div", { "class": "col-sm-3" }, [el("label", { "class": "form-label", "for": "transcript-language", text: msg.transcript_language }), language]));
    row.appendChild(el("div", { "class": "col-sm-6" }, [el("label", { "class": "form-label", "for": "transcript-file", text: msg.transcript_file }), file]));
    row.appendChild(el("div", { "class": "col-sm-3" }, [button]));
    box.appendChild(row);
    var status = el("div", { id: "transcript-status", "class": "mt-2", role: "status", "aria-live": "polite" });
    box.appendChild(status);
    button.addEventListener("click", function () {
      status.textContent = "";
      editorErrors.textContent = "";
      if (!file.files.length) { status.appendChild(el("div", { "class": "alert alert-danger mb-0", text: msg.transcript_choose })); file.focus(); return; }
      var form = new FormData();
      form.append("file", file.files[0]);
      form.append("language", language.value.trim());
      form.append("expected_version", version());
      button.disabled = true;
      window.kampusFetch(api + "/components/" + component.usage_id + "/transcripts", { method: "POST", body: form }).then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (json) {
          if (!response.ok) {
            var text = json.user_message || json.developer_message || msg.error;
            if (response.status === 409) { showErrors(editorErrors, json, true); return; }
            status.appendChild(el("div", { "class": "alert alert-danger mb-0", id: "transcript-error", text: text }));
            return;
          }
          setVersion(json.version);
          var field = document.getElementById("setting-transcripts");
          if (field) {  // what is saved now: not a change of the author's
            field.value = JSON.stringify(json.transcripts, null, 2);
            field.setAttribute("data-initial", field.value);
          }
          file.value = "";
          editing.saved = true;  // the unit page shows the new state when the dialog closes
          status.appendChild(el("div", { "class": "alert alert-success mb-0", text: msg.transcript_done.replace("%(language)s", json.language).replace("%(filename)s", json.filename) }));
        });
      }, function () { status.appendChild(el("div", { "class": "alert alert-danger mb-0", text: msg.network })); })
        .then(function () { button.disabled = false; });
    });
    return box;
  }

  function buildStudioView(component) {
    editorBody.appendChild(el("p", { "class": "form-text", text: msg.studio_view_help }));
    var frame = el("iframe", { src: "/studio/course/" + root.getAttribute("data-course-id") + "/component/" + component.usage_id + "/studio_view", "class": "studio-view-frame w-100 border rounded",
      title: msg.edit_title + " " + component.display_name, id: "studio-view-frame" });
    editorBody.appendChild(frame);
    saveButton.hidden = true;
    frame.addEventListener("load", function () {
      var doc = frame.contentDocument;
      if (!doc) { return; }
      doc.addEventListener("xblock:save", function (event) {
        if (event.detail && event.detail.state === "end" && editing) { editing.saved = true; editorModal.hide(); }
      });
      doc.addEventListener("xblock:cancel", function () { editorModal.hide(); });
    });
    editing.collect = null;
  }

  function openEditor(id) {
    editorErrors.textContent = "";
    editorBody.textContent = "";
    saveButton.hidden = false;
    call("GET", "/components/" + id).then(function (component) {
      editing = component;
      document.getElementById("editor-title").textContent = msg.edit_title + " " + component.display_name;
      if (component.editor === "html") { buildHtmlEditor(component); }
      else if (component.editor === "problem") { buildProblemEditor(component); }
      else if (component.editor === "studio_view") { buildStudioView(component); }
      else { buildSettingsEditor(component); }
      editorModal.show();
    }, function () {});
  }

  // An author who clicks into a field (or into the visual editor's frame) while the dialog fades in keeps
  // typing there: Bootstrap's focus trap moves the focus to the dialog when the fade ends, and "shown" gives
  // it back to that field; only a form nobody has touched yet starts on its first field.
  var touched = null;
  editorBody.addEventListener("focusin", function (event) { touched = event.target; });
  editorModalEl.addEventListener("show.bs.modal", function () { touched = null; });
  editorModalEl.addEventListener("shown.bs.modal", function () {
    if (touched === "visual" && window.tinymce && window.tinymce.get("html-visual")) {
      window.tinymce.get("html-visual").focus();
      return;
    }
    var target = touched && touched !== "visual" && editorBody.contains(touched) && touched.offsetParent !== null
      ? touched : editorBody.querySelector("input, textarea, select, iframe");
    if (target) { target.focus(); }
  });
  editorModalEl.addEventListener("hidden.bs.modal", function () {
    var saved = editing && editing.saved;
    destroyVisual();
    editorBody.textContent = "";
    editing = null;
    if (saved) { reload(); }
  });

  document.getElementById("editor-form").addEventListener("submit", function (event) {
    event.preventDefault();
    if (!editing || !editing.collect) { return; }
    var body = editing.collect();
    body.expected_version = version();
    editorErrors.textContent = "";
    saveButton.disabled = true;
    call("PATCH", "/components/" + editing.usage_id, body, editorErrors).then(function () {
      editing.saved = true;
      editorModal.hide();
    }, function () {}).then(function () { saveButton.disabled = false; });
  });

  // A component just added opens in its editor.
  var justAdded = window.sessionStorage.getItem("studio-unit-edit");
  if (justAdded) {
    window.sessionStorage.removeItem("studio-unit-edit");
    if (list.querySelector('[data-usage-id="' + justAdded + '"]')) { openEditor(justAdded); }
  }
})();
