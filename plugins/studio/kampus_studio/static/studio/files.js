/* Studio "Files & uploads" (kampus_studio.files): uploads with progress through the REST API,
   copy buttons, and the delete confirmation dialog. Without this script the page's forms work as
   plain form posts. */
(function () {
  "use strict";
  var root = document.querySelector(".studio-files");
  if (!root) { return; }
  var csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";
  var maxBytes = parseInt(root.getAttribute("data-max-bytes"), 10) || 0;

  function text(template, name) { return template.replace("{name}", name); }

  function progressItem(list, name) {
    var item = document.createElement("li");
    item.className = "mb-2";
    var label = document.createElement("div");
    label.className = "small";
    label.textContent = name;
    var bar = document.createElement("div");
    bar.className = "progress";
    bar.setAttribute("role", "progressbar");
    bar.setAttribute("aria-label", name);
    bar.setAttribute("aria-valuemin", "0");
    bar.setAttribute("aria-valuemax", "100");
    bar.setAttribute("aria-valuenow", "0");
    var fill = document.createElement("div");
    fill.className = "progress-bar";
    fill.style.width = "0%";
    bar.appendChild(fill);
    item.appendChild(label);
    item.appendChild(bar);
    list.appendChild(item);
    return {
      set: function (percent) {
        fill.style.width = percent + "%";
        bar.setAttribute("aria-valuenow", String(percent));
      },
      fail: function (message) {
        bar.remove();
        var error = document.createElement("div");
        error.className = "alert alert-danger py-1 px-2 mt-1 mb-0 small files-upload-error";
        error.setAttribute("role", "alert");
        error.textContent = message;
        item.appendChild(error);
      },
      done: function () { fill.classList.add("bg-success"); }
    };
  }

  function upload(file, locked, item) {
    return new Promise(function (resolve) {
      var data = new FormData();
      data.append("file", file);
      if (locked) { data.append("locked", "true"); }
      var request = new XMLHttpRequest();
      request.open("POST", root.getAttribute("data-upload-url"));
      request.setRequestHeader("X-CSRFToken", csrf);
      request.setRequestHeader("Accept", "application/json");
      request.upload.addEventListener("progress", function (event) {
        if (event.lengthComputable) { item.set(Math.round(100 * event.loaded / event.total)); }
      });
      request.addEventListener("load", function () {
        if (request.status === 201) { item.set(100); item.done(); resolve(true); return; }
        var message = "";
        try {
          var body = JSON.parse(request.responseText);
          message = body.user_message || body.developer_message || (body.error && body.error.message) || "";
        } catch (ignored) { message = ""; }
        // The server's messages name the file; a bare failure gets the generic sentence.
        item.fail(message || text(root.getAttribute("data-msg-failed"), file.name) + " " + request.statusText);
        resolve(false);
      });
      request.addEventListener("error", function () {
        item.fail(text(root.getAttribute("data-msg-failed"), file.name) + " " + request.statusText);
        resolve(false);
      });
      request.send(data);
    });
  }

  var form = document.getElementById("files-upload-form");
  if (form && window.FormData && window.Promise) {
    form.addEventListener("submit", function (event) {
      var input = document.getElementById("files-input");
      if (!input.files.length) { return; }
      event.preventDefault();
      var list = document.getElementById("files-progress");
      list.textContent = "";
      var locked = document.getElementById("files-lock-new").checked;
      var button = document.getElementById("files-upload-button");
      button.disabled = true;
      // One file after the other: each its own request (and size limit), with its own progress bar.
      var results = [];
      var chain = Promise.resolve();
      Array.prototype.forEach.call(input.files, function (file) {
        var item = progressItem(list, file.name);
        chain = chain.then(function () {
          if (maxBytes && file.size > maxBytes) {
            item.fail(text(root.getAttribute("data-msg-too-large"), file.name));
            return false;
          }
          return upload(file, locked, item);
        }).then(function (ok) { results.push(ok); });
      });
      chain.then(function () {
        button.disabled = false;
        input.value = "";
        if (results.indexOf(true) >= 0) {
          var status = document.createElement("li");
          status.className = "small text-success";
          status.textContent = root.getAttribute("data-msg-done");
          list.appendChild(status);
          var failed = results.indexOf(false) >= 0;
          // Show the new files; keep the errors on screen when some files were refused.
          window.setTimeout(function () { window.location.reload(); }, failed ? 4000 : 600);
        }
      });
    });
  }

  root.addEventListener("click", function (event) {
    var copy = event.target.closest(".files-copy");
    if (copy && navigator.clipboard) {
      navigator.clipboard.writeText(copy.getAttribute("data-copy")).then(function () {
        copy.firstChild.textContent = root.getAttribute("data-msg-copied");
      });
      return;
    }
    var remove = event.target.closest(".files-delete");
    var modalElement = document.getElementById("files-delete-modal");
    if (remove && modalElement && window.bootstrap) {
      event.preventDefault();
      document.getElementById("files-delete-form").setAttribute("action", remove.getAttribute("href"));
      document.getElementById("files-delete-name").textContent = remove.getAttribute("data-file");
      window.bootstrap.Modal.getOrCreateInstance(modalElement).show();
    }
  });
})();
