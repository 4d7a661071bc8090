/* The forums' browser client: the Discussion tab and the inline discussion of a unit, from Open edX's
 * discussion REST API (/api/discussion/v1/...), as Open edX's discussion MFE.
 *
 * Each element with `data-forum-mode` ("tab" or "inline") is one client. Its `data-*` attributes say what it
 * shows (course id, API root, a topic it is scoped to, a thread to open); its visible strings come translated
 * from the page (`<script type="application/json" class="kampus-forum-strings">`).
 *
 * Safety: the server renders and sanitises posts (`rendered_body`, and the preview endpoint's answer); only
 * those are inserted as HTML. Everything else a user wrote (titles, usernames, topic names) is set with
 * textContent. No inline handlers: the page's Content-Security-Policy allows this file only. Maths in bodies is
 * typeset with the content plugin's loader (`window.KampusMath`); only bodies (`tex2jax_process`): the root is
 * `tex2jax_ignore`, so a title or a name with dollars stays text.
 */
(function () {
  "use strict";

  var PAGE_SIZE = 20;

  /* ---- small DOM helpers ------------------------------------------------------------------------------ */

  var shared = window.KampusForums;
  var el = shared.el;
  var clear = shared.clear;
  var ApiError = shared.ApiError;

  function icon(name) {
    return el("i", {className: "fa fa-" + name, attrs: {"aria-hidden": "true"}});
  }

  /* ---- maths in posts ------------------------------------------------------------------------------- */

  /* Posts are typeset by the page's MathJax (the content plugin's loader, KampusMath), whose Safe extension is
   * made strict there: \href only to http, https or relative addresses; classes, ids and styles to Safe's
   * "safe" lists. */

  /* A server-rendered, sanitised body (rendered_body or a preview), typeset when it holds maths. */
  function setRendered(node, html) {
    node.classList.add("tex2jax_process");  // the client's root is tex2jax_ignore: only bodies hold maths
    node.innerHTML = html || "";
    if (window.KampusMath) {
      window.KampusMath.typeset(node);
    }
    return node;
  }

  function uid(prefix) {
    uid.counter = (uid.counter || 0) + 1;
    return prefix + "-" + uid.counter;
  }

  /* ---- the REST API ----------------------------------------------------------------------------------- */

  function Api(root) {
    this.root = root;
  }

  Api.prototype.request = function (method, path, params, body, contentType) {
    return shared.request(method, this.root + path, params, body, contentType);
  };

  Api.prototype.get = function (path, params) { return this.request("GET", path, params); };
  Api.prototype.post = function (path, body) { return this.request("POST", path, null, body); };
  Api.prototype.patch = function (path, body) {
    return this.request("PATCH", path, null, body, "application/merge-patch+json");
  };
  Api.prototype.del = function (path, params) { return this.request("DELETE", path, params); };

  /* ---- the client ------------------------------------------------------------------------------------- */

  function readStrings(root) {
    var block = (root.parentNode && root.parentNode.querySelector("script.kampus-forum-strings")) ||
      document.querySelector("script.kampus-forum-strings");
    return readJson(block ? block.textContent : "", {});
  }

  function readJson(text, fallback) {
    try { return text ? JSON.parse(text) : fallback; } catch (error) { return fallback; }
  }

  function Forum(root) {
    var data = root.dataset;
    this.root = root;
    this.mode = data.forumMode || "tab";
    this.courseId = data.courseId;
    this.api = new Api(data.apiRoot || "/api/discussion/");
    this.forumUrl = data.forumUrl || "";
    this.previewUrl = data.previewUrl || "";
    this.username = data.username || "";
    this.privileged = data.privileged === "true";
    this.moderator = data.moderator === "true";  // may ban learners and delete all their posts
    this.restriction = data.restriction ? {message: data.restriction, reason: data.restrictionReason || "",
      until: data.restrictionUntil || ""} : null;  // why the user cannot post (a ban or mute)
    this.scopedTopic = data.topicId || "";
    this.groups = readJson(data.groups, []);            // [{id, name}]: a privileged user's group choice
    this.dividedTopics = readJson(data.dividedTopics, []);
    this.strings = readStrings(root);
    this.course = null;
    this.topics = {};          // topic id -> {id, name, category, counts}
    this.topicTree = null;
    this.state = {topic: this.scopedTopic, filter: "all", type: "", order: "last_activity_at", search: "", page: 1};
    this.threadId = data.threadId || "";
  }

  Forum.prototype.t = function (key, params) {
    var text = Object.prototype.hasOwnProperty.call(this.strings, key) ? this.strings[key] : key;
    if (params) {
      Object.keys(params).forEach(function (name) { text = text.split("{" + name + "}").join(String(params[name])); });
    }
    return text;
  };

  /* "one"/"other" forms passed by the page (`<key>_one`, `<key>_other`). */
  Forum.prototype.n = function (key, count) {
    return this.t(key + (count === 1 ? "_one" : "_other"), {count: count});
  };

  Forum.prototype.date = function (iso) {
    if (!iso) { return ""; }
    var when = new Date(iso);
    if (isNaN(when.getTime())) { return iso; }
    try {
      return when.toLocaleString(document.documentElement.lang || undefined, {dateStyle: "medium", timeStyle: "short"});
    } catch (error) {
      return when.toLocaleString();
    }
  };

  Forum.prototype.timeTag = function (iso) {
    return el("time", {attrs: {datetime: iso}, text: this.date(iso)});
  };

  Forum.prototype.start = function () {
    var self = this;
    clear(this.root);
    this.root.classList.add("tex2jax_ignore");  // titles, names and help text are never typeset as maths
    this.build();
    this.busy(this.main, true);
    var coursePath = "v1/courses/" + encodeURIComponent(this.courseId);
    var topicsPath = "v1/course_topics/" + encodeURIComponent(this.courseId);
    return Promise.all([this.api.get(coursePath), this.api.get(topicsPath)]).then(function (answers) {
      self.course = answers[0] || {};
      self.setTopics(answers[1] || {});
      self.addButton.disabled = false;
      self.afterCourse();
      self.loadThreads();
      if (self.threadId) {
        self.openThread(self.threadId, {replace: true});
      } else {
        self.showHome();
      }
    }).catch(function (error) { self.fail(error); });
  };

  /* ---- layout ----------------------------------------------------------------------------------------- */

  Forum.prototype.build = function () {
    var self = this;
    this.alert = el("div", {className: "alert alert-danger forum-alert", attrs: {role: "alert"}, hidden: true});
    this.status = el("p", {className: "visually-hidden forum-status", attrs: {"aria-live": "polite"}});
    this.success = el("div", {className: "alert alert-success forum-success", attrs: {role: "status"}, hidden: true});
    if (this.restriction) { this.root.appendChild(this.restrictionNotice()); }
    this.root.appendChild(this.success);
    this.addButton = el("button", {className: "btn btn-primary btn-sm forum-add-post", attrs: {type: "button"},
      on: {click: function () { self.showNewPost(); }}}, icon("plus"), " ", this.t("add_post"));
    this.addButton.disabled = true;  // until the course and its topics have loaded (the form needs both)
    this.threadList = el("div", {className: "list-group forum-thread-list", attrs: {"aria-label": this.t("posts")}});
    this.pagination = el("nav", {className: "forum-pagination d-flex align-items-center justify-content-between gap-2 mt-2",
      attrs: {"aria-label": this.t("pagination")}});
    this.listInfo = el("p", {className: "small text-body-secondary mb-2 forum-list-info"});
    this.main = el("div", {className: "forum-pane", attrs: {tabindex: "-1"}});
    this.controls = this.buildControls();
    if (this.mode === "inline") {
      this.listInfo.classList.remove("mb-2");
      this.listInfo.classList.add("mb-0");
      this.listBox = el("div", {className: "forum-list-box"},
        el("div", {className: "d-flex justify-content-between align-items-center gap-2 mb-2"}, this.listInfo,
          this.addButton),
        this.controls, this.threadList, this.pagination);
      this.root.appendChild(el("div", {className: "forum-inline"}, this.alert, this.status, this.main, this.listBox));
      return;
    }
    var sidebar = el("aside", {className: "col-lg-4 forum-sidebar", attrs: {"aria-label": this.t("posts")}},
      this.controls, this.listInfo, this.threadList, this.pagination);
    var toolbar = el("div", {className: "d-flex flex-wrap align-items-center justify-content-between gap-2 mb-3"},
      el("button", {className: "btn btn-link p-0 forum-home-link", attrs: {type: "button"},
        on: {click: function () { self.showHome({push: true}); }}, text: this.t("all_topics")}),
      el("div", {className: "d-flex gap-2"}, this.addButton));
    this.root.appendChild(el("div", {className: "forum-tab"}, this.alert, this.status,
      el("div", {className: "row g-4"}, sidebar,
        el("section", {className: "col-lg-8 forum-main", attrs: {"aria-label": this.t("post_details")}},
          toolbar, this.main))));
  };

  Forum.prototype.buildControls = function () {
    var self = this;
    var searchId = uid("forum-search");
    this.searchInput = el("input", {className: "form-control form-control-sm", attrs: {
      type: "search", id: searchId, placeholder: this.t("search_placeholder")}});
    var search = el("form", {className: "d-flex gap-1 mb-2 forum-search", attrs: {role: "search"},
      on: {submit: function (event) {
        event.preventDefault();
        self.state.search = self.searchInput.value.trim();
        self.state.page = 1;
        if (self.state.search && self.state.filter === "following") { self.state.filter = "all"; self.filterSelect.value = "all"; }
        self.loadThreads();
      }}},
      el("label", {className: "visually-hidden", attrs: {"for": searchId}, text: this.t("search_posts")}),
      this.searchInput,
      el("button", {className: "btn btn-sm btn-outline-primary", attrs: {type: "submit"}, text: this.t("search")}));

    var box = el("div", {className: "forum-controls"});
    if (this.mode !== "inline") {
      box.appendChild(search);
      this.topicSelect = this.select("topic", this.t("topic"), [], function (value) {
        self.state.topic = value;
        self.state.page = 1;
        self.state.search = "";
        self.searchInput.value = "";
        if (self.state.filter === "following") { self.state.filter = "all"; self.filterSelect.value = "all"; }
        self.loadThreads();
      });
      box.appendChild(this.topicSelect.wrapper);
    }
    var filters = [["all", this.t("filter_all")], ["unread", this.t("filter_unread")],
      ["unanswered", this.t("filter_unanswered")], ["following", this.t("filter_following")]];
    if (this.privileged) { filters.push(["flagged", this.t("filter_flagged")]); }
    this.filterSelect = this.select("filter", this.t("show"), filters, function (value) {
      self.state.filter = value;
      self.state.page = 1;
      self.loadThreads();
    });
    var typeSelect = this.select("type", this.t("post_type"), [["", this.t("type_all")],
      ["discussion", this.t("type_discussions")], ["question", this.t("type_questions")]], function (value) {
      self.state.type = value;
      self.state.page = 1;
      self.loadThreads();
    });
    var orderSelect = this.select("order", this.t("sort"), [["last_activity_at", this.t("sort_activity")],
      ["comment_count", this.t("sort_comments")], ["vote_count", this.t("sort_votes")]], function (value) {
      self.state.order = value;
      self.state.page = 1;
      self.loadThreads();
    });
    var inline = this.mode === "inline";
    box.appendChild(el("div", {className: "row g-2"},
      el("div", {className: inline ? "col-sm-4" : "col-6"}, this.filterSelect.wrapper),
      el("div", {className: inline ? "col-sm-4" : "col-6"}, typeSelect.wrapper),
      el("div", {className: inline ? "col-sm-4" : "col-12"}, orderSelect.wrapper)));
    this.filterSelect = this.filterSelect.select;
    return box;
  };

  /* A labelled <select>: {wrapper, select}. */
  Forum.prototype.select = function (name, label, options, onChange) {
    var id = uid("forum-" + name);
    var select = el("select", {className: "form-select form-select-sm", attrs: {id: id, "data-forum-control": name},
      on: {change: function () { onChange(select.value); }}});
    options.forEach(function (option) { select.appendChild(el("option", {attrs: {value: option[0]}, text: option[1]})); });
    var wrapper = el("div", {className: "mb-2"},
      el("label", {className: "form-label small mb-1", attrs: {"for": id}, text: label}), select);
    return {wrapper: wrapper, select: select};
  };

  Forum.prototype.busy = function (node, on) {
    node.setAttribute("aria-busy", on ? "true" : "false");
    if (on) {
      clear(node).appendChild(el("div", {className: "text-body-secondary small py-3 forum-loading"},
        el("span", {className: "spinner-border spinner-border-sm me-2", attrs: {"aria-hidden": "true"}}),
        this.t("loading")));
    }
  };

  Forum.prototype.message = function (text) {
    this.status.textContent = text;
  };

  /* Open edX's error bodies: developer_message, field_errors, error, detail. */
  Forum.prototype.errorText = function (error) {
    if (!(error instanceof ApiError)) { return this.t("error_network"); }
    if (error.status === 429) { return this.t("error_too_fast"); }
    var body = error.body || {};
    var parts = [];
    if (typeof body === "string") { parts.push(body); }
    if (body.developer_message) { parts.push(String(body.developer_message)); }
    if (body.field_errors) {
      Object.keys(body.field_errors).forEach(function (name) {
        var entry = body.field_errors[name] || {};
        parts.push(name + ": " + (entry.developer_message || entry.user_message || ""));
      });
    }
    if (body.error) { parts.push(typeof body.error === "string" ? body.error : (body.error.message || "")); }
    if (body.detail) { parts.push(String(body.detail)); }
    if (error.status === 403 && !parts.length) { parts.push(this.t("error_forbidden")); }
    if (error.status === 404 && !parts.length) { parts.push(this.t("error_not_found")); }
    return parts.filter(Boolean).join(" ") || this.t("error_generic");
  };

  Forum.prototype.fail = function (error, where) {
    var text = this.errorText(error);
    var target = where || this.alert;
    target.textContent = text;
    target.hidden = false;
    if (!where && this.main.getAttribute("aria-busy") === "true") { this.main.setAttribute("aria-busy", "false"); clear(this.main); }
    if (window.console && !(error instanceof ApiError)) { window.console.error(error); }
  };

  Forum.prototype.clearAlert = function () {
    this.alert.hidden = true;
    this.alert.textContent = "";
  };

  /* ---- course and topics ------------------------------------------------------------------------------ */

  Forum.prototype.setTopics = function (tree) {
    var self = this;
    this.topicTree = tree;
    function visit(node, category) {
      if (node.id) {
        self.topics[node.id] = {id: node.id, name: node.name, category: category, counts: node.thread_counts};
      }
      (node.children || []).forEach(function (child) { visit(child, node.id ? category : node.name); });
    }
    (tree.non_courseware_topics || []).forEach(function (node) { visit(node, ""); });
    (tree.courseware_topics || []).forEach(function (node) { visit(node, node.id ? "" : node.name); });
  };

  Forum.prototype.topicName = function (topicId) {
    var topic = this.topics[topicId];
    if (!topic) { return topicId || ""; }
    return topic.category ? topic.category + " / " + topic.name : topic.name;
  };

  Forum.prototype.afterCourse = function () {
    if (this.course.is_posting_enabled === false) {
      this.addButton.disabled = true;
      this.addButton.title = this.t("posting_disabled");
    }
    if (!this.topicSelect) { return; }
    var select = this.topicSelect.select;
    var self = this;
    select.appendChild(el("option", {attrs: {value: ""}, text: this.t("all_topics")}));
    function add(parent, node) {
      if (node.id) {
        parent.appendChild(el("option", {attrs: {value: node.id}, text: node.name}));
      } else if ((node.children || []).length) {
        var group = el("optgroup", {attrs: {label: node.name}});
        node.children.forEach(function (child) { add(group, child); });
        select.appendChild(group);
      }
    }
    (this.topicTree.non_courseware_topics || []).forEach(function (node) { add(select, node); });
    (this.topicTree.courseware_topics || []).forEach(function (node) { add(select, node); });
    select.value = self.state.topic;
  };

  /* The landing pane: every topic with its counts of discussions and questions. */
  Forum.prototype.showHome = function (options) {
    var self = this;
    this.threadId = "";
    this.markActive();
    if (options && options.push) { this.pushUrl(this.forumUrl); }
    if (this.mode === "inline") { clear(this.main); this.listBox.hidden = false; return; }
    var pane = clear(this.main);
    this.main.setAttribute("aria-busy", "false");
    pane.appendChild(el("h2", {className: "h4", text: this.t("topics")}));
    var groups = [];
    if ((this.topicTree.non_courseware_topics || []).length) {
      groups.push({name: this.t("general_topics"), nodes: this.topicTree.non_courseware_topics});
    }
    (this.topicTree.courseware_topics || []).forEach(function (node) {
      groups.push(node.id ? {name: "", nodes: [node]} : {name: node.name, nodes: node.children || []});
    });
    if (!groups.length) {
      pane.appendChild(el("p", {className: "text-body-secondary", text: this.t("no_topics")}));
      return;
    }
    groups.forEach(function (group) {
      if (group.name) { pane.appendChild(el("h3", {className: "h6 mt-3 text-body-secondary", text: group.name})); }
      var list = el("div", {className: "list-group mb-2 forum-topic-list"});
      group.nodes.forEach(function (node) {
        if (!node.id) { return; }
        var counts = node.thread_counts || {discussion: 0, question: 0};
        list.appendChild(el("button", {
          className: "list-group-item list-group-item-action d-flex justify-content-between align-items-center gap-2",
          attrs: {type: "button", "data-topic-id": node.id},
          on: {click: function () {
            self.state.topic = node.id;
            self.state.page = 1;
            if (self.topicSelect) { self.topicSelect.select.value = node.id; }
            if (self.state.filter === "following") { self.state.filter = "all"; self.filterSelect.value = "all"; }
            self.loadThreads();
          }}},
          el("span", {className: "forum-topic-name", text: node.name}),
          el("span", {className: "d-flex gap-2 small text-body-secondary flex-shrink-0"},
            el("span", {attrs: {title: self.t("type_discussions")}}, icon("comments"), " ",
              el("span", {className: "visually-hidden", text: self.t("type_discussions") + ": "}), String(counts.discussion || 0)),
            el("span", {attrs: {title: self.t("type_questions")}}, icon("question-circle"), " ",
              el("span", {className: "visually-hidden", text: self.t("type_questions") + ": "}), String(counts.question || 0)))));
      });
      pane.appendChild(list);
    });
  };

  /* ---- thread list ------------------------------------------------------------------------------------ */

  Forum.prototype.listParams = function () {
    var state = this.state;
    var params = {course_id: this.courseId, page: state.page, page_size: PAGE_SIZE, order_by: state.order};
    if (state.type) { params.thread_type = state.type; }
    if (state.filter === "following") {
      params.following = "true";          // exclusive with topic_id and text_search
    } else if (state.search) {
      params.text_search = state.search;  // exclusive with topic_id
    } else if (state.topic) {
      params.topic_id = state.topic;
    }
    if (state.filter === "unread" || state.filter === "unanswered") { params.view = state.filter; }
    if (state.filter === "flagged") { params.flagged = "true"; params.count_flagged = "true"; }
    return params;
  };

  Forum.prototype.loadThreads = function () {
    var self = this;
    var request = this.listRequest = {};
    this.busy(this.threadList, true);
    clear(this.pagination);
    return this.api.get("v1/threads/", this.listParams()).then(function (answer) {
      if (request !== self.listRequest) { return; }
      self.threadList.setAttribute("aria-busy", "false");
      self.renderList(answer);
    }).catch(function (error) {
      if (request !== self.listRequest) { return; }
      self.threadList.setAttribute("aria-busy", "false");
      clear(self.threadList);
      if (error instanceof ApiError && error.status === 404 && self.state.page > 1) {
        self.state.page = 1;
        self.loadThreads();
        return;
      }
      self.fail(error);
    });
  };

  Forum.prototype.renderList = function (answer) {
    var self = this;
    var threads = answer.results || [];
    var pagination = answer.pagination || {};
    clear(this.threadList);
    var info = [];
    if (this.state.search && this.state.filter !== "following") {
      info.push(this.t("search_results", {query: this.state.search}));
      if (answer.text_search_rewrite) { info.push(this.t("search_rewrite", {query: answer.text_search_rewrite})); }
    } else if (this.state.filter === "following") {
      info.push(this.t("filter_following"));
    } else if (this.state.topic && this.mode !== "inline") {
      info.push(this.topicName(this.state.topic));
    }
    info.push(this.n("post_count", pagination.count || 0));
    this.listInfo.textContent = info.join(" · ");
    if (!threads.length) {
      this.threadList.appendChild(el("p", {className: "text-body-secondary small py-2 mb-0 forum-empty",
        text: this.state.search ? this.t("no_results") : this.t("no_posts")}));
    }
    threads.forEach(function (thread) { self.threadList.appendChild(self.threadItem(thread)); });
    this.renderPagination(pagination);
    this.markActive();
    this.message(this.n("post_count", pagination.count || 0));
  };

  Forum.prototype.threadItem = function (thread) {
    var self = this;
    var question = thread.type === "question";
    var badges = el("span", {className: "d-inline-flex flex-wrap gap-1 forum-item-badges"});
    if (thread.pinned) { badges.appendChild(this.badge("pinned", "text-bg-secondary", "thumb-tack")); }
    if (thread.closed) { badges.appendChild(this.badge("closed", "text-bg-dark", "lock")); }
    if (question && thread.has_endorsed) { badges.appendChild(this.badge("answered", "text-bg-success", "check")); }
    if (thread.abuse_flagged) { badges.appendChild(this.badge("reported", "text-bg-danger", "flag")); }
    if (thread.following) { badges.appendChild(this.badge("following", "text-bg-light border", "star")); }
    if (!thread.read) {
      badges.appendChild(el("span", {className: "badge text-bg-primary", text: this.t("new_post")}));
    } else if (thread.unread_comment_count > 0) {
      badges.appendChild(el("span", {className: "badge text-bg-primary",
        text: this.n("new_responses", thread.unread_comment_count)}));
    }
    var replies = Math.max((thread.comment_count || 1) - 1, 0);  // comment_count counts the post itself
    var link = el("a", {
      className: "list-group-item list-group-item-action forum-thread-item" + (thread.read ? "" : " forum-unread"),
      attrs: {href: this.threadUrl(thread), "data-thread-id": thread.id},
      on: {click: function (event) {
        if (event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) { return; }
        event.preventDefault();
        self.openThread(thread.id, {push: true});
      }}},
      el("div", {className: "d-flex gap-2"},
        el("span", {className: "forum-type-icon " + (question ? "text-info" : "text-body-secondary"),
          attrs: {title: question ? this.t("question") : this.t("discussion")}},
          icon(question ? "question-circle" : "comments"),
          el("span", {className: "visually-hidden", text: question ? this.t("question") : this.t("discussion")})),
        el("div", {className: "flex-grow-1 min-w-0"},
          el("div", {className: "fw-semibold forum-item-title text-break", text: thread.title}),
          el("div", {className: "small text-body-secondary d-flex flex-wrap column-gap-2 row-gap-1 align-items-center"},
            this.authorNode(thread, "author_label"),
            el("span", {}, this.timeTag(thread.updated_at || thread.created_at)),
            el("span", {attrs: {title: this.t("votes")}}, icon("thumbs-o-up"), " ", String(thread.vote_count || 0),
              el("span", {className: "visually-hidden", text: " " + this.t("votes")})),
            el("span", {}, icon("comment-o"), " ", this.n("replies", replies)),
            badges))));
    return link;
  };

  Forum.prototype.badge = function (key, className, iconName) {
    return el("span", {className: "badge " + className + " forum-badge-" + key}, iconName ? icon(iconName) : null,
      iconName ? " " : null, this.t(key));
  };

  /* The author of a post (or "Anonymous"), with Open edX's label (Staff, Moderator, Community TA). */
  Forum.prototype.authorNode = function (content, labelField) {
    var box = el("span", {className: "forum-author d-inline-flex gap-1 align-items-center"});
    if (content.author) {
      box.appendChild(el("span", {className: "fw-semibold forum-author-name", text: content.author}));
    } else {
      box.appendChild(el("span", {className: "fst-italic forum-author-anonymous", text: this.t("anonymous")}));
    }
    var label = content[labelField || "author_label"];
    if (content.author && label) {
      box.appendChild(el("span", {className: "badge rounded-pill forum-label forum-label-" +
        label.toLowerCase().replace(/[^a-z]+/g, "-"), text: this.t("label_" + label.toLowerCase().replace(/[^a-z]+/g, "_"))}));
    }
    return box;
  };

  Forum.prototype.renderPagination = function (pagination) {
    var self = this;
    clear(this.pagination);
    var pages = pagination.num_pages || 1;
    if (pages <= 1) { return; }
    var page = this.state.page;
    function go(target) {
      self.state.page = target;
      self.loadThreads();
    }
    this.pagination.appendChild(el("button", {className: "btn btn-sm btn-outline-secondary",
      attrs: {type: "button", disabled: !pagination.previous, "data-page": "previous"},
      on: {click: function () { go(page - 1); }}, text: this.t("previous")}));
    this.pagination.appendChild(el("span", {className: "small text-body-secondary",
      text: this.t("page_of", {page: page, pages: pages})}));
    this.pagination.appendChild(el("button", {className: "btn btn-sm btn-outline-secondary",
      attrs: {type: "button", disabled: !pagination.next, "data-page": "next"},
      on: {click: function () { go(page + 1); }}, text: this.t("next")}));
  };

  Forum.prototype.markActive = function () {
    var current = this.threadId;
    Array.prototype.forEach.call(this.threadList.querySelectorAll("[data-thread-id]"), function (item) {
      var active = String(item.getAttribute("data-thread-id")) === String(current);
      item.classList.toggle("active", active);
      if (active) { item.setAttribute("aria-current", "true"); } else { item.removeAttribute("aria-current"); }
    });
  };

  /* ---- URLs ------------------------------------------------------------------------------------------- */

  Forum.prototype.threadUrl = function (thread) {
    return this.forumUrl + encodeURIComponent(thread.topic_id || "general") + "/threads/" + encodeURIComponent(thread.id);
  };

  Forum.prototype.pushUrl = function (url, replace) {
    if (this.mode === "inline" || !window.history || !window.history.pushState) { return; }
    if (window.location.pathname === url) { return; }
    window.history[replace ? "replaceState" : "pushState"]({forumThread: this.threadId || ""}, "", url);
  };

  /* ---- new post --------------------------------------------------------------------------------------- */

  Forum.prototype.showPane = function (node) {
    clear(this.main).appendChild(node);
    this.main.setAttribute("aria-busy", "false");
    if (this.mode === "inline") { this.listBox.hidden = true; }
  };

  Forum.prototype.showNewPost = function () {
    var self = this;
    this.clearAlert();
    var form = el("form", {className: "forum-new-post card card-body mb-3", attrs: {novalidate: true}});
    var errors = el("div", {className: "alert alert-danger py-2", attrs: {role: "alert"}, hidden: true});
    form.appendChild(el("h2", {className: "h5", text: this.t("new_post_heading")}));
    form.appendChild(errors);

    var typeName = uid("forum-type");
    var typeBox = el("fieldset", {className: "mb-3"}, el("legend", {className: "form-label fs-6 mb-1", text: this.t("post_type")}));
    [["discussion", this.t("discussion"), this.t("discussion_help")],
      ["question", this.t("question"), this.t("question_help")]].forEach(function (choice, index) {
      var id = uid("forum-type-choice");
      typeBox.appendChild(el("div", {className: "form-check form-check-inline"},
        el("input", {className: "form-check-input", attrs: {type: "radio", name: typeName, id: id, value: choice[0],
          checked: index === 0}}),
        el("label", {className: "form-check-label", attrs: {"for": id, title: choice[2]}, text: choice[1]})));
    });
    form.appendChild(typeBox);

    var topicSelect = null;
    if (!this.scopedTopic) {
      var topicId = uid("forum-new-topic");
      topicSelect = el("select", {className: "form-select", attrs: {id: topicId, name: "topic_id", required: true}});
      var topicIds = Object.keys(this.topics);
      topicIds.forEach(function (id) {
        topicSelect.appendChild(el("option", {attrs: {value: id}, text: self.topicName(id)}));
      });
      if (this.state.topic && this.topics[this.state.topic]) { topicSelect.value = this.state.topic; }
      form.appendChild(el("div", {className: "mb-3"},
        el("label", {className: "form-label", attrs: {"for": topicId}, text: this.t("topic")}), topicSelect));
    }

    // a privileged user of a divided course picks who sees a post of a divided topic (Open edX's "Visible to")
    var groupSelect = null;
    if (this.groups.length) {
      var groupId = uid("forum-new-group");
      groupSelect = el("select", {className: "form-select", attrs: {id: groupId, name: "group_id"}},
        el("option", {attrs: {value: ""}, text: this.t("all_groups")}));
      this.groups.forEach(function (group) {
        groupSelect.appendChild(el("option", {attrs: {value: String(group.id)}, text: group.name}));
      });
      var groupBox = el("div", {className: "mb-3"},
        el("label", {className: "form-label", attrs: {"for": groupId}, text: this.t("visible_to")}), groupSelect);
      var showGroups = function () {
        var topic = self.scopedTopic || (topicSelect ? topicSelect.value : "");
        groupBox.hidden = self.dividedTopics.indexOf(topic) < 0;
      };
      if (topicSelect) { topicSelect.addEventListener("change", showGroups); }
      showGroups();
      form.appendChild(groupBox);
    }

    var titleId = uid("forum-new-title");
    var title = el("input", {className: "form-control", attrs: {id: titleId, name: "title", type: "text",
      required: true, maxlength: "1000"}});
    form.appendChild(el("div", {className: "mb-3"},
      el("label", {className: "form-label", attrs: {"for": titleId}, text: this.t("title")}), title));

    var editor = this.editor("raw_body", this.t("body"), "");
    form.appendChild(editor.node);

    var anonymous = null;
    var anonymousToPeers = null;
    if (this.course.allow_anonymous) {
      anonymous = this.checkbox(this.t("post_anonymously"), false);
      form.appendChild(anonymous.node);
    }
    if (this.course.allow_anonymous_to_peers) {
      anonymousToPeers = this.checkbox(this.t("post_anonymously_to_peers"), false);
      form.appendChild(anonymousToPeers.node);
    }
    var follow = this.checkbox(this.t("follow_post"), true);
    form.appendChild(follow.node);

    var submit = el("button", {className: "btn btn-primary", attrs: {type: "submit"}, text: this.t("submit_post")});
    form.appendChild(el("div", {className: "d-flex gap-2 mt-3"}, submit,
      el("button", {className: "btn btn-outline-secondary", attrs: {type: "button"},
        on: {click: function () { self.cancelPane(); }}, text: this.t("cancel")})));

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      errors.hidden = true;
      var type = form.querySelector("input[name='" + typeName + "']:checked");
      var body = {
        course_id: self.courseId,
        topic_id: self.scopedTopic || (topicSelect ? topicSelect.value : ""),
        type: type ? type.value : "discussion",
        title: title.value.trim(),
        raw_body: editor.textarea.value,
        following: follow.input.checked
      };
      if (groupSelect && self.dividedTopics.indexOf(body.topic_id) >= 0) {
        // "All groups" is an explicit null: without group_id, a post takes its author's own cohort
        body.group_id = groupSelect.value ? parseInt(groupSelect.value, 10) : null;
      }
      if (anonymous && anonymous.input.checked) { body.anonymous = true; }
      if (anonymousToPeers && anonymousToPeers.input.checked) { body.anonymous_to_peers = true; }
      var missing = [];
      if (!body.title) { missing.push(self.t("title")); }
      if (!body.raw_body.trim()) { missing.push(self.t("body")); }
      if (!body.topic_id) { missing.push(self.t("topic")); }
      if (missing.length) {
        errors.textContent = self.t("error_required", {fields: missing.join(", ")});
        errors.hidden = false;
        return;
      }
      submit.disabled = true;
      self.api.post("v1/threads/", body).then(function (thread) {
        self.message(self.t("post_created"));
        self.state.page = 1;
        self.loadThreads();
        self.showThread(thread, {push: true});
      }).catch(function (error) {
        submit.disabled = false;
        self.fail(error, errors);
      });
    });
    this.showPane(form);
    title.focus();
  };

  Forum.prototype.cancelPane = function () {
    if (this.mode === "inline") { this.showHome(); return; }
    if (this.currentThread) { this.showThread(this.currentThread); return; }
    this.showHome();
  };

  Forum.prototype.checkbox = function (label, checked) {
    var id = uid("forum-check");
    var input = el("input", {className: "form-check-input", attrs: {type: "checkbox", id: id, checked: checked}});
    return {input: input, node: el("div", {className: "form-check"}, input,
      el("label", {className: "form-check-label", attrs: {"for": id}, text: label}))};
  };

  /* A Markdown editor: textarea, help, and a live preview rendered by the server. */
  Forum.prototype.editor = function (name, label, value, options) {
    var self = this;
    options = options || {};
    var id = uid("forum-editor");
    var helpId = uid("forum-editor-help");
    var textarea = el("textarea", {className: "form-control forum-editor-text", attrs: {
      id: id, name: name, rows: options.rows || 6, "aria-describedby": helpId, required: true}});
    textarea.value = value || "";
    var preview = el("div", {className: "forum-preview forum-body border rounded p-2 bg-body-tertiary",
      attrs: {"aria-live": "polite"}});
    var previewBox = el("div", {className: "mt-2 forum-preview-box"},
      el("div", {className: "small text-body-secondary mb-1", text: this.t("preview")}), preview);
    var timer = null;
    var sequence = 0;
    function refresh() {
      var text = textarea.value;
      var mine = ++sequence;
      if (!text.trim()) { clear(preview); previewBox.hidden = true; return; }
      previewBox.hidden = false;
      if (!self.previewUrl) { preview.textContent = text; return; }
      var fetcher = window.kampusFetch;
      fetcher(self.previewUrl, {method: "POST", headers: {"Content-Type": "application/json"},
        body: JSON.stringify({raw_body: text})}).then(function (response) {
        return response.ok ? response.json() : null;
      }).then(function (data) {
        if (mine !== sequence) { return; }
        if (data && typeof data.rendered_body === "string") {
          setRendered(preview, data.rendered_body);
        } else {
          preview.textContent = text;  // the plain text when the preview cannot be rendered
        }
      }).catch(function () { if (mine === sequence) { preview.textContent = text; } });
    }
    textarea.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(refresh, 300);
    });
    previewBox.hidden = true;
    if (textarea.value) { refresh(); }
    var help = this.markdownHelp();
    var node = el("div", {className: "mb-2 forum-editor"},
      el("label", {className: "form-label", attrs: {"for": id}, text: label}),
      textarea,
      el("div", {className: "form-text", attrs: {id: helpId}, text: this.t("markdown_hint")}),
      help, previewBox);
    return {node: node, textarea: textarea};
  };

  Forum.prototype.markdownHelp = function () {
    var template = (this.root.parentNode && this.root.parentNode.querySelector("template.kampus-forum-markdown-help")) ||
      document.querySelector("template.kampus-forum-markdown-help");
    var details = el("details", {className: "small forum-markdown-help"},
      el("summary", {text: this.t("markdown_help")}));
    if (template && template.content) { details.appendChild(template.content.cloneNode(true)); }
    return details;
  };

  /* ---- thread view ------------------------------------------------------------------------------------ */

  Forum.prototype.openThread = function (threadId, options) {
    var self = this;
    this.clearAlert();
    this.threadId = String(threadId);
    this.markActive();
    this.busy(this.main, true);
    if (this.mode === "inline") { this.listBox.hidden = true; }
    return this.api.get("v1/threads/" + encodeURIComponent(threadId) + "/").then(function (thread) {
      self.showThread(thread, options);
    }).catch(function (error) {
      self.main.setAttribute("aria-busy", "false");
      clear(self.main);
      self.fail(error);
      if (self.mode === "inline") { self.listBox.hidden = false; }
    });
  };

  Forum.prototype.showThread = function (thread, options) {
    var self = this;
    options = options || {};
    this.currentThread = thread;
    this.threadId = String(thread.id);
    this.markActive();
    if (options.push || options.replace) { this.pushUrl(this.threadUrl(thread), options.replace); }
    var article = el("article", {className: "forum-thread", attrs: {"data-thread-id": thread.id}});
    if (this.mode === "inline") {
      article.appendChild(el("button", {className: "btn btn-link btn-sm px-0 mb-2 forum-back", attrs: {type: "button"},
        on: {click: function () { self.currentThread = null; self.showHome(); self.loadThreads(); }}},
        icon("arrow-left"), " ", this.t("back_to_posts")));
    }
    article.appendChild(this.threadHeader(thread));
    var bodyBox = el("div", {className: "forum-body forum-thread-body mb-2"});
    setRendered(bodyBox, thread.rendered_body);
    article.appendChild(bodyBox);
    if (thread.last_edit) { article.appendChild(this.editNote(thread.last_edit, thread.edit_by_label)); }
    var actionErrors = el("div", {className: "alert alert-danger py-2 small", attrs: {role: "alert"}, hidden: true});
    article.appendChild(this.threadActions(thread, bodyBox, actionErrors));
    article.appendChild(actionErrors);
    if (thread.closed) {
      var notice = el("div", {className: "alert alert-secondary py-2 small forum-closed-notice"}, icon("lock"), " ",
        this.t("closed_notice"));
      if (thread.close_reason) { notice.appendChild(document.createTextNode(" " + this.t("reason", {reason: thread.close_reason}))); }
      if (thread.closed_by) { notice.appendChild(document.createTextNode(" " + this.t("closed_by", {user: thread.closed_by}))); }
      article.appendChild(notice);
    }
    var responses = el("section", {className: "forum-responses mt-4", attrs: {"aria-label": this.t("responses_heading")}});
    article.appendChild(responses);
    this.showPane(article);
    this.loadResponses(thread, responses);
    if (!thread.read && (thread.editable_fields || []).indexOf("read") >= 0) {
      this.api.patch("v1/threads/" + encodeURIComponent(thread.id) + "/", {read: true}).then(function () {
        var item = self.threadList.querySelector("[data-thread-id='" + String(thread.id).replace(/'/g, "") + "']");
        if (item) { item.classList.remove("forum-unread"); }
      }).catch(function () {});
    }
    if (!options.keepFocus) {
      // scroll only when the pane is out of sight (a phone shows it below the list)
      var top = this.main.getBoundingClientRect().top;
      this.main.focus({preventScroll: top >= 0 && top < window.innerHeight});
    }
  };

  Forum.prototype.threadHeader = function (thread) {
    var question = thread.type === "question";
    var badges = el("div", {className: "d-flex flex-wrap gap-1 mb-1"},
      el("span", {className: "badge " + (question ? "text-bg-info" : "text-bg-light border") + " forum-badge-type"},
        icon(question ? "question-circle" : "comments"), " ", question ? this.t("question") : this.t("discussion")));
    if (thread.pinned) { badges.appendChild(this.badge("pinned", "text-bg-secondary", "thumb-tack")); }
    if (thread.closed) { badges.appendChild(this.badge("closed", "text-bg-dark", "lock")); }
    if (question && thread.has_endorsed) { badges.appendChild(this.badge("answered", "text-bg-success", "check")); }
    if (thread.abuse_flagged) { badges.appendChild(this.badge("reported", "text-bg-danger", "flag")); }
    if (thread.group_name) { badges.appendChild(el("span", {className: "badge text-bg-light border", text: thread.group_name})); }
    var byline = el("p", {className: "small text-body-secondary d-flex flex-wrap gap-2 align-items-center mb-2"},
      this.authorNode(thread, "author_label"), this.timeTag(thread.created_at));
    this.learnerMenu(byline, thread);
    if (this.mode !== "inline" && thread.topic_id) {
      byline.appendChild(el("span", {className: "forum-thread-topic"}, icon("folder-o"), " ", this.topicName(thread.topic_id)));
    }
    if (thread.anonymous || thread.anonymous_to_peers) {
      byline.appendChild(el("span", {className: "badge text-bg-light border",
        text: thread.anonymous ? this.t("posted_anonymously") : this.t("posted_anonymously_to_peers")}));
    }
    return el("header", {className: "mb-2"}, badges,
      el("h2", {className: "h4 mb-1 text-break forum-thread-title", text: thread.title}), byline);
  };

  Forum.prototype.editNote = function (edit, label) {
    var text = this.t("edited_by", {user: edit.editor_username || this.t("anonymous")});
    var note = el("p", {className: "small text-body-secondary fst-italic mb-2 forum-edit-note"}, text);
    if (label) { note.appendChild(document.createTextNode(" (" + this.t("label_" + label.toLowerCase().replace(/[^a-z]+/g, "_")) + ")")); }
    if (edit.reason) { note.appendChild(document.createTextNode(" · " + this.t("reason", {reason: edit.reason}))); }
    return note;
  };

  function can(content, field) {
    return (content.editable_fields || []).indexOf(field) >= 0;
  }

  Forum.prototype.actionButton = function (key, iconName, pressed, onClick, extraClass) {
    var button = el("button", {className: "btn btn-sm btn-outline-secondary forum-action forum-action-" + key +
      (extraClass ? " " + extraClass : ""), attrs: {type: "button", "data-action": key}, on: {click: onClick}},
      iconName ? icon(iconName) : null, iconName ? " " : null, this.t(key));
    if (pressed !== null && pressed !== undefined) { button.setAttribute("aria-pressed", pressed ? "true" : "false"); }
    return button;
  };

  /* PATCH a thread or comment, then redraw with the answer. */
  Forum.prototype.patch = function (kind, content, changes, errors) {
    var self = this;
    var path = (kind === "thread" ? "v1/threads/" : "v1/comments/") + encodeURIComponent(content.id) + "/";
    errors.hidden = true;
    return this.api.patch(path, changes).catch(function (error) {
      self.fail(error, errors);
      throw error;
    });
  };

  Forum.prototype.threadActions = function (thread, bodyBox, errors) {
    var self = this;
    var bar = el("div", {className: "d-flex flex-wrap gap-1 forum-actions"});
    function redraw(updated) {
      self.showThread(updated, {keepFocus: true});
      self.refreshListItem(updated);
    }
    function toggle(field, value) {
      var changes = {};
      changes[field] = value;
      return function () { self.patch("thread", thread, changes, errors).then(redraw, function () {}); };
    }
    if (can(thread, "voted") || thread.voted) {
      var vote = el("button", {className: "btn btn-sm btn-outline-primary forum-action forum-action-vote",
        attrs: {type: "button", "data-action": "vote", "aria-pressed": thread.voted ? "true" : "false",
          disabled: !can(thread, "voted")}, on: {click: toggle("voted", !thread.voted)}},
        icon(thread.voted ? "thumbs-up" : "thumbs-o-up"), " ", this.t("vote"), " ",
        el("span", {className: "badge text-bg-light forum-vote-count", text: String(thread.vote_count || 0)}));
      bar.appendChild(vote);
    }
    if (can(thread, "following")) {
      bar.appendChild(this.actionButton(thread.following ? "unfollow" : "follow", thread.following ? "star" : "star-o",
        thread.following, toggle("following", !thread.following)));
    }
    if (can(thread, "abuse_flagged")) {
      bar.appendChild(this.actionButton(thread.abuse_flagged ? "unreport" : "report", "flag", thread.abuse_flagged,
        toggle("abuse_flagged", !thread.abuse_flagged)));
    }
    if (can(thread, "pinned")) {
      bar.appendChild(this.actionButton(thread.pinned ? "unpin" : "pin", "thumb-tack", thread.pinned,
        toggle("pinned", !thread.pinned)));
    }
    if (can(thread, "closed")) {
      if (thread.closed) {
        bar.appendChild(this.actionButton("reopen", "unlock", null, toggle("closed", false)));
      } else {
        bar.appendChild(this.actionButton("close", "lock", null, function () {
          self.reasonForm(bar, self.course.post_close_reasons || [], "close_reason", "confirm_close", function (code) {
            var changes = {closed: true};
            if (code) { changes.close_reason_code = code; }
            return self.patch("thread", thread, changes, errors).then(redraw);
          });
        }));
      }
    }
    if (can(thread, "raw_body") || can(thread, "title")) {
      bar.appendChild(this.actionButton("edit", "pencil", null, function () { self.editThread(thread, errors); }));
    }
    if (thread.can_delete) {
      bar.appendChild(this.actionButton("delete", "trash-o", null, function () {
        self.confirmDelete(bar, thread.author !== self.username, function (reason) {
          return self.api.del("v1/threads/" + encodeURIComponent(thread.id) + "/", reason ? {reason: reason} : null)
            .then(function () {
              self.message(self.t("post_deleted"));
              self.currentThread = null;
              self.threadId = "";
              self.showHome({push: true});
              self.loadThreads();
            }).catch(function (error) { self.fail(error, errors); throw error; });
        });
      }, "text-danger"));
    }
    var copy = el("button", {className: "btn btn-sm btn-outline-secondary forum-action forum-action-copy_link",
      attrs: {type: "button", "data-action": "copy_link"}, on: {click: function () {
        var url = window.location.origin + self.threadUrl(thread);
        if (navigator.clipboard) {
          navigator.clipboard.writeText(url).then(function () { self.message(self.t("link_copied")); }, function () {});
        }
      }}}, icon("link"), " ", this.t("copy_link"));
    bar.appendChild(copy);
    return bar;
  };

  Forum.prototype.refreshListItem = function (thread) {
    var item = this.threadList.querySelector("[data-thread-id='" + String(thread.id).replace(/'/g, "") + "']");
    if (item) {
      var fresh = this.threadItem(thread);
      item.parentNode.replaceChild(fresh, item);
      this.markActive();
    }
  };

  /* An inline form asking a reason (from Open edX's reason codes) before an action. */
  Forum.prototype.reasonForm = function (after, reasons, labelKey, confirmKey, action) {
    var self = this;
    var existing = after.parentNode.querySelector(".forum-reason-form");
    if (existing) { existing.remove(); }
    var id = uid("forum-reason");
    var select = el("select", {className: "form-select form-select-sm", attrs: {id: id}});
    select.appendChild(el("option", {attrs: {value: ""}, text: this.t("no_reason")}));
    reasons.forEach(function (reason) { select.appendChild(el("option", {attrs: {value: reason.code}, text: reason.label})); });
    var errors = el("div", {className: "text-danger small", attrs: {role: "alert"}, hidden: true});
    var form = el("form", {className: "forum-reason-form border rounded p-2 my-2 d-flex flex-wrap gap-2 align-items-end"},
      el("div", {}, el("label", {className: "form-label small mb-1", attrs: {"for": id}, text: this.t(labelKey)}), select),
      el("button", {className: "btn btn-sm btn-primary", attrs: {type: "submit"}, text: this.t(confirmKey)}),
      el("button", {className: "btn btn-sm btn-outline-secondary", attrs: {type: "button"},
        on: {click: function () { form.remove(); }}, text: this.t("cancel")}), errors);
    if (!reasons.length) { select.parentNode.hidden = true; }
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      action(select.value).catch(function (error) { self.fail(error, errors); });
    });
    after.parentNode.insertBefore(form, after.nextSibling);
    select.focus();
  };

  /* Deleting asks for confirmation; a moderator deleting another's post gives a reason (the audit log's). */
  Forum.prototype.confirmDelete = function (after, withReason, action) {
    var self = this;
    var existing = after.parentNode.querySelector(".forum-delete-form");
    if (existing) { existing.remove(); }
    var form = el("form", {className: "forum-delete-form border border-danger rounded p-2 my-2"});
    form.appendChild(el("p", {className: "small mb-2", text: this.t("confirm_delete_text")}));
    var reason = null;
    if (withReason && this.privileged) {
      var id = uid("forum-delete-reason");
      reason = el("input", {className: "form-control form-control-sm", attrs: {id: id, type: "text", maxlength: "500"}});
      form.appendChild(el("div", {className: "mb-2"},
        el("label", {className: "form-label small mb-1", attrs: {"for": id}, text: this.t("delete_reason")}), reason));
    }
    var errors = el("div", {className: "text-danger small", attrs: {role: "alert"}, hidden: true});
    form.appendChild(el("div", {className: "d-flex gap-2"},
      el("button", {className: "btn btn-sm btn-danger", attrs: {type: "submit"}, text: this.t("confirm_delete")}),
      el("button", {className: "btn btn-sm btn-outline-secondary", attrs: {type: "button"},
        on: {click: function () { form.remove(); }}, text: this.t("cancel")})));
    form.appendChild(errors);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      action(reason ? reason.value.trim() : "").catch(function (error) { self.fail(error, errors); });
    });
    after.parentNode.insertBefore(form, after.nextSibling);
  };

  /* Why the user cannot post here (a ban or a mute): the message, the moderator's reason, the end. */
  Forum.prototype.restrictionNotice = function () {
    var notice = el("div", {className: "alert alert-warning forum-restriction", attrs: {role: "status"}},
      el("p", {className: "mb-0 fw-semibold", text: this.restriction.message}));
    if (this.restriction.reason) {
      notice.appendChild(el("p", {className: "mb-0 small forum-restriction-reason",
        text: this.t("restriction_reason", {reason: this.restriction.reason})}));
    }
    if (this.restriction.until) {
      notice.appendChild(el("p", {className: "mb-0 small", text: this.t("restriction_until",
        {when: this.date(this.restriction.until)})}));
    }
    return notice;
  };

  /* A moderator's menu on a learner's post: ban them, or delete all their posts in the course (a background
   * task, optionally banning them after), each asking for confirmation (Open edX's moderation/ban-user/ and
   * moderation/bulk-delete-ban/). */
  Forum.prototype.learnerMenu = function (byline, content) {
    var self = this;
    if (!this.moderator || !content.author || content.author === this.username) { return; }
    var user = content.author;
    var menuId = uid("forum-learner-menu");
    var menu = el("div", {className: "forum-learner-menu-items d-flex gap-1", attrs: {id: menuId}, hidden: true});
    var toggle = el("button", {className: "btn btn-link btn-sm p-0 forum-learner-menu", attrs: {type: "button",
      "aria-expanded": "false", "aria-controls": menuId, "aria-label": this.t("learner_menu", {user: user})},
      on: {click: function () {
        menu.hidden = !menu.hidden;
        toggle.setAttribute("aria-expanded", menu.hidden ? "false" : "true");
      }}}, icon("ellipsis-h"));
    menu.appendChild(el("button", {className: "btn btn-sm btn-outline-dark", attrs: {type: "button",
      "data-action": "ban-user"}, text: this.t("ban_user"), on: {click: function () {
      self.moderationForm(byline, user, false);
    }}}));
    menu.appendChild(el("button", {className: "btn btn-sm btn-outline-danger", attrs: {type: "button",
      "data-action": "delete-user-posts"}, text: this.t("delete_user_posts"), on: {click: function () {
      self.moderationForm(byline, user, true);
    }}}));
    byline.appendChild(toggle);
    byline.appendChild(menu);
  };

  Forum.prototype.moderationForm = function (byline, user, deleting) {
    var self = this;
    var holder = byline.parentNode;
    var existing = holder.querySelector(".forum-moderation-form");
    if (existing) { existing.remove(); }
    var form = el("form", {className: "forum-moderation-form border border-danger rounded p-2 my-2"});
    form.appendChild(el("p", {className: "small mb-2", text: deleting ? this.t("delete_user_posts_text", {user: user})
      : this.t("ban_user_text", {user: user})}));
    var reasonId = uid("forum-moderation-reason");
    var reason = el("input", {className: "form-control form-control-sm", attrs: {id: reasonId, type: "text",
      maxlength: "1000", "aria-describedby": reasonId + "-help"}});
    form.appendChild(el("div", {className: "mb-2"},
      el("label", {className: "form-label small mb-1", attrs: {"for": reasonId}, text: this.t("moderation_reason")}),
      reason,
      // The banned learner is shown the reason (with the notice that they cannot post): say so.
      el("div", {className: "form-text", attrs: {id: reasonId + "-help"},
        text: this.t(deleting ? "also_ban_reason_shown" : "ban_reason_shown", {user: user})})));
    var alsoBan = null;
    if (deleting) {
      var banId = uid("forum-also-ban");
      alsoBan = el("input", {className: "form-check-input", attrs: {id: banId, type: "checkbox"}});
      form.appendChild(el("div", {className: "form-check mb-2"}, alsoBan,
        el("label", {className: "form-check-label small", attrs: {"for": banId}, text: this.t("also_ban", {user: user})})));
    }
    var result = el("div", {className: "small", attrs: {role: "status"}, hidden: true});
    var errors = el("div", {className: "text-danger small", attrs: {role: "alert"}, hidden: true});
    var confirm = el("button", {className: "btn btn-sm btn-danger", attrs: {type: "submit"},
      text: deleting ? this.t("confirm_delete_user_posts") : this.t("confirm_ban")});
    form.appendChild(el("div", {className: "d-flex gap-2"}, confirm,
      el("button", {className: "btn btn-sm btn-outline-secondary", attrs: {type: "button"},
        on: {click: function () { form.remove(); }}, text: this.t("cancel")})));
    form.appendChild(result);
    form.appendChild(errors);
    function show(text) {
      result.textContent = text;
      result.hidden = false;
      self.message(text);
    }
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      errors.hidden = true;
      var why = reason.value.trim();
      confirm.disabled = true;
      var done;
      if (deleting) {
        done = self.api.post("v1/moderation/bulk-delete-ban/", {username: user, course_id: self.courseId,
          ban_user: alsoBan.checked, reason: why}).then(function (answer) {
          show(self.t("deleting_user_posts", {user: user}));
          return self.waitForTask(answer.task_id);
        }).then(function (task) {
          var counts = task.result || {};
          form.remove();  // the thread is drawn again: the outcome shows above it
          self.success.textContent = self.t("user_posts_deleted", {user: user, threads: counts.threads_deleted || 0,
            comments: counts.comments_deleted || 0}) + (counts.ban_applied ? " " + self.t("ban_done", {user: user}) : "");
          self.success.hidden = false;
          self.afterUserPostsDeleted(user);
        });
      } else {
        done = self.api.post("v1/moderation/ban-user/", {username: user, course_id: self.courseId, scope: "course",
          reason: why}).then(function () { show(self.t("ban_done", {user: user})); });
      }
      done.catch(function (error) { self.fail(error, errors); }).then(function () { confirm.disabled = false; });
    });
    holder.insertBefore(form, byline.nextSibling);
    reason.focus();
  };

  /* The record of a background task (the kernel's task API), once it has finished. */
  Forum.prototype.waitForTask = function (taskId) {
    var self = this;
    var tries = 0;
    return new Promise(function (resolve, reject) {
      function poll() {
        shared.request("GET", "/api/tasks/v1/tasks/" + encodeURIComponent(taskId)).then(function (task) {
          if (task.state === "SUCCESS") { resolve(task); return; }
          if (task.state === "FAILURE" || task.state === "CANCELLED") { reject(new Error(task.error || task.state)); return; }
          tries += 1;
          if (tries > 300) { reject(new Error(self.t("error_generic"))); return; }
          window.setTimeout(poll, Math.min(500 * tries, 3000));
        }).catch(reject);
      }
      poll();
    });
  };

  /* After a learner's posts are deleted: the list, and the open thread unless it was theirs. */
  Forum.prototype.afterUserPostsDeleted = function (user) {
    this.loadThreads();
    var thread = this.currentThread;
    if (thread && thread.author !== user) {
      this.openThreadQuietly(thread.id);
    }
  };

  /* The edit form of a thread: title, topic, type and body (as editable_fields allow), with a reason for a
   * moderator editing another's post. */
  Forum.prototype.editThread = function (thread, actionErrors) {
    var self = this;
    var form = el("form", {className: "forum-edit card card-body mb-3"});
    var errors = el("div", {className: "alert alert-danger py-2", attrs: {role: "alert"}, hidden: true});
    form.appendChild(el("h2", {className: "h5", text: this.t("edit_post")}));
    form.appendChild(errors);
    var title = null;
    var topic = null;
    var type = null;
    if (can(thread, "title")) {
      var titleId = uid("forum-edit-title");
      title = el("input", {className: "form-control", attrs: {id: titleId, type: "text", maxlength: "1000"}});
      title.value = thread.title;
      form.appendChild(el("div", {className: "mb-3"},
        el("label", {className: "form-label", attrs: {"for": titleId}, text: this.t("title")}), title));
    }
    if (can(thread, "topic_id") && !this.scopedTopic && Object.keys(this.topics).length) {
      var topicId = uid("forum-edit-topic");
      topic = el("select", {className: "form-select", attrs: {id: topicId}});
      Object.keys(this.topics).forEach(function (id) {
        topic.appendChild(el("option", {attrs: {value: id}, text: self.topicName(id)}));
      });
      topic.value = thread.topic_id;
      form.appendChild(el("div", {className: "mb-3"},
        el("label", {className: "form-label", attrs: {"for": topicId}, text: this.t("topic")}), topic));
    }
    if (can(thread, "type")) {
      var typeId = uid("forum-edit-type");
      type = el("select", {className: "form-select", attrs: {id: typeId}},
        el("option", {attrs: {value: "discussion"}, text: this.t("discussion")}),
        el("option", {attrs: {value: "question"}, text: this.t("question")}));
      type.value = thread.type;
      form.appendChild(el("div", {className: "mb-3"},
        el("label", {className: "form-label", attrs: {"for": typeId}, text: this.t("post_type")}), type));
    }
    var editor = can(thread, "raw_body") ? this.editor("raw_body", this.t("body"), thread.raw_body) : null;
    if (editor) { form.appendChild(editor.node); }
    var reason = this.editReasonSelect(thread, form);
    var save = el("button", {className: "btn btn-primary", attrs: {type: "submit"}, text: this.t("save")});
    form.appendChild(el("div", {className: "d-flex gap-2 mt-3"}, save,
      el("button", {className: "btn btn-outline-secondary", attrs: {type: "button"},
        on: {click: function () { self.showThread(thread); }}, text: this.t("cancel")})));
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var changes = {};
      if (title && title.value.trim() !== thread.title) { changes.title = title.value.trim(); }
      if (topic && topic.value !== thread.topic_id) { changes.topic_id = topic.value; }
      if (type && type.value !== thread.type) { changes.type = type.value; }
      if (editor && editor.textarea.value !== thread.raw_body) { changes.raw_body = editor.textarea.value; }
      if (reason && reason.value) { changes.edit_reason_code = reason.value; }
      if (!Object.keys(changes).length) { self.showThread(thread); return; }
      save.disabled = true;
      self.patch("thread", thread, changes, errors).then(function (updated) {
        self.showThread(updated);
        self.refreshListItem(updated);
      }, function () { save.disabled = false; });
    });
    this.showPane(form);
    actionErrors.hidden = true;
  };

  Forum.prototype.editReasonSelect = function (content, form) {
    if (!can(content, "edit_reason_code")) { return null; }
    var id = uid("forum-edit-reason");
    var select = el("select", {className: "form-select", attrs: {id: id}},
      el("option", {attrs: {value: ""}, text: this.t("no_reason")}));
    (this.course.edit_reasons || []).forEach(function (reason) {
      select.appendChild(el("option", {attrs: {value: reason.code}, text: reason.label}));
    });
    form.appendChild(el("div", {className: "mb-2"},
      el("label", {className: "form-label", attrs: {"for": id}, text: this.t("edit_reason")}), select));
    return select;
  };

  /* ---- responses and comments ------------------------------------------------------------------------- */

  Forum.prototype.loadResponses = function (thread, section) {
    var self = this;
    clear(section);
    var count = thread.response_count;
    var heading = el("h3", {className: "h5 forum-responses-heading",
      text: count === undefined || count === null ? this.t("responses_heading") : this.n("responses", count)});
    section.appendChild(heading);
    var lists = [];
    if (thread.type === "question") {
      lists.push({endorsed: "true", title: this.t("answers"), box: el("div", {className: "forum-response-list forum-answers"})});
      lists.push({endorsed: "false", title: this.t("other_responses"), box: el("div", {className: "forum-response-list"})});
    } else {
      lists.push({endorsed: null, title: "", box: el("div", {className: "forum-response-list"})});
    }
    lists.forEach(function (list) {
      var wrapper = el("div", {className: "mb-3"});
      if (list.title) { wrapper.appendChild(el("h4", {className: "h6 text-body-secondary", text: list.title})); }
      wrapper.appendChild(list.box);
      section.appendChild(wrapper);
      self.loadResponsePage(thread, list, 1);
    });
    if (!thread.closed && this.course.is_posting_enabled !== false) {
      section.appendChild(this.replyForm(thread, null, function () {
        self.api.get("v1/threads/" + encodeURIComponent(thread.id) + "/").then(function (fresh) {
          self.currentThread = fresh;
          self.loadResponses(fresh, section);
          self.refreshListItem(fresh);
        }).catch(function (error) { self.fail(error); });
      }));
    }
  };

  Forum.prototype.loadResponsePage = function (thread, list, page) {
    var self = this;
    var params = {thread_id: thread.id, page: page, page_size: PAGE_SIZE};
    if (list.endorsed !== null) { params.endorsed = list.endorsed; }
    var loading = el("p", {className: "small text-body-secondary forum-loading", text: this.t("loading")});
    list.box.appendChild(loading);
    return this.api.get("v1/comments/", params).then(function (answer) {
      loading.remove();
      var results = answer.results || [];
      if (!results.length && page === 1) {
        list.box.appendChild(el("p", {className: "small text-body-secondary forum-empty",
          text: list.endorsed === "true" ? self.t("no_answers") : self.t("no_responses")}));
      }
      results.forEach(function (response) { list.box.appendChild(self.responseNode(thread, response)); });
      if (answer.pagination && answer.pagination.next) {
        var more = el("button", {className: "btn btn-sm btn-outline-secondary forum-more-responses",
          attrs: {type: "button"}, text: self.t("load_more_responses"), on: {click: function () {
            more.remove();
            self.loadResponsePage(thread, list, page + 1);
          }}});
        list.box.appendChild(more);
      }
    }).catch(function (error) {
      loading.remove();
      var box = el("div", {className: "alert alert-danger py-2 small", attrs: {role: "alert"}});
      list.box.appendChild(box);
      self.fail(error, box);
    });
  };

  Forum.prototype.responseNode = function (thread, response) {
    var self = this;
    var question = thread.type === "question";
    var card = el("div", {className: "card mb-2 forum-response" + (response.endorsed ? " border-success forum-endorsed" : ""),
      attrs: {"data-comment-id": response.id}});
    var body = el("div", {className: "card-body py-2"});
    card.appendChild(body);
    var byline = el("div", {className: "small text-body-secondary d-flex flex-wrap gap-2 align-items-center mb-1"},
      this.authorNode(response, "author_label"), this.timeTag(response.created_at));
    this.learnerMenu(byline, response);
    if (response.endorsed) {
      var badge = el("span", {className: "badge text-bg-success forum-badge-endorsed"}, icon("check"), " ",
        question ? this.t("marked_answer") : this.t("endorsed"));
      byline.appendChild(badge);
      if (response.endorsed_by) {
        var by = el("span", {className: "forum-endorsed-by"},
          (question ? this.t("marked_answer_by") : this.t("endorsed_by")) + " ");
        by.appendChild(this.authorNode({author: response.endorsed_by, author_label: response.endorsed_by_label}, "author_label"));
        byline.appendChild(by);
      }
    }
    if (response.abuse_flagged) { byline.appendChild(this.badge("reported", "text-bg-danger", "flag")); }
    body.appendChild(byline);
    var text = el("div", {className: "forum-body forum-post-body"});
    setRendered(text, response.rendered_body);
    body.appendChild(text);
    if (response.last_edit) { body.appendChild(this.editNote(response.last_edit, response.edit_by_label)); }
    var errors = el("div", {className: "alert alert-danger py-1 small", attrs: {role: "alert"}, hidden: true});
    function replace(updated) {
      updated.children = response.children;
      updated.child_count = response.child_count;
      card.parentNode.replaceChild(self.responseNode(thread, updated), card);
    }
    body.appendChild(this.commentActions(thread, response, replace, card, errors, true));
    body.appendChild(errors);

    var comments = el("div", {className: "forum-comments ms-3 ms-md-4 border-start ps-3 mt-2"});
    (response.children || []).forEach(function (comment) { comments.appendChild(self.commentNode(thread, comment)); });
    var loaded = (response.children || []).length;
    if ((response.child_count || 0) > loaded) {
      var more = el("button", {className: "btn btn-link btn-sm px-0 forum-more-comments", attrs: {type: "button"},
        text: this.t("load_more_comments"), on: {click: function () {
          more.remove();
          self.loadComments(thread, response, comments, 1);
        }}});
      comments.appendChild(more);
    }
    body.appendChild(comments);
    if (!thread.closed && this.course.is_posting_enabled !== false) {
      var toggle = el("button", {className: "btn btn-link btn-sm px-0 forum-add-comment-toggle", attrs: {type: "button"},
        text: this.t("add_comment")});
      var form = this.replyForm(thread, response, function (comment) {
        comments.appendChild(self.commentNode(thread, comment));
      }, true);
      form.hidden = true;
      toggle.addEventListener("click", function () {
        form.hidden = false;
        toggle.hidden = true;
        var area = form.querySelector("textarea");
        if (area) { area.focus(); }
      });
      body.appendChild(toggle);
      body.appendChild(form);
    }
    return card;
  };

  /* Replies of a response past those the list included (GET v1/comments/<response id>/). */
  Forum.prototype.loadComments = function (thread, response, box, page) {
    var self = this;
    clear(box);
    return this.api.get("v1/comments/" + encodeURIComponent(response.id) + "/", {page: page, page_size: 100})
      .then(function (answer) {
        (answer.results || []).forEach(function (comment) { box.appendChild(self.commentNode(thread, comment)); });
      }).catch(function (error) {
        var alert = el("div", {className: "text-danger small", attrs: {role: "alert"}});
        box.appendChild(alert);
        self.fail(error, alert);
      });
  };

  Forum.prototype.commentNode = function (thread, comment) {
    var self = this;
    var node = el("div", {className: "forum-comment py-2", attrs: {"data-comment-id": comment.id}});
    var byline = el("div", {className: "small text-body-secondary d-flex flex-wrap gap-2 align-items-center"},
      this.authorNode(comment, "author_label"), this.timeTag(comment.created_at));
    this.learnerMenu(byline, comment);
    if (comment.abuse_flagged) { byline.appendChild(this.badge("reported", "text-bg-danger", "flag")); }
    node.appendChild(byline);
    var text = el("div", {className: "forum-body forum-post-body small"});
    setRendered(text, comment.rendered_body);
    node.appendChild(text);
    if (comment.last_edit) { node.appendChild(this.editNote(comment.last_edit, comment.edit_by_label)); }
    var errors = el("div", {className: "text-danger small", attrs: {role: "alert"}, hidden: true});
    node.appendChild(this.commentActions(thread, comment, function (updated) {
      node.parentNode.replaceChild(self.commentNode(thread, updated), node);
    }, node, errors, false));
    node.appendChild(errors);
    return node;
  };

  /* Votes, endorse / mark as answer, report, edit, delete of a response or comment. */
  Forum.prototype.commentActions = function (thread, comment, replace, container, errors, isResponse) {
    var self = this;
    var bar = el("div", {className: "d-flex flex-wrap gap-1 mt-1 forum-actions"});
    function toggle(field, value) {
      var changes = {};
      changes[field] = value;
      return function () { self.patch("comment", comment, changes, errors).then(replace, function () {}); };
    }
    if (can(comment, "voted") || comment.voted) {
      bar.appendChild(el("button", {className: "btn btn-sm btn-outline-primary forum-action forum-action-vote",
        attrs: {type: "button", "data-action": "vote", "aria-pressed": comment.voted ? "true" : "false",
          disabled: !can(comment, "voted")}, on: {click: toggle("voted", !comment.voted)}},
        icon(comment.voted ? "thumbs-up" : "thumbs-o-up"), " ", this.t("vote"), " ",
        el("span", {className: "badge text-bg-light forum-vote-count", text: String(comment.vote_count || 0)})));
    }
    if (isResponse && can(comment, "endorsed")) {
      var question = thread.type === "question";
      var key = comment.endorsed ? (question ? "unmark_answer" : "unendorse") : (question ? "mark_answer" : "endorse");
      bar.appendChild(this.actionButton(key, "check", comment.endorsed, function () {
        self.patch("comment", comment, {endorsed: !comment.endorsed}, errors).then(function () {
          self.openThreadQuietly(thread.id);
        }, function () {});
      }));
    }
    if (can(comment, "abuse_flagged")) {
      bar.appendChild(this.actionButton(comment.abuse_flagged ? "unreport" : "report", "flag", comment.abuse_flagged,
        toggle("abuse_flagged", !comment.abuse_flagged)));
    }
    if (can(comment, "raw_body")) {
      bar.appendChild(this.actionButton("edit", "pencil", null, function () {
        self.editComment(comment, container, replace);
      }));
    }
    if (comment.can_delete) {
      bar.appendChild(this.actionButton("delete", "trash-o", null, function () {
        self.confirmDelete(bar, comment.author !== self.username, function (reason) {
          return self.api.del("v1/comments/" + encodeURIComponent(comment.id) + "/", reason ? {reason: reason} : null)
            .then(function () {
              self.message(self.t("post_deleted"));
              container.remove();
            });
        });
      }, "text-danger"));
    }
    return bar;
  };

  /* After an endorsement the responses move between the lists: redraw the thread in place. */
  Forum.prototype.openThreadQuietly = function (threadId) {
    var self = this;
    return this.api.get("v1/threads/" + encodeURIComponent(threadId) + "/").then(function (thread) {
      self.showThread(thread, {keepFocus: true});
      self.refreshListItem(thread);
    }).catch(function (error) { self.fail(error); });
  };

  Forum.prototype.editComment = function (comment, container, replace) {
    var self = this;
    var form = el("form", {className: "forum-edit-comment border rounded p-2 my-2"});
    var errors = el("div", {className: "alert alert-danger py-1 small", attrs: {role: "alert"}, hidden: true});
    form.appendChild(errors);
    var editor = this.editor("raw_body", this.t("edit_response"), comment.raw_body, {rows: 4});
    form.appendChild(editor.node);
    var reason = this.editReasonSelect(comment, form);
    var save = el("button", {className: "btn btn-sm btn-primary", attrs: {type: "submit"}, text: this.t("save")});
    form.appendChild(el("div", {className: "d-flex gap-2"}, save,
      el("button", {className: "btn btn-sm btn-outline-secondary", attrs: {type: "button"},
        on: {click: function () { form.remove(); }}, text: this.t("cancel")})));
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var changes = {raw_body: editor.textarea.value};
      if (reason && reason.value) { changes.edit_reason_code = reason.value; }
      save.disabled = true;
      self.patch("comment", comment, changes, errors).then(function (updated) {
        replace(updated);
      }, function () { save.disabled = false; });
    });
    container.appendChild(form);
    editor.textarea.focus();
  };

  /* The form adding a response to a thread (parent null) or a comment to a response. */
  Forum.prototype.replyForm = function (thread, parent, done, compact) {
    var self = this;
    var form = el("form", {className: "forum-reply mt-2" + (compact ? "" : " card card-body")});
    var errors = el("div", {className: "alert alert-danger py-1 small", attrs: {role: "alert"}, hidden: true});
    if (!compact) { form.appendChild(el("h3", {className: "h6", text: this.t("add_response")})); }
    form.appendChild(errors);
    var editor = this.editor("raw_body", parent ? this.t("comment") : this.t("response"), "", {rows: compact ? 2 : 4});
    form.appendChild(editor.node);
    var submit = el("button", {className: "btn btn-sm btn-primary", attrs: {type: "submit"},
      text: parent ? this.t("submit_comment") : this.t("submit_response")});
    form.appendChild(el("div", {className: "d-flex gap-2"}, submit));
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      errors.hidden = true;
      var text = editor.textarea.value;
      if (!text.trim()) {
        errors.textContent = self.t("error_required", {fields: parent ? self.t("comment") : self.t("response")});
        errors.hidden = false;
        return;
      }
      var body = {thread_id: thread.id, raw_body: text};
      if (parent) { body.parent_id = parent.id; }
      submit.disabled = true;
      self.api.post("v1/comments/", body).then(function (comment) {
        submit.disabled = false;
        editor.textarea.value = "";
        editor.textarea.dispatchEvent(new Event("input"));
        self.message(parent ? self.t("comment_added") : self.t("response_added"));
        done(comment);
      }).catch(function (error) {
        submit.disabled = false;
        self.fail(error, errors);
      });
    });
    return form;
  };

  /* ---- start ------------------------------------------------------------------------------------------ */

  function startAll() {
    var forums = [];
    Array.prototype.forEach.call(document.querySelectorAll("[data-forum-mode]"), function (root) {
      if (root.getAttribute("data-forum-started")) { return; }
      root.setAttribute("data-forum-started", "true");
      var forum = new Forum(root);
      forums.push(forum);
      forum.start();
    });
    window.addEventListener("popstate", function () {
      forums.forEach(function (forum) {
        if (forum.mode !== "tab") { return; }
        var match = window.location.pathname.match(/\/threads\/([^/]+)$/);
        if (match) {
          forum.openThread(decodeURIComponent(match[1]));
        } else {
          forum.currentThread = null;
          forum.showHome();
        }
      });
    });
  }

  window.KampusForum = Forum;
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", startAll);
  } else {
    startAll();
  }
}());
