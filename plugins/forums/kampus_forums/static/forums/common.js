/* What the forums' browser scripts share (discussion.js, moderation.js): a DOM builder that sets text as
 * textContent, and the REST call that answers JSON or throws an ApiError with Open edX's error body. */
(function () {
  "use strict";

  /* el("button", {className, text, attrs, on, hidden}, child...): an element; text is set as textContent. */
  function el(tag, props) {
    var node = document.createElement(tag);
    props = props || {};
    if (props.className) { node.className = props.className; }
    if (props.text !== undefined && props.text !== null) { node.textContent = String(props.text); }
    if (props.attrs) {
      Object.keys(props.attrs).forEach(function (name) {
        var value = props.attrs[name];
        if (value !== undefined && value !== null && value !== false) {
          node.setAttribute(name, value === true ? "" : String(value));
        }
      });
    }
    if (props.on) {
      Object.keys(props.on).forEach(function (name) { node.addEventListener(name, props.on[name]); });
    }
    if (props.hidden) { node.hidden = true; }
    for (var i = 2; i < arguments.length; i++) {
      var child = arguments[i];
      if (child === null || child === undefined || child === false) { continue; }
      node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    }
    return node;
  }

  function clear(node) {
    while (node.firstChild) { node.removeChild(node.firstChild); }
    return node;
  }

  function ApiError(status, body) {
    this.status = status;
    this.body = body || {};
  }

  /* A call of the REST API: `params` go in the query string (empty ones left out), `body` as JSON (or as
   * `contentType`, e.g. application/merge-patch+json). Resolves with the JSON answer (null for 204). */
  function request(method, url, params, body, contentType) {
    if (params) {
      var query = new URLSearchParams();
      Object.keys(params).forEach(function (key) {
        var value = params[key];
        if (value !== undefined && value !== null && value !== "") { query.set(key, value); }
      });
      var text = query.toString();
      if (text) { url += (url.indexOf("?") < 0 ? "?" : "&") + text; }
    }
    var options = {method: method, headers: {}};
    if (body !== undefined) {
      options.headers["Content-Type"] = contentType || "application/json";
      options.body = JSON.stringify(body);
    }
    var fetcher = window.kampusFetch || function (address, opts) {
      var meta = document.querySelector('meta[name="csrf-token"]');
      opts.headers["X-CSRFToken"] = meta ? meta.content : "";
      opts.headers.Accept = "application/json";
      opts.credentials = "same-origin";
      return window.fetch(address, opts);
    };
    return fetcher(url, options).then(function (response) {
      if (response.status === 204) { return null; }
      return response.text().then(function (text) {
        var data = null;
        try { data = text ? JSON.parse(text) : null; } catch (error) { data = {developer_message: text}; }
        if (!response.ok) { throw new ApiError(response.status, data); }
        return data;
      });
    });
  }

  window.KampusForums = {el: el, clear: clear, ApiError: ApiError, request: request};
}());
