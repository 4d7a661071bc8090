// The membership, cohorts and certificates sections: every <form data-api="..."> is sent to the
// instructor API it names (JSON, or multipart when it holds a file), with the page's CSRF token, and
// its answer is shown in the form's result area (data-render picks how). Forms marked data-reload
// reload the page after success, keeping the message. The page's translated words come from the
// JSON script #instructor-strings.
(function () {
  "use strict";
  const csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";
  const stringsNode = document.getElementById("instructor-strings");
  const T = stringsNode ? JSON.parse(stringsNode.textContent) : {};
  const FLASH = "kampus-instructor-flash";

  function t(key) { return T[key] || key; }

  function payload(form, submitter) {
    if (form.querySelector('input[type="file"]')) {
      const data = new FormData(form);
      if (submitter && submitter.name) { data.set(submitter.name, submitter.value); }
      return { body: data, headers: {} };
    }
    const values = {};
    for (const element of form.elements) {
      if (!element.name || element.disabled || element.type === "submit" || element.type === "button") { continue; }
      if (element.type === "checkbox") { values[element.name] = element.checked; }
      else if (element.type === "radio") { if (element.checked) { values[element.name] = element.value; } }
      else { values[element.name] = element.value; }
    }
    if (submitter && submitter.name) { values[submitter.name] = submitter.value; }
    return { body: JSON.stringify(values), headers: { "Content-Type": "application/json" } };
  }

  function item(text, cls) {
    const li = document.createElement("li");
    li.textContent = text;
    if (cls) { li.className = cls; }
    return li;
  }

  function list(items) {
    const ul = document.createElement("ul");
    ul.className = "list-unstyled mb-0";
    items.forEach((node) => ul.appendChild(node));
    return ul;
  }

  function mailNote(result) {
    return result.emailFailed ? " (" + t("email_failed") + ")" : "";
  }

  function enrollmentState(result) {
    if (result.invalidIdentifier) { return [t("invalid"), "text-danger"]; }
    if (result.error) { return [t("error"), "text-danger"]; }
    if (result.after.enrollment) { return [t("enrolled"), "text-success"]; }
    if (result.after.allowed) {
      return [result.after.auto_enroll ? t("allowed_auto") : t("allowed"), "text-success"];
    }
    return [t("not_enrolled"), ""];
  }

  const RENDER = {
    message(data) { return document.createTextNode(data && data.message ? data.message : t("done")); },
    enrollment(data) {
      return list(data.results.map((result) => {
        const [state, cls] = enrollmentState(result);
        return item(result.identifier + ": " + state + mailNote(result), cls);
      }));
    },
    beta(data) {
      return list(data.results.map((result) => {
        if (result.userDoesNotExist) { return item(result.identifier + ": " + t("no_user"), "text-danger"); }
        if (result.error) { return item(result.identifier + ": " + t("error"), "text-danger"); }
        return item(result.identifier + ": " + (data.action === "add" ? t("beta_added") : t("beta_removed")) +
          mailNote(result), "text-success");
      }));
    },
    access(data) {
      if (data.userDoesNotExist) { return document.createTextNode(t("no_user")); }
      if (data.inactiveUser) { return document.createTextNode(t("inactive")); }
      if (data.removingSelfAsInstructor) { return document.createTextNode(t("self_admin")); }
      return document.createTextNode(t("done"));
    },
    cohort_add(data) {
      const nodes = [];
      data.added.forEach((user) => nodes.push(item(user.username + ": " + t("added"), "text-success")));
      data.changed.forEach((user) => nodes.push(item(user.username + ": " + t("moved") + " " + user.previous_cohort,
        "text-success")));
      data.present.forEach((name) => nodes.push(item(name + ": " + t("present"), "")));
      (data.preassigned || []).forEach((name) => nodes.push(item(name + ": " + t("preassigned"), "text-success")));
      data.unknown.concat(data.invalid).forEach((name) => nodes.push(item(name + ": " + t("no_user"), "text-danger")));
      return list(nodes);
    },
    csv(data) {
      if (data.success) { return document.createTextNode(t("assigned") + " " + data.assigned); }
      return list(data.errors.map((error) => item(t("row") + " " + error.row + ": " + error.message, "text-danger")));
    },
  };

  function errorNode(data, status) {
    if (data && Array.isArray(data.errors) && data.errors.length) { return RENDER.csv(data); }
    const message = data && (data.user_message || data.developer_message);
    return document.createTextNode(message || (t("failed") + " (" + status + ")"));
  }

  function show(out, node, ok) {
    if (!out) { return; }
    out.replaceChildren(node);
    out.classList.remove("d-none", "alert-success", "alert-danger");
    out.classList.add(ok ? "alert-success" : "alert-danger");
  }

  async function send(form, submitter) {
    const out = form.querySelector(".instructor-result");
    const url = (submitter && submitter.dataset.api) || form.dataset.api;
    const method = (submitter && submitter.dataset.method) || form.dataset.method || "POST";
    if (submitter && submitter.dataset.confirm && !window.confirm(submitter.dataset.confirm)) { return; }
    const sent = payload(form, submitter);
    const buttons = form.querySelectorAll("button");
    buttons.forEach((button) => { button.disabled = true; });
    try {
      const response = await fetch(url, {
        method: method, credentials: "same-origin", body: method === "GET" ? undefined : sent.body,
        headers: Object.assign({ "X-CSRFToken": csrf, Accept: "application/json" }, sent.headers),
      });
      let data = null;
      if (response.status !== 204) { try { data = await response.json(); } catch (ignored) { data = null; } }
      if (!response.ok) { show(out, errorNode(data, response.status), false); return; }
      const node = (RENDER[form.dataset.render] || RENDER.message)(data || {}, form);
      const refused = data && (data.userDoesNotExist || data.inactiveUser || data.removingSelfAsInstructor);
      if (form.dataset.reload !== undefined && !refused) {
        const lines = node.querySelectorAll ? Array.from(node.querySelectorAll("li"), (li) => li.textContent) : [];
        sessionStorage.setItem(FLASH, lines.length ? lines.join("; ") : node.textContent);
        window.location.reload();
        return;
      }
      show(out, node, !refused);
    } catch (error) {
      show(out, document.createTextNode(t("failed")), false);
    } finally {
      buttons.forEach((button) => { button.disabled = false; });
    }
  }

  document.addEventListener("submit", (event) => {
    const form = event.target.closest("form[data-api]");
    if (!form) { return; }
    event.preventDefault();
    send(form, event.submitter);
  });

  const flash = sessionStorage.getItem(FLASH);
  const flashNode = document.getElementById("instructor-flash");
  if (flash !== null && flashNode) {
    sessionStorage.removeItem(FLASH);
    show(flashNode, document.createTextNode(flash || t("done")), true);
  }
}());
