/* Course pages' browser events (Open edX's), and the bookmark toggle without a reload. The one script that
 * posts browser events for the LMS's course pages: the unit page and the course outline load it.
 *
 * Events go to the kernel's POST /event (Open edX's track.views.user_track) as the browser sends
 * them in Open edX. Inside the courseware (`.lms-courseware`): a unit tab sends `seq_goto`;
 * previous/next inside a subsection `seq_prev` / `seq_next`, and across a subsection boundary
 * `edx.ui.lms.sequence.previous_selected` / `edx.ui.lms.sequence.next_selected`; any other link
 * `edx.ui.lms.link_clicked`. Anywhere a page marks it: a link with `data-outline-link` (a breadcrumb,
 * or the course outline's links with `data-outline-link="accordion"`) sends `edx.ui.lms.outline.selected`;
 * the course home's resume button (`data-resume-course="resume|start"`, inside an element holding
 * `data-course-id` and `data-org`) `edx.course.home.resume_course.clicked`. Links work without this
 * script (it only reports). */
(function () {
  "use strict";

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  function track(eventType, data) {
    var body = new URLSearchParams();
    body.set("event_type", eventType);
    body.set("event", JSON.stringify(data));
    body.set("page", window.location.href);
    try {
      window.fetch("/event", {
        method: "POST", body: body, keepalive: true, credentials: "same-origin",
        headers: { "X-CSRFToken": csrfToken() }
      })["catch"](function () {});
    } catch (error) { /* an event is never worth breaking a link */ }
  }

  function sequenceOf(element) {
    var nav = element.closest("[data-sequence-id]") || document.querySelector("[data-sequence-id]");
    return {
      id: nav.getAttribute("data-sequence-id"),
      current: parseInt(nav.getAttribute("data-current-tab"), 10),
      count: parseInt(nav.getAttribute("data-tab-count"), 10),
      placement: nav.getAttribute("data-widget-placement") || "top"
    };
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("a[href]") : null;
    if (!link) { return; }
    var courseware = link.closest(".lms-courseware");
    var seq;
    if (link.hasAttribute("data-outline-link")) {
      track("edx.ui.lms.outline.selected", {
        current_url: window.location.href, target_url: link.href,
        target_name: link.textContent.trim(), widget_placement: link.getAttribute("data-outline-link") || "breadcrumb"
      });
    } else if (link.hasAttribute("data-resume-course")) {
      var course = link.closest("[data-course-id]");
      track("edx.course.home.resume_course.clicked", {
        url: link.href, event_type: link.getAttribute("data-resume-course") || "resume",
        org_key: course ? course.getAttribute("data-org") : "",
        courserun_key: course ? course.getAttribute("data-course-id") : ""
      });
    } else if (!courseware) {
      return;
    } else if (link.hasAttribute("data-seq-tab")) {
      seq = sequenceOf(link);
      var target = parseInt(link.getAttribute("data-seq-tab"), 10);
      track("seq_goto", {
        old: seq.current, "new": target, current_tab: seq.current, target_tab: target,
        tab_count: seq.count, id: seq.id, widget_placement: seq.placement
      });
    } else if (link.hasAttribute("data-seq-nav")) {
      seq = sequenceOf(link);
      var next = link.getAttribute("data-seq-nav") === "next";
      var data = { current_tab: seq.current, tab_count: seq.count, id: seq.id, widget_placement: seq.placement };
      if (link.getAttribute("data-crosses") === "true") {
        track(next ? "edx.ui.lms.sequence.next_selected" : "edx.ui.lms.sequence.previous_selected", data);
      } else {
        data.old = seq.current;
        data["new"] = seq.current + (next ? 1 : -1);
        track(next ? "seq_next" : "seq_prev", data);
      }
    } else if ((link.getAttribute("href") || "").charAt(0) !== "#") {
      track("edx.ui.lms.link_clicked", { current_url: window.location.href, target_url: link.href });
    }
  });

  /* The bookmark toggle: the form posts without a reload and the button follows. */
  document.querySelectorAll("[data-bookmark-form]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var button = form.querySelector("button");
      var action = form.querySelector('input[name="action"]');
      button.disabled = true;
      window.fetch(form.getAttribute("action"), {  // not form.action: the field named "action" hides it
        method: "POST", body: new URLSearchParams(new FormData(form)), credentials: "same-origin",
        headers: { "Accept": "application/json", "X-CSRFToken": csrfToken() }
      }).then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.json();
      }).then(function (result) {
        var on = Boolean(result.bookmarked);
        action.value = on ? "remove" : "add";
        button.setAttribute("aria-pressed", on ? "true" : "false");
        form.querySelector("[data-bookmark-label]").textContent =
          button.getAttribute(on ? "data-label-remove" : "data-label-add");
        form.querySelector('[data-bookmark-icon="on"]').hidden = !on;
        form.querySelector('[data-bookmark-icon="off"]').hidden = on;
      })["catch"](function () {
        form.submit();  /* fall back to the plain form */
      }).then(function () { button.disabled = false; });
    });
  });
}());
