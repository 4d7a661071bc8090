/* The forums' moderator pages: the reported-content queue, the moderation log and the banned learners, from
 * the discussion REST API (/api/discussion/v1/moderation/flagged/, audit-log/ and banned-users/; clearing
 * reports and deleting go through the threads and comments endpoints, as Open edX's MFE does; ban and mute
 * through moderation/ban-user/ and mute-user/, unban through moderation/<id>/unban/).
 *
 * The root element (`data-moderation-page` "flagged", "audit" or "banned") says which; its strings come translated from
 * the page's JSON block. Everything users wrote (the queue gives bodies as typed) is set with textContent. No inline handlers (the page's Content-Security-Policy).
 */
(function () {
  "use strict";

  var PAGE_SIZE = 20;

  var shared = window.KampusForums;
  var el = shared.el;
  var clear = shared.clear;
  var ApiError = shared.ApiError;
  var call = shared.request;

  function Moderation(root) {
    var data = root.dataset;
    this.root = root;
    this.page = data.moderationPage;
    this.courseId = data.courseId;
    this.apiRoot = data.apiRoot || "/api/discussion/";
    this.forumUrl = data.forumUrl || "";
    this.moderator = data.moderator === "true";
    var block = root.parentNode.querySelector("script.kampus-forum-strings");
    try { this.strings = block ? JSON.parse(block.textContent) : {}; } catch (error) { this.strings = {}; }
    this.pageNumber = 1;
    this.filter = "";
  }

  function t(self, key, params) {
    var text = Object.prototype.hasOwnProperty.call(self.strings, key) ? self.strings[key] : key;
    Object.keys(params || {}).forEach(function (name) { text = text.split("{" + name + "}").join(String(params[name])); });
    return text;
  }

  Moderation.prototype.t = function (key, params) { return t(this, key, params); };

  Moderation.prototype.date = function (iso) {
    if (!iso) { return ""; }
    var when = new Date(iso);
    if (isNaN(when.getTime())) { return iso; }
    return when.toLocaleString(document.documentElement.lang || undefined, {dateStyle: "medium", timeStyle: "short"});
  };

  Moderation.prototype.errorText = function (error) {
    if (!(error instanceof ApiError)) { return this.t("error_network"); }
    var body = error.body || {};
    var parts = [];
    if (body.developer_message) { parts.push(String(body.developer_message)); }
    if (body.field_errors) {
      Object.keys(body.field_errors).forEach(function (name) {
        parts.push(name + ": " + ((body.field_errors[name] || {}).developer_message || ""));
      });
    }
    if (body.error) { parts.push(typeof body.error === "string" ? body.error : (body.error.message || "")); }
    if (body.detail) { parts.push(String(body.detail)); }
    return parts.filter(Boolean).join(" ") || this.t("error_generic");
  };

  Moderation.prototype.start = function () {
    clear(this.root);
    this.root.classList.add("tex2jax_ignore");  // what users wrote shows as typed, never typeset
    this.alert = el("div", {className: "alert alert-danger", attrs: {role: "alert"}, hidden: true});
    this.status = el("p", {className: "visually-hidden", attrs: {"aria-live": "polite"}});
    this.body = el("div", {className: "moderation-body"});
    this.pager = el("nav", {className: "d-flex align-items-center gap-2 mt-2", attrs: {"aria-label": this.t("pagination")}});
    this.root.appendChild(this.alert);
    this.root.appendChild(this.status);
    this.root.appendChild(this.body);
    this.root.appendChild(this.pager);
    this.load();
  };

  Moderation.prototype.fail = function (error, where) {
    var target = where || this.alert;
    target.textContent = this.errorText(error);
    target.hidden = false;
  };

  Moderation.prototype.load = function () {
    var self = this;
    this.alert.hidden = true;
    clear(this.body).appendChild(el("p", {className: "text-body-secondary", text: this.t("loading")}));
    if (this.page === "banned") {
      return call("GET", this.apiRoot + "v1/moderation/banned-users/", {course_id: this.courseId}).then(function (answer) {
        clear(self.body);
        self.renderBanned((answer && answer.results) || []);
        self.status.textContent = self.t("count", {count: (answer && answer.count) || 0});
      }).catch(function (error) { clear(self.body); self.fail(error); });
    }
    var path = this.page === "audit" ? "v1/moderation/audit-log/" : "v1/moderation/flagged/";
    var params = {course_id: this.courseId, page: this.pageNumber, page_size: PAGE_SIZE};
    if (this.page === "audit" && this.filter) { params.action = this.filter; }
    return call("GET", this.apiRoot + path, params).then(function (answer) {
      clear(self.body);
      var results = (answer && answer.results) || [];
      if (self.page === "audit") { self.renderAudit(results); } else { self.renderFlagged(results); }
      self.renderPager((answer && answer.pagination) || {});
    }).catch(function (error) {
      clear(self.body);
      if (error instanceof ApiError && error.status === 404 && self.pageNumber > 1) {
        self.pageNumber = 1;
        self.load();
        return;
      }
      self.fail(error);
    });
  };

  Moderation.prototype.renderPager = function (pagination) {
    var self = this;
    clear(this.pager);
    var pages = pagination.num_pages || 1;
    this.status.textContent = this.t("count", {count: pagination.count || 0});
    if (pages <= 1) { return; }
    this.pager.appendChild(el("button", {className: "btn btn-sm btn-outline-secondary", text: this.t("previous"),
      attrs: {type: "button", disabled: !pagination.previous},
      on: {click: function () { self.pageNumber -= 1; self.load(); }}}));
    this.pager.appendChild(el("span", {className: "small text-body-secondary",
      text: this.t("page_of", {page: this.pageNumber, pages: pages})}));
    this.pager.appendChild(el("button", {className: "btn btn-sm btn-outline-secondary", text: this.t("next"),
      attrs: {type: "button", disabled: !pagination.next},
      on: {click: function () { self.pageNumber += 1; self.load(); }}}));
  };

  /* ---- reported content ------------------------------------------------------------------------------- */

  Moderation.prototype.kindOf = function (item) {
    return String(item.content_type || "").toLowerCase() === "thread" ? "thread" : "comment";
  };

  Moderation.prototype.threadLink = function (item) {
    var threadId = item.thread_id || item.id;
    if (!threadId) { return null; }
    return this.forumUrl + encodeURIComponent(item.topic_id || "general") + "/threads/" +
      encodeURIComponent(threadId);
  };

  Moderation.prototype.renderFlagged = function (items) {
    var self = this;
    if (!items.length) {
      this.body.appendChild(el("p", {className: "text-body-secondary moderation-empty", text: this.t("no_flagged")}));
      return;
    }
    var list = el("div", {className: "list-group moderation-flagged"});
    items.forEach(function (item) { list.appendChild(self.flaggedItem(item)); });
    this.body.appendChild(list);
  };

  Moderation.prototype.flaggedItem = function (item) {
    var self = this;
    var kind = this.kindOf(item);
    var node = el("div", {className: "list-group-item moderation-item", attrs: {"data-content-id": item.id,
      "data-content-kind": kind}});
    var kindLabel = kind === "thread" ? this.t("kind_post") : (item.parent_id ? this.t("kind_comment") : this.t("kind_response"));
    var header = el("div", {className: "d-flex flex-wrap gap-2 align-items-center small text-body-secondary mb-1"},
      el("span", {className: "badge text-bg-light border", text: kindLabel}),
      el("span", {className: "fw-semibold text-body moderation-author", text: item.author_username || this.t("anonymous")}),
      el("span", {}, this.t("posted_at", {when: this.date(item.created_at)})),
      el("span", {className: "badge text-bg-danger moderation-flag-count", text: this.t("reports", {count: item.abuse_flag_count || 0})}));
    if (item.historical_abuse_flag_count) {
      header.appendChild(el("span", {className: "badge text-bg-light border",
        text: this.t("cleared_reports", {count: item.historical_abuse_flag_count})}));
    }
    if (item.last_flagged_at) { header.appendChild(el("span", {}, this.t("last_reported", {when: this.date(item.last_flagged_at)}))); }
    node.appendChild(header);
    node.appendChild(el("div", {className: "fw-semibold mb-1 text-break moderation-title",
      text: kind === "thread" ? item.title : this.t("in_thread", {title: item.title || ""})}));
    // the author's Markdown as typed (shown as text, never as HTML)
    node.appendChild(el("div", {className: "small border-start ps-2 mb-2 text-break moderation-text", text: item.raw_body || ""}));
    var errors = el("div", {className: "text-danger small", attrs: {role: "alert"}, hidden: true});
    var actions = el("div", {className: "d-flex flex-wrap gap-1"});
    var link = this.threadLink(item);
    if (link) {
      actions.appendChild(el("a", {className: "btn btn-sm btn-outline-secondary", attrs: {href: link},
        text: this.t("view_in_context")}));
    }
    var path = this.apiRoot + (kind === "thread" ? "v1/threads/" : "v1/comments/") + encodeURIComponent(item.id) + "/";
    actions.appendChild(el("button", {className: "btn btn-sm btn-outline-success", attrs: {type: "button",
      "data-action": "clear"}, text: this.t("clear_flags"), on: {click: function () {
      call("PATCH", path, null, {abuse_flagged: false}, "application/merge-patch+json").then(function () {
        node.remove();
        self.status.textContent = self.t("flags_cleared");
      }).catch(function (error) { self.fail(error, errors); });
    }}}));
    actions.appendChild(el("button", {className: "btn btn-sm btn-outline-danger", attrs: {type: "button",
      "data-action": "delete"}, text: this.t("delete"), on: {click: function () {
      self.reasonForm(node, "delete_reason", "confirm_delete", function (reason) {
        return call("DELETE", path, reason ? {reason: reason} : null).then(function () {
          node.remove();
          self.status.textContent = self.t("deleted");
        });
      });
    }}}));
    if (this.moderator && item.author_username) {
      ["ban", "mute"].forEach(function (kindOfRestriction) {
        actions.appendChild(el("button", {className: "btn btn-sm btn-outline-dark", attrs: {type: "button",
          "data-action": kindOfRestriction}, text: self.t(kindOfRestriction + "_author"), on: {click: function () {
          self.reasonForm(node, kindOfRestriction + "_reason", "confirm_" + kindOfRestriction, function (reason) {
            return call("POST", self.apiRoot + "v1/moderation/" + kindOfRestriction + "-user/", null, {
              username: item.author_username, course_id: self.courseId, scope: "course", reason: reason
            }).then(function () {
              self.status.textContent = self.t(kindOfRestriction + "_done", {user: item.author_username});
              errors.className = "text-success small";
              errors.textContent = self.t(kindOfRestriction + "_done", {user: item.author_username});
              errors.hidden = false;
            });
          });
        }}}));
      });
    }
    node.appendChild(actions);
    node.appendChild(errors);
    return node;
  };

  Moderation.prototype.reasonForm = function (node, labelKey, confirmKey, action) {
    var self = this;
    var existing = node.querySelector(".moderation-reason");
    if (existing) { existing.remove(); }
    var id = "moderation-reason-" + Math.random().toString(36).slice(2);
    var input = el("input", {className: "form-control form-control-sm", attrs: {id: id, type: "text", maxlength: "500"}});
    var errors = el("div", {className: "text-danger small", attrs: {role: "alert"}, hidden: true});
    var form = el("form", {className: "moderation-reason border rounded p-2 mt-2"},
      el("label", {className: "form-label small mb-1", attrs: {"for": id}, text: this.t(labelKey)}), input,
      el("div", {className: "d-flex gap-2 mt-2"},
        el("button", {className: "btn btn-sm btn-danger", attrs: {type: "submit"}, text: this.t(confirmKey)}),
        el("button", {className: "btn btn-sm btn-outline-secondary", attrs: {type: "button"}, text: this.t("cancel"),
          on: {click: function () { form.remove(); }}})), errors);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      action(input.value.trim()).then(function () { form.remove(); }).catch(function (error) { self.fail(error, errors); });
    });
    node.appendChild(form);
    input.focus();
  };

  /* ---- banned learners ------------------------------------------------------------------------------- */

  Moderation.prototype.renderBanned = function (bans) {
    var self = this;
    if (!bans.length) {
      this.body.appendChild(el("p", {className: "text-body-secondary moderation-empty", text: this.t("no_banned")}));
      return;
    }
    var list = el("div", {className: "list-group moderation-banned"});
    bans.forEach(function (ban) {
      var node = el("div", {className: "list-group-item moderation-ban", attrs: {"data-ban-id": ban.id}});
      node.appendChild(el("div", {className: "d-flex flex-wrap gap-2 align-items-center small text-body-secondary mb-1"},
        el("span", {className: "fw-semibold text-body moderation-banned-user", text: ban.username}),
        el("span", {className: "badge text-bg-light border", text: ban.scope === "organization"
          ? self.t("scope_organization", {org: ban.organization || ""}) : self.t("scope_course")}),
        el("span", {}, self.t("banned_at", {when: self.date(ban.banned_at), user: ban.banned_by_username || ""}))));
      if (ban.reason) { node.appendChild(el("div", {className: "small text-break", text: ban.reason})); }
      var errors = el("div", {className: "text-danger small", attrs: {role: "alert"}, hidden: true});
      node.appendChild(el("div", {className: "d-flex gap-1 mt-1"},
        el("button", {className: "btn btn-sm btn-outline-success", attrs: {type: "button", "data-action": "unban"},
          text: self.t("unban"), on: {click: function () {
            self.reasonForm(node, "unban_reason", "confirm_unban", function (reason) {
              if (!reason) { return Promise.reject(new ApiError(400, {error: self.t("unban_reason")})); }
              var body = {reason: reason};
              if (ban.scope === "organization") { body.course_id = self.courseId; }  // lifted in this course only
              return call("POST", self.apiRoot + "v1/moderation/" + encodeURIComponent(ban.id) + "/unban/", null, body)
                .then(function () {
                  node.remove();
                  self.status.textContent = self.t("unbanned", {user: ban.username});
                  if (!list.children.length) { self.load(); }
                });
            });
          }}})));
      node.appendChild(errors);
      list.appendChild(node);
    });
    this.body.appendChild(list);
  };

  /* ---- audit log -------------------------------------------------------------------------------------- */

  Moderation.prototype.label = function (prefix, code, params) {
    var key = prefix + ":" + code;
    return Object.prototype.hasOwnProperty.call(this.strings, key) ? this.t(key, params) : code;
  };

  /* The action filter above the log: every action the page names a label for. */
  Moderation.prototype.auditFilter = function () {
    var self = this;
    if (this.filterBox) { return this.filterBox; }
    var id = "moderation-action-filter";
    var select = el("select", {className: "form-select form-select-sm w-auto", attrs: {id: id}},
      el("option", {attrs: {value: ""}, text: this.t("all_actions")}));
    Object.keys(this.strings).filter(function (key) { return key.indexOf("action:") === 0; }).forEach(function (key) {
      select.appendChild(el("option", {attrs: {value: key.slice(7)}, text: self.strings[key]}));
    });
    select.addEventListener("change", function () {
      self.filter = select.value;
      self.pageNumber = 1;
      self.load();
    });
    this.filterBox = el("div", {className: "d-flex align-items-center gap-2 mb-2 moderation-filter"},
      el("label", {className: "form-label small mb-0", attrs: {"for": id}, text: this.t("filter_action")}), select);
    this.root.insertBefore(this.filterBox, this.body);
    return this.filterBox;
  };

  Moderation.prototype.renderAudit = function (entries) {
    var self = this;
    this.auditFilter();
    if (!entries.length) {
      this.body.appendChild(el("p", {className: "text-body-secondary moderation-empty", text: this.t("no_entries")}));
      return;
    }
    var table = el("table", {className: "table table-sm table-striped forum-moderation-table moderation-audit"});
    var head = el("tr", {});
    ["col_when", "col_moderator", "col_action", "col_target", "col_user", "col_reason"].forEach(function (key) {
      head.appendChild(el("th", {attrs: {scope: "col"}, text: self.t(key)}));
    });
    table.appendChild(el("thead", {}, head));
    var body = el("tbody", {});
    entries.forEach(function (entry) {
      var target = entry.target_type ? self.label("target", entry.target_type, {id: entry.target_id || ""}) : "";
      var targetCell = el("td", {});
      if (entry.target_type === "thread" && entry.target_id) {
        // the server redirects a thread's id to its permalink in its own topic
        targetCell.appendChild(el("a", {attrs: {href: self.forumUrl + "threads/" + encodeURIComponent(entry.target_id)},
          text: target}));
      } else {
        targetCell.textContent = target;
      }
      body.appendChild(el("tr", {attrs: {"data-entry-id": entry.id, "data-action": entry.action || ""}},
        el("td", {className: "text-nowrap"}, el("time", {attrs: {datetime: entry.created || ""}, text: self.date(entry.created)})),
        el("td", {text: entry.moderator_username || ""}),
        el("td", {className: "moderation-action", text: self.label("action", entry.action || "")}),
        targetCell,
        el("td", {text: entry.target_username || ""}),
        el("td", {className: "text-break", text: entry.reason || ""})));
    });
    table.appendChild(body);
    this.body.appendChild(el("div", {className: "table-responsive"}, table));
  };

  function startAll() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-moderation-page]"), function (root) {
      new Moderation(root).start();
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", startAll);
  } else {
    startAll();
  }
}());
