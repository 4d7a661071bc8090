/* The notifications page: mark read without reloading, through Open edX's notifications API
   (PATCH /api/notifications/read/). The forms work without this script. */
(function () {
  "use strict";
  var badge = document.querySelector("[data-notifications-unread]");
  var readAll = document.getElementById("notifications-read-all");

  function patchRead(body) {
    return window.kampusFetch("/api/notifications/read/", {
      method: "PATCH",
      headers: {"Content-Type": "application/json"},
      body: JSON.stringify(body),
      keepalive: true
    }).then(function (response) {
      if (!response.ok) { throw new Error("HTTP " + response.status); }
      return response.json();
    });
  }

  function refreshCount() {
    // the page's badge counts unread notifications (the API's count/ is of unseen ones: the list was seen)
    window.kampusFetch("/api/notifications/?unread=true&page_size=1").then(function (response) {
      return response.ok ? response.json() : null;
    }).then(function (answer) {
      if (!answer || !badge) { return; }
      badge.textContent = String(answer.count);
      badge.hidden = answer.count === 0;
      if (readAll) { readAll.disabled = answer.count === 0; }
    }).catch(function () { /* the count stays as the page showed it */ });
  }

  function markShownRead(item) {
    item.removeAttribute("data-unread");
    item.classList.remove("list-group-item-light", "fw-semibold");
    var form = item.querySelector("[data-notification-read]");
    if (form) { form.remove(); }
  }

  document.querySelectorAll("[data-notification-id]").forEach(function (item) {
    var id = parseInt(item.getAttribute("data-notification-id"), 10);
    var form = item.querySelector("[data-notification-read]");
    if (form) {
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        patchRead({notification_id: id}).then(function () {
          markShownRead(item);
          refreshCount();
        }).catch(function () { form.submit(); });
      });
    }
    var link = item.querySelector("[data-notification-open]");
    if (link) {
      link.addEventListener("click", function (event) {
        if (!item.hasAttribute("data-unread")) { return; }
        if (event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) {
          patchRead({notification_id: id}).catch(function () {});  // another tab: this page stays
          return;
        }
        // the thread's page counts the bell again: it opens once the notification is marked read (or after
        // a second and a half, when the server is slow to answer)
        event.preventDefault();
        var opened = false;
        var open = function () { if (!opened) { opened = true; window.location.assign(link.href); } };
        patchRead({notification_id: id}).then(open, open);
        window.setTimeout(open, 1500);
      });
    }
  });

  var allForm = document.querySelector("[data-notifications-read-all]");
  if (allForm) {
    allForm.addEventListener("submit", function (event) {
      event.preventDefault();
      patchRead({app_name: "discussion"}).then(function () {
        document.querySelectorAll("[data-notification-id][data-unread]").forEach(markShownRead);
        refreshCount();
      }).catch(function () { allForm.submit(); });
    });
  }
})();
