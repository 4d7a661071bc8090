/* The Email section: compose (TinyMCE when Studio serves it, else the HTML textarea), preview, send or
   schedule through Open edX's send_email endpoint, and the history with delivery counts. */
(function () {
  "use strict";
  var root = document.getElementById("instructor-bulk-email");
  if (!root) { return; }
  var form = document.getElementById("bulk-email-form");
  var status = document.getElementById("bulk-email-status");
  var schedule = document.getElementById("bulk-email-schedule");
  var history = document.querySelector("#bulk-email-history tbody");
  var label = function (name) { return root.getAttribute("data-label-" + name); };
  var emailSwitch = document.getElementById("bulk-email-enabled");  // global staff only: saved when flipped
  if (emailSwitch) {
    emailSwitch.addEventListener("change", function () { emailSwitch.form.submit(); });
  }

  var tinymceUrl = root.getAttribute("data-tinymce-url");
  if (tinymceUrl && window.tinymce) {
    window.tinymce.init({
      selector: "#bulk-email-message", base_url: tinymceUrl.replace(/\/[^/]*$/, ""), suffix: ".min",
      license_key: "gpl", menubar: false, promotion: false, branding: false, height: 300,
      plugins: "lists link table code", toolbar: "undo redo | blocks | bold italic underline | bullist numlist | link table | code",
      convert_urls: false, relative_urls: false
    });
  }

  function message() {
    var editor = window.tinymce && window.tinymce.get("bulk-email-message");
    return editor ? editor.getContent() : document.getElementById("bulk-email-message").value;
  }

  function say(text, kind) {
    status.textContent = text;
    status.className = "alert mt-3 mb-0 alert-" + (kind || "info");
    status.hidden = false;
  }

  function postJson(url, body, method) {
    return window.kampusFetch(url, {method: method || "POST", headers: {"Content-Type": "application/json"},
                                    body: body ? JSON.stringify(body) : undefined})
      .then(function (r) { return r.json().then(function (data) { return {ok: r.ok, data: data}; }); });
  }

  function cell(row, text, cls) {
    var td = document.createElement("td");
    td.textContent = text;
    if (cls) { td.className = cls; }
    row.appendChild(td);
    return td;
  }

  function showHistory(emails) {
    history.textContent = "";
    if (!emails.length) {
      var empty = document.createElement("tr");
      cell(empty, label("none"), "text-body-secondary").colSpan = 10;
      history.appendChild(empty);
    }
    emails.forEach(function (email) {
      var row = document.createElement("tr");
      row.setAttribute("data-email-id", email.id);
      cell(row, email.subject);
      cell(row, email.requester);
      cell(row, email.sent_to.join(", "));
      cell(row, email.created.slice(0, 16).replace("T", " ") + " UTC");
      cell(row, email.status + (email.send_at ? " (" + email.send_at.slice(0, 16).replace("T", " ") + " UTC)" : ""));
      ["sent", "failed", "skipped", "pending"].forEach(function (k) {
        var td = cell(row, String(email[k]), "text-end");
        if (k === "failed" && email.failed > 0) {  // the list of who it was not delivered to
          var link = document.createElement("a");
          link.href = root.getAttribute("data-failures-url").replace(/\/0\/failures$/, "/" + email.id + "/failures");
          link.title = label("failures");
          link.textContent = td.textContent;
          td.textContent = "";
          td.appendChild(link);
        }
      });
      var actions = cell(row, "");
      if (email.status === "scheduled") {
        var button = document.createElement("button");
        button.type = "button";
        button.className = "btn btn-sm btn-outline-danger";
        button.textContent = label("cancel");
        button.addEventListener("click", function () {
          postJson(root.getAttribute("data-cancel-url").replace(/0$/, email.id), null, "DELETE").then(refresh);
        });
        actions.appendChild(button);
      }
      history.appendChild(row);
    });
  }

  var timer = null;
  function refresh() {
    return postJson(root.getAttribute("data-history-url"), {}).then(function (answer) {
      if (!answer.ok) { return; }
      showHistory(answer.data.emails);
      var busy = answer.data.emails.some(function (e) { return e.status === "queued" || e.status === "sending"; });
      if (timer) { clearTimeout(timer); timer = null; }
      if (busy) { timer = setTimeout(refresh, 1500); }
    });
  }

  form.querySelectorAll("input[name=when]").forEach(function (radio) {
    radio.addEventListener("change", function () { schedule.hidden = form.elements.when.value !== "later"; });
  });

  document.getElementById("bulk-email-preview").addEventListener("click", function () {
    postJson(root.getAttribute("data-preview-url"), {message: message()}).then(function (answer) {
      if (!answer.ok) { say(answer.data.user_message || label("failed"), "danger"); return; }
      document.getElementById("bulk-email-preview-frame").srcdoc = answer.data.html;
      document.getElementById("bulk-email-preview-box").hidden = false;
    });
  });

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var targets = Array.prototype.map.call(form.querySelectorAll("input[name=send_to]:checked"), function (b) { return b.value; });
    var body = {send_to: targets, subject: document.getElementById("bulk-email-subject").value, message: message()};
    if (form.elements.when.value === "later") {
      if (!schedule.value) { say(label("failed"), "danger"); return; }
      body.schedule = new Date(schedule.value).toISOString();
    }
    if (!window.confirm(label("confirm"))) { return; }
    var send = document.getElementById("bulk-email-send");
    send.disabled = true;
    postJson(root.getAttribute("data-send-url"), body).then(function (answer) {
      send.disabled = false;
      if (!answer.ok) { say(answer.data.user_message || label("failed"), "danger"); return; }
      say(answer.data.status === "scheduled" ? label("scheduled") : label("sent"), "success");
      refresh();
    }, function () { send.disabled = false; say(label("failed"), "danger"); });
  });

  refresh();
}());
