/* Studio's import (resumable chunked upload, then the import task's progress) and export pages. */
(function () {
  "use strict";

  function el(id) { return document.getElementById(id); }

  function setBar(percent, state) {
    var holder = el("studio-import-progress");
    var bar = holder.querySelector(".progress-bar");
    var pct = Math.max(0, Math.min(100, Math.round(percent)));
    bar.style.width = pct + "%";
    bar.textContent = pct + "%";
    holder.setAttribute("aria-valuenow", pct);
    bar.classList.toggle("bg-danger", state === "failed");
    bar.classList.toggle("bg-success", state === "succeeded");
  }

  function problemList(list, problems, cls, lineWord) {
    list.textContent = "";
    (problems || []).forEach(function (p) {
      var li = document.createElement("li");
      li.className = "list-group-item " + cls;
      var code = document.createElement("code");
      code.textContent = p.file + (p.line ? ", " + lineWord + " " + p.line : "");
      li.appendChild(code);
      li.appendChild(document.createTextNode(": " + p.message));
      list.appendChild(li);
    });
  }

  function sleep(ms) { return new Promise(function (resolve) { setTimeout(resolve, ms); }); }

  function importPage(form) {
    var d = form.dataset;
    var api = d.api;
    var status = el("studio-import-status");
    var message = el("studio-import-message");

    function say(text) { message.textContent = text; }

    function showUpload(upload) {
      status.hidden = false;
      el("studio-import-file").textContent = upload.filename;
      problemList(el("studio-import-errors"), upload.errors, "list-group-item-danger", d.msgLine);
      problemList(el("studio-import-warnings"), upload.warnings, "list-group-item-warning", d.msgLine);
      el("studio-import-warnings-title").hidden = !(upload.warnings && upload.warnings.length);
      el("studio-import-done").hidden = upload.state !== "succeeded";
      if (upload.state === "succeeded") { setBar(100, "succeeded"); say(d.msgSucceeded); }
      else if (upload.state === "failed") { setBar(100, "failed"); say(d.msgFailed); }
      else if (upload.state === "importing") {
        var p = upload.progress || {};
        setBar(p.percent || 0);
        say(d.msgImporting + (p.message ? ": " + p.message : ""));
      }
    }

    function json(response) {
      return response.json().catch(function () { return {}; }).then(function (body) {
        return {status: response.status, body: body};
      });
    }

    function watch(url) {
      return kampusFetch(url).then(json).then(function (answer) {
        if (answer.status !== 200) { say(d.msgUploadFailed + " " + (answer.body.user_message || answer.status)); return; }
        showUpload(answer.body);
        if (answer.body.state === "importing") { return sleep(700).then(function () { return watch(url); }); }
      }, function () { return sleep(2000).then(function () { return watch(url); }); });
    }

    async function currentOffset(url) {
      for (var attempt = 0; ; attempt++) {
        try {
          var answer = await json(await kampusFetch(url));
          if (answer.status === 200) { return answer.body; }
          return null;
        } catch (e) {
          await sleep(Math.min(30000, 1000 * Math.pow(2, attempt)));
        }
      }
    }

    // The SHA-256 of the file's first 64 KiB names the file: the server refuses to resume an upload of another
    // file with it (only where the browser offers Web Crypto: https or localhost).
    async function fingerprint(file) {
      if (!window.crypto || !window.crypto.subtle) { return null; }
      var digest = await window.crypto.subtle.digest("SHA-256", await file.slice(0, 65536).arrayBuffer());
      return Array.from(new Uint8Array(digest)).map(function (b) { return b.toString(16).padStart(2, "0"); }).join("");
    }

    async function upload(file) {
      var key = "kampus-import:" + d.courseId + ":" + file.name + ":" + file.size + ":" + file.lastModified;
      var print = await fingerprint(file);
      var chunkSize = parseInt(d.chunkSize, 10);
      var session = null;
      var saved = window.localStorage ? localStorage.getItem(key) : null;
      if (saved) {
        session = await currentOffset(api + saved);
        if (session && session.state !== "uploading") { session = null; }
        if (session && session.next_offset > 0) { say(d.msgResuming + " " + session.next_offset); }
      }
      if (!session) {
        var started = await json(await kampusFetch(api, {
          method: "POST", headers: {"Content-Type": "application/json"},
          body: JSON.stringify({filename: file.name, size: file.size})
        }));
        if (started.status !== 201) { throw new Error(started.body.user_message || String(started.status)); }
        session = started.body;
        if (window.localStorage) { localStorage.setItem(key, session.upload_id); }
      }
      chunkSize = Math.min(chunkSize, session.chunk_size || chunkSize);
      var url = api + session.upload_id;
      var offset = session.next_offset;
      var failures = 0;
      status.hidden = false;
      el("studio-import-file").textContent = file.name;
      problemList(el("studio-import-errors"), [], "", d.msgLine);
      problemList(el("studio-import-warnings"), [], "", d.msgLine);
      el("studio-import-warnings-title").hidden = true;
      el("studio-import-done").hidden = true;
      while (offset < file.size) {
        var end = Math.min(offset + chunkSize, file.size);
        setBar(100 * offset / file.size);
        say(d.msgUploading + ": " + Math.round(100 * offset / file.size) + "%");
        var answer;
        try {
          answer = await json(await kampusFetch(url, {
            method: "PUT", body: file.slice(offset, end),
            headers: Object.assign({"Content-Range": "bytes " + offset + "-" + (end - 1) + "/" + file.size,
                                    "Content-Type": "application/octet-stream"},
                                   print ? {"X-Kampus-File-Fingerprint": print} : {})
          }));
        } catch (e) {
          answer = null;
        }
        if (answer && answer.status === 200) { offset = answer.body.next_offset; failures = 0; continue; }
        if (answer && answer.status === 409 && typeof answer.body.next_offset === "number") {
          offset = answer.body.next_offset; continue;
        }
        if (answer && answer.status >= 400 && answer.status < 500 && answer.body.error_code !== "incomplete_chunk") {
          if (window.localStorage) { localStorage.removeItem(key); }
          throw new Error(answer.body.user_message || String(answer.status));
        }
        // The connection dropped or the server failed: ask where to resume, then go on.
        failures += 1;
        say(d.msgRetrying + "…");
        await sleep(Math.min(30000, 500 * Math.pow(2, failures)));
        var now = await currentOffset(url);
        if (!now) { throw new Error(d.msgUploadFailed); }
        offset = now.next_offset;
      }
      var finished = await json(await kampusFetch(url + "/finish", {method: "POST"}));
      if (window.localStorage) { localStorage.removeItem(key); }
      if (finished.status !== 202) { throw new Error(finished.body.user_message || String(finished.status)); }
      setBar(0);
      showUpload(finished.body);
      await watch(url);
    }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var input = el("course-archive");
      var file = input.files && input.files[0];
      input.classList.remove("is-invalid");
      if (!file || !/\.(tar\.gz|tgz)$/i.test(file.name)) {
        status.hidden = false; say(d.msgWrongFormat); input.classList.add("is-invalid"); input.focus(); return;
      }
      if (file.size > parseInt(d.maxBytes, 10)) {
        status.hidden = false; say(d.msgTooLarge); input.classList.add("is-invalid"); input.focus(); return;
      }
      var button = el("studio-import-start");
      button.disabled = true;
      upload(file).catch(function (error) {
        setBar(100, "failed");
        say(d.msgUploadFailed + " " + error.message);
      }).finally(function () { button.disabled = false; });
    });

    var watching = el("studio-import-watch");
    if (watching) { watch(watching.dataset.url); }
  }

  function exportPage(section) {
    var url = section.dataset.url;
    var bar = section.querySelector(".progress-bar");
    var holder = section.querySelector(".progress");
    var message = el("studio-export-message");
    var link = el("studio-export-download");
    function poll() {
      kampusFetch(url).then(function (r) { return r.json(); }).then(function (s) {
        var pct = Math.round(s.download_url ? 100 : s.percent || 0);
        bar.style.width = pct + "%"; bar.textContent = pct + "%"; holder.setAttribute("aria-valuenow", pct);
        if (s.download_url) {
          bar.classList.add("bg-success"); message.textContent = section.dataset.msgDone;
          link.href = s.download_url; link.hidden = false; return;
        }
        if (s.state === "FAILURE") {
          bar.classList.add("bg-danger"); message.textContent = section.dataset.msgFailed + " " + (s.error || "");
          return;
        }
        message.textContent = s.message || "";
        setTimeout(poll, 700);
      });
    }
    if (link.hidden) { poll(); }
  }

  var form = el("studio-import-form");
  if (form) { importPage(form); }
  var exported = el("studio-export-status");
  if (exported) { exportPage(exported); }
})();
