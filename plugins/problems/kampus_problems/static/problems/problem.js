/* The problem block in the browser: Submit, Save, Reset, Show answer and Hint without reloading the page.
 *
 * Each action POSTs the form (FormData: input_<id>, input_<id>[] for checkboxes, input_<id>{} for JSON
 * dicts) to the block's handler with the X-CSRFToken header, then puts the returned HTML in place and
 * announces the result in the problem's live region (role=status). Errors go to the role=alert region.
 *
 * The marks beside an input (correct, incorrect, its feedback) describe the answer that was submitted: as in
 * Open edX (bindResetCorrectness), they are cleared as soon as the learner changes that input, and when the
 * server refuses a submission (empty or malformed) the marks of every input changed since the page showed the
 * stored state are cleared too, so a "correct" mark never stands beside an answer that was not graded.
 */
(function () {
  "use strict";

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  function text(s) { return window.gettext ? window.gettext(s) : s; }

  function KampusProblem(runtime, element) {
    if (element && element.jquery) { element = element[0]; }
    var root = element.querySelector(".kampus-problem");
    if (!root) { return; }
    var contents = root.querySelector(".kampus-problem-contents");
    var live = root.querySelector(".kampus-problem-live");
    var alertBox = root.querySelector(".kampus-problem-alert");
    var progress = root.querySelector(".kampus-problem-progress");
    var busy = false;
    var snapshot = {};  // values of the inputs as last rendered from the stored state

    function announce(message) {
      live.textContent = "";
      window.setTimeout(function () { live.textContent = message || ""; }, 30);
    }

    function showError(message) {
      alertBox.innerHTML = "";
      if (!message) { return; }
      var div = document.createElement("div");
      div.className = "alert alert-danger kampus-problem-error";
      div.textContent = message;
      alertBox.appendChild(div);
    }

    function typeset() {
      if (window.KampusMath) {  // the content plugin's loader: loads MathJax when the new HTML holds maths
        window.KampusMath.typeset(root);
      } else if (window.MathJax && window.MathJax.typesetPromise) {
        window.MathJax.typesetPromise([root]).catch(function () { /* ignore */ });
      } else if (window.MathJax && window.MathJax.Hub) {
        window.MathJax.Hub.Queue(["Typeset", window.MathJax.Hub, root]);
      }
    }

    function refreshWidgets() {
      if (window.KampusJSInput) { window.KampusJSInput.init(root); }
      Array.prototype.forEach.call(root.querySelectorAll(".kampus-imageinput-image"), function (img) {
        var input = document.getElementById(img.getAttribute("data-input"));
        placeMarker(img, input ? input.value : "");
      });
      typeset();
    }

    function setContents(html) {
      if (typeof html === "string" && html) {
        contents.innerHTML = html;
        refreshWidgets();
        snapshot = valuesByInput();
      }
    }

    /* The current values of each input box, keyed by input id (what the server stored, right after a render). */
    function valuesByInput() {
      var values = {};
      Array.prototype.forEach.call(root.querySelectorAll(".kampus-input[data-input-id]"), function (box) {
        var parts = [];
        Array.prototype.forEach.call(box.querySelectorAll("input, select, textarea"), function (field) {
          if (field.type === "checkbox" || field.type === "radio") {
            parts.push((field.checked ? "1" : "0") + field.value);
          } else if (field.type !== "file") {
            parts.push(field.value);
          }
        });
        values[box.getAttribute("data-input-id")] = JSON.stringify(parts);
      });
      return values;
    }

    var MARKED = /^(status|choice)-(correct|incorrect|partially-correct|incomplete|submitted)$/;

    function dropMarks(element) {
      Array.prototype.slice.call(element.classList).forEach(function (name) {
        if (MARKED.test(name)) { element.classList.remove(name); }
      });
    }

    /* The input no longer shows the answer that was graded: drop its marks and feedback. */
    function resetCorrectness(box) {
      var id = box.getAttribute("data-input-id");
      var status = document.getElementById("status_" + id);
      if (!status || status.getAttribute("data-status") === "unsubmitted" ||
          status.getAttribute("data-status") === "unanswered") { return; }
      dropMarks(box);
      box.classList.add("status-unsubmitted");
      Array.prototype.forEach.call(box.querySelectorAll(".kampus-choice"), dropMarks);
      dropMarks(status);
      status.classList.add("status-unsubmitted");
      status.setAttribute("data-status", "unsubmitted");
      status.textContent = "";
      var hidden = document.createElement("span");
      hidden.className = "visually-hidden";
      hidden.textContent = text("not submitted");
      status.appendChild(hidden);
      var feedback = document.getElementById("feedback_" + id);
      if (feedback) { feedback.parentNode.removeChild(feedback); }
      Array.prototype.forEach.call(box.querySelectorAll("[aria-describedby]"), function (field) {
        var ids = field.getAttribute("aria-describedby").split(/\s+/).filter(function (ref) {
          return ref !== "feedback_" + id;
        });
        field.setAttribute("aria-describedby", ids.join(" "));
      });
    }

    /* After a refused submission: clear the marks of the inputs changed since the stored state was shown. */
    function resetChangedInputs() {
      var now = valuesByInput();
      Object.keys(now).forEach(function (id) {
        if (snapshot[id] !== now[id]) {
          var box = document.getElementById("inputtype_" + id);
          if (box) { resetCorrectness(box); }
        }
      });
    }

    function form() { return contents.querySelector("form.kampus-problem-form"); }

    function packComposite() {
      Array.prototype.forEach.call(root.querySelectorAll(".kampus-input-choicetextgroup"), function (box) {
        var value = {};
        Array.prototype.forEach.call(box.querySelectorAll(".kampus-ct-choice"), function (choice) {
          if (choice.checked) { value[choice.getAttribute("data-key")] = choice.value; }
        });
        Array.prototype.forEach.call(box.querySelectorAll(".kampus-ct-text"), function (field) {
          value[field.getAttribute("data-key")] = field.value;
        });
        box.querySelector(".kampus-ct-value").value = JSON.stringify(value);
      });
      Array.prototype.forEach.call(root.querySelectorAll(".kampus-input-annotationinput"), function (box) {
        var options = [];
        Array.prototype.forEach.call(box.querySelectorAll(".kampus-annotation-option"), function (option) {
          if (option.checked) { options.push(parseInt(option.value, 10)); }
        });
        var comment = box.querySelector(".kampus-annotation-comment");
        box.querySelector(".kampus-annotation-value").value =
          JSON.stringify({ options: options, comment: comment ? comment.value : "" });
      });
    }

    function post(action, body) {
      return window.fetch(runtime.handlerUrl(element, action), {
        method: "POST",
        credentials: "same-origin",
        headers: { "X-CSRFToken": csrfToken(), "Accept": "application/json" },
        body: body
      }).then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (data) {
          if (!response.ok) {
            throw new Error(data.error || data.success || (text("Error") + " " + response.status));
          }
          return data;
        });
      });
    }

    function answers() {
      packComposite();
      var pre = window.KampusJSInput ? window.KampusJSInput.update(root) : Promise.resolve();
      return pre.then(function () { return new FormData(form()); });
    }

    function updateProgress(data) {
      if (progress && typeof data.progress === "string") { progress.textContent = data.progress; }
    }

    function run(action, button) {
      if (busy) { return; }
      busy = true;
      showError("");
      var buttons = root.querySelectorAll(".kampus-problem-actions button");
      Array.prototype.forEach.call(buttons, function (b) { b.setAttribute("aria-disabled", "true"); });
      var body;
      if (action === "problem_check" || action === "problem_save") {
        body = answers();
      } else if (action === "hint_button") {
        var data = new FormData();
        data.append("hint_index", button.getAttribute("data-hint-index") || "0");
        body = Promise.resolve(data);
      } else {
        body = Promise.resolve(new FormData());
      }
      body.then(function (payload) { return post(action, payload); })
        .then(function (data) { handle(action, data, button); })
        .catch(function (err) {
          if (action === "problem_check") { resetChangedInputs(); }
          showError(err.message);
          announce(err.message);
        })
        .then(function () {
          busy = false;
          Array.prototype.forEach.call(root.querySelectorAll(".kampus-problem-actions button"), function (b) {
            b.removeAttribute("aria-disabled");
          });
        });
    }

    function handle(action, data, button) {
      updateProgress(data);
      if (action === "problem_check") {
        if (data.contents) {
          setContents(data.contents);
          pollDelay = 5000;
          watchQueue();
          announce(data.notification || data.success);
          var note = contents.querySelector(".kampus-notification");
          if (note) { note.focus(); }
        } else {
          resetChangedInputs();
          showError(data.success);
          announce(data.success);
        }
      } else if (action === "problem_save") {
        if (data.success) {
          setContents(data.contents || data.html);
          announce(data.msg);
        } else {
          showError(data.msg);
          announce(data.msg);
        }
      } else if (action === "problem_reset") {
        if (data.success) {
          setContents(data.contents || data.html);
          announce(text("The problem was reset."));
          var first = contents.querySelector("input:not([type=hidden]), select, textarea");
          if (first) { first.focus(); }
        } else {
          showError(data.msg);
          announce(data.msg);
        }
      } else if (action === "problem_show") {
        showAnswers(data.answers || {});
        announce(data.notification || text("Answers are displayed within the problem."));
      } else if (action === "hint_button") {
        var box = contents.querySelector(".kampus-hints");
        if (box) {
          box.innerHTML = data.msg || "";
          box.hidden = false;
          var last = box.querySelector("li.hint-index-" + data.hint_index);
          if (last) { last.focus(); announce(last.textContent); }
        }
        button.setAttribute("data-hint-index", String((data.hint_index || 0) + 1));
        if (!data.should_enable_next_hint) { button.disabled = true; }
        typeset();
      }
    }

    function showAnswers(map) {
      Object.keys(map).forEach(function (key) {
        var value = map[key];
        var solution = document.getElementById("solution_" + key);
        if (solution) {
          solution.innerHTML = String(value);
          solution.hidden = false;
          return;
        }
        var box = document.getElementById("inputtype_" + key);
        if (!box) { return; }
        var choices = box.querySelectorAll(".kampus-choice");
        var list = Array.isArray(value) ? value.map(String) : [String(value)];
        if (choices.length) {
          Array.prototype.forEach.call(choices, function (choice) {
            var correct = list.indexOf(choice.getAttribute("data-choice")) !== -1;
            choice.classList.toggle("kampus-choice-correct-answer", correct);
            var badge = choice.querySelector(".kampus-choice-answer");
            if (badge) { badge.hidden = !correct; }
          });
          return;
        }
        var area = document.getElementById("answer_" + key);
        if (area) {
          var shown = typeof value === "string" ? value : JSON.stringify(value);
          area.textContent = text("Answer: ") + shown;
          area.hidden = false;
        }
      });
      typeset();
    }

    function placeMarker(img, value) {
      var marker = img.parentNode.querySelector(".kampus-imageinput-marker");
      var match = /\[\s*(-?\d+(?:\.\d+)?)\s*,\s*(-?\d+(?:\.\d+)?)\s*\]/.exec(value || "");
      if (!marker) { return; }
      if (!match) { marker.hidden = true; return; }
      var scale = img.naturalWidth ? img.clientWidth / img.naturalWidth : 1;
      marker.style.left = (parseFloat(match[1]) * scale) + "px";
      marker.style.top = (parseFloat(match[2]) * scale) + "px";
      marker.hidden = false;
    }

    root.addEventListener("click", function (event) {
      var button = event.target.closest("button[data-action]");
      if (button && root.contains(button)) {
        event.preventDefault();
        if (button.getAttribute("aria-disabled") === "true" || button.disabled) { return; }
        run(button.getAttribute("data-action"), button);
        return;
      }
      var img = event.target.closest(".kampus-imageinput-image");
      if (img) {
        var rect = img.getBoundingClientRect();
        var scale = img.naturalWidth ? img.naturalWidth / rect.width : 1;
        var x = Math.round((event.clientX - rect.left) * scale);
        var y = Math.round((event.clientY - rect.top) * scale);
        var input = document.getElementById(img.getAttribute("data-input"));
        if (input) { input.value = "[" + x + "," + y + "]"; }
        placeMarker(img, "[" + x + "," + y + "]");
      }
    });
    function inputChanged(event) {
      var box = event.target.closest && event.target.closest(".kampus-input[data-input-id]");
      if (box && root.contains(box)) { resetCorrectness(box); }
    }
    root.addEventListener("input", inputChanged);
    root.addEventListener("change", inputChanged);
    root.addEventListener("submit", function (event) {
      event.preventDefault();
      run("problem_check", root.querySelector(".kampus-submit"));
    });
    // An answer queued for an external grader: poll the block's queue_status handler while it waits (5 s,
    // slowing to 30 s; paused while the tab is hidden), update the position in the input's role=status box,
    // and once graded show the grader's feedback and announce it in the polite live region.
    var pollTimer = null;
    var pollDelay = 5000;
    function watchQueue() {
      if (pollTimer !== null || !contents.querySelector(".kampus-queued")) { return; }
      pollTimer = window.setTimeout(pollQueue, pollDelay);
    }
    function pollQueue() {
      pollTimer = null;
      if (!contents.querySelector(".kampus-queued")) { return; }
      if (document.hidden || busy) { pollTimer = window.setTimeout(pollQueue, pollDelay); return; }
      window.fetch(runtime.handlerUrl(element, "queue_status"), {
        credentials: "same-origin", headers: { "Accept": "application/json" }
      }).then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.json();
      }).then(function (data) {
        if (busy) { return; }
        if (data.queued) {
          Object.keys(data.messages || {}).forEach(function (id) {
            var box = document.getElementById("queued_" + id);
            if (box && box.textContent !== data.messages[id]) { box.textContent = data.messages[id]; }
          });
        } else if (typeof data.contents === "string") {
          setContents(data.contents);
          updateProgress(data);
          announce(data.notification || text("Your answer has been graded."));
          return;
        }
      }).catch(function () { /* a failed poll is retried later */ }).then(function () {
        pollDelay = Math.min(pollDelay * 1.5, 30000);
        watchQueue();
      });
    }

    refreshWidgets();
    snapshot = valuesByInput();
    watchQueue();
  }

  window.KampusProblem = KampusProblem;
})();
