// Fieldcast uploads: the upload widget (tus-js-client), live file states, thumbnail preview.
// Progressive: without JavaScript the item form is a text post and the pages still list
// each file's state as it was when they were rendered.
(function () {
  "use strict";
  if (window.fieldcastUploads) { return; }  // included by more than one part of a page
  window.fieldcastUploads = true;

  var CHUNK_SIZE = 8 * 1024 * 1024;
  var RETRY_DELAYS = [0, 1000, 3000, 5000, 10000, 20000];
  var POLL_MS = 2000;

  // --- small helpers --------------------------------------------------------------------------

  function cookie(name) {
    var match = document.cookie.match(new RegExp("(?:^|; )" + name + "=([^;]*)"));
    return match ? decodeURIComponent(match[1]) : "";
  }

  function csrfToken(form) {
    var field = form && form.querySelector("input[name=csrfmiddlewaretoken]");
    return cookie("csrftoken") || (field ? field.value : "");
  }

  function formatBytes(bytes) {
    if (bytes >= 1e9) { return (bytes / 1e9).toFixed(2) + " GB"; }
    if (bytes >= 1e6) { return (bytes / 1e6).toFixed(1) + " MB"; }
    if (bytes >= 1e3) { return Math.round(bytes / 1e3) + " kB"; }
    return bytes + " bytes";
  }

  function formatDuration(seconds) {
    if (!isFinite(seconds)) { return ""; }
    seconds = Math.max(0, Math.round(seconds));
    if (seconds < 60) { return seconds + " s"; }
    var minutes = Math.floor(seconds / 60);
    if (minutes < 60) { return minutes + " min " + (seconds % 60) + " s"; }
    return Math.floor(minutes / 60) + " h " + (minutes % 60) + " min";
  }

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) { node.setAttribute(key, attrs[key]); });
    if (text) { node.textContent = text; }
    return node;
  }

  // Set a live region's text only when it changes, so a poll does not repeat itself aloud.
  function announce(region, text) {
    if (region && region.textContent !== text) { region.textContent = text; }
  }

  // The server's own words when it refused (e.g. 413 "The file is larger than ..."),
  // else a plain description of what went wrong.
  function errorText(err) {
    var response = err && err.originalResponse;
    if (response) {
      var body = (response.getBody() || "").trim();
      var status = response.getStatus();
      if (status === 403 && /log in/i.test(body)) { return "Your session ended: log in again (in another tab), then press Retry."; }
      if (body && body.length < 400 && !/^\s*</.test(body)) { return body; }
      return "The server refused the upload (HTTP " + status + ").";
    }
    if (!navigator.onLine) { return "You are offline. The upload resumes when you press Retry."; }
    return "The connection broke off. Press Retry to continue where it stopped.";
  }

  // --- file states: poll /uploads/assets/status for elements marked data-asset-poll --------

  var statusHolder = document.querySelector("[data-asset-status-url]");
  var statusUrl = statusHolder ? statusHolder.getAttribute("data-asset-status-url") : "";
  var pollTimer = null;
  var stateListeners = [];

  function pollTargets() {
    return Array.prototype.filter.call(document.querySelectorAll("[data-asset-poll][data-asset-id]"), function (node) {
      return !node.hasAttribute("data-done");
    });
  }

  function schedulePoll() {
    if (pollTimer || !statusUrl || !pollTargets().length) { return; }
    pollTimer = setTimeout(function () { pollTimer = null; pollOnce(); }, POLL_MS);
  }

  function pollOnce() {
    var targets = pollTargets();
    if (!targets.length) { return; }
    var ids = targets.map(function (node) { return node.getAttribute("data-asset-id"); });
    var url = statusUrl + "?ids=" + encodeURIComponent(Array.from(new Set(ids)).join(","));
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : { assets: {} }; })
      .then(function (data) {
        targets.forEach(function (node) {
          var state = data.assets[node.getAttribute("data-asset-id")];
          if (state) { showState(node, state); }
        });
        stateListeners.forEach(function (listener) { listener(); });
      })
      .catch(function () { /* offline for a moment: the next poll tries again */ })
      .then(schedulePoll);
  }

  function showState(node, state) {
    var label = node.querySelector("[data-asset-label]");
    if (label) { label.textContent = state.label; }
    var bar = node.querySelector("progress");
    if (bar) { bar.value = state.progress; bar.hidden = state.done; }
    node.className = node.className.replace(/\basset-(pending|processing|ready|failed)\b/g, "").trim() +
      " asset-" + state.status;
    node.setAttribute("data-status", state.status);
    if (state.done) { node.setAttribute("data-done", "1"); }
    var rowNode = node.closest("[data-upload]");
    var row = rowNode && rowNode.uploadRow;
    if (row) {
      rowNode.setAttribute("data-status", state.status);
      if (!row.knownName && state.name) { row.setName(state.name); }
      if (state.done) {
        var region = rowNode.closest("[data-uploader]").querySelector("[data-upload-announce]");
        announce(region, state.status === "failed" ? row.name() + " could not be processed: " + state.failure_reason
          : row.name() + " is processed and ready.");
      }
    }
  }

  // --- the upload widget ----------------------------------------------------------------------

  function Uploader(root) {
    this.root = root;
    this.form = root.closest("form");
    this.list = root.querySelector("[data-upload-list]");
    this.input = root.querySelector("input[type=file]");
    this.field = root.querySelector("[data-assets-field]");
    this.region = root.querySelector("[data-upload-announce]");
    this.endpoint = root.getAttribute("data-endpoint");
    this.rows = [];
    this.submits = this.form ? Array.prototype.slice.call(this.form.querySelectorAll("[type=submit]")) : [];
    this.wait = null;
    this.init();
  }

  Uploader.prototype.init = function () {
    var self = this;
    reveal(this.root);
    if (!window.tus || !window.tus.isSupported) {
      this.input.disabled = true;
      announce(this.region, "This browser cannot upload files here. Try a current Firefox, Chrome or Safari.");
      return;
    }
    if (this.submits.length) {
      var last = this.submits[this.submits.length - 1];
      this.wait = el("p", { "class": "upload-wait", "aria-live": "polite", id: this.root.id + "-wait" });
      last.parentNode.parentNode.insertBefore(this.wait, last.parentNode);
      this.submits.forEach(function (button) {
        button.setAttribute("aria-describedby", self.wait.id);
      });
    }
    this.input.addEventListener("change", function () {
      self.addFiles(self.input.files);
      self.input.value = "";
    });
    var zone = this.root.querySelector("[data-dropzone]");
    ["dragenter", "dragover"].forEach(function (type) {
      zone.addEventListener(type, function (event) {
        if (event.dataTransfer && Array.prototype.indexOf.call(event.dataTransfer.types, "Files") >= 0) {
          event.preventDefault();
          zone.classList.add("dropzone-active");
        }
      });
    });
    ["dragleave", "drop"].forEach(function (type) {
      zone.addEventListener(type, function () { zone.classList.remove("dropzone-active"); });
    });
    zone.addEventListener("drop", function (event) {
      event.preventDefault();
      if (event.dataTransfer && event.dataTransfer.files.length) { self.addFiles(event.dataTransfer.files); }
    });
    if (this.form) {
      this.form.addEventListener("submit", function (event) {
        if (self.blocker()) {
          event.preventDefault();
          self.refresh();
          if (self.wait) { self.wait.focus(); }
        }
      });
    }
    window.addEventListener("beforeunload", function (event) {
      if (self.uploading().length && !self.submitting) { event.preventDefault(); event.returnValue = ""; }
    });
    if (this.form) { this.form.addEventListener("submit", function () { self.submitting = true; }); }
    stateListeners.push(function () { self.refresh(); });
    // After a refused submit the page comes back with the ids already uploaded: show them again.
    var earlier = this.field.value.split(",").map(function (id) { return id.trim(); }).filter(Boolean);
    earlier.forEach(function (id) { self.addDone(id); });
    if (earlier.length) { pollOnce(); }
    this.showPrevious();
    this.refresh();
  };

  function reveal(root) {
    root.hidden = false;
    var fallback = root.parentNode.querySelector("[data-upload-fallback]");
    if (fallback) { fallback.hidden = true; }
    var form = root.closest("form");
    if (form) {
      Array.prototype.forEach.call(form.querySelectorAll("[data-upload-reveal]"), function (node) { node.hidden = false; });
    }
  }

  // Unfinished uploads from an earlier visit (tus keeps their URLs in localStorage): say how to resume.
  Uploader.prototype.showPrevious = function () {
    var self = this;
    var storage = window.tus.defaultOptions && window.tus.defaultOptions.urlStorage;
    if (!storage || !storage.findAllUploads) { return; }
    storage.findAllUploads().then(function (previous) {
      var names = previous.map(function (p) { return p.metadata && p.metadata.filename; }).filter(Boolean);
      if (!names.length) { return; }
      var note = self.root.querySelector("[data-upload-previous]");
      note.textContent = "Unfinished upload" + (names.length > 1 ? "s" : "") + " from before: " +
        Array.from(new Set(names)).join(", ") + ". Choose the same file again and it continues where it stopped.";
      note.hidden = false;
    });
  };

  Uploader.prototype.addFiles = function (files) {
    var self = this;
    Array.prototype.forEach.call(files, function (file) { self.startUpload(file); });
    this.refresh();
  };

  Uploader.prototype.makeRow = function (name) {
    var self = this;
    var row = { node: el("li", { "class": "upload", "data-upload": "" }), upload: null, assetId: "", state: "uploading" };
    var head = el("div", { "class": "upload-head" });
    var title = el("span", { "class": "upload-name", dir: "auto", "data-name": "" }, name || "");
    row.sizeNode = el("span", { "class": "upload-size" });
    head.appendChild(title);
    head.appendChild(row.sizeNode);
    row.node.appendChild(head);
    row.bar = el("progress", { max: "100", value: "0" });
    row.meta = el("p", { "class": "upload-meta" });
    row.node.appendChild(row.bar);
    row.node.appendChild(row.meta);
    row.stateNode = el("p", { "class": "asset-state", "data-asset-poll": "" });
    row.stateNode.appendChild(el("span", { "data-asset-label": "" }));
    row.stateNode.appendChild(el("progress", { max: "100", value: "0", hidden: "" }));
    row.stateNode.hidden = true;
    row.node.appendChild(row.stateNode);
    row.errorNode = el("p", { "class": "error", "data-error": "" });
    row.errorNode.hidden = true;
    row.node.appendChild(row.errorNode);
    var actions = el("div", { "class": "upload-actions" });
    row.pause = self.button(actions, "Pause", "pause");
    row.up = self.button(actions, "Move up", "up");
    row.down = self.button(actions, "Move down", "down");
    row.remove = self.button(actions, "Remove", "remove");
    row.node.appendChild(actions);
    row.setName = function (text) {
      row.knownName = Boolean(text);
      title.textContent = text;
      text = text || "this file";
      row.bar.setAttribute("aria-label", "Upload of " + text);
      row.stateNode.lastChild.setAttribute("aria-label", "Processing of " + text);
      [row.pause, row.up, row.down, row.remove].forEach(function (button) {
        button.setAttribute("aria-label", button.textContent + ": " + text);
      });
    };
    row.name = function () { return title.textContent || "This file"; };
    row.node.uploadRow = row;
    row.setName(name || "");
    row.pause.addEventListener("click", function () { self.togglePause(row); });
    row.up.addEventListener("click", function () { self.move(row, -1, row.up); });
    row.down.addEventListener("click", function () { self.move(row, 1, row.down); });
    row.remove.addEventListener("click", function () { self.removeRow(row); });
    this.list.appendChild(row.node);
    this.rows.push(row);
    return row;
  };

  Uploader.prototype.button = function (parent, text, action) {
    var button = el("button", { type: "button", "class": "button button-secondary button-small", "data-action": action }, text);
    parent.appendChild(button);
    return button;
  };

  Uploader.prototype.startUpload = function (file) {
    var self = this;
    var row = this.makeRow(file.name);
    row.sizeNode.textContent = formatBytes(file.size);
    row.samples = [];
    var upload = new window.tus.Upload(file, {
      endpoint: this.endpoint,
      chunkSize: CHUNK_SIZE,
      retryDelays: RETRY_DELAYS,
      headers: { "X-CSRFToken": csrfToken(this.form) },
      metadata: { filename: file.name, filetype: file.type || "application/octet-stream" },
      removeFingerprintOnSuccess: true,
      onProgress: function (sent, total) { self.progress(row, sent, total); },
      onAfterResponse: function (req, res) {
        var id = res.getHeader("Fieldcast-Asset");
        if (id) { row.assetId = id; }
      },
      onSuccess: function (payload) {
        var id = payload && payload.lastResponse && payload.lastResponse.getHeader("Fieldcast-Asset");
        if (id) { row.assetId = id; }
        self.finished(row);
      },
      onError: function (err) { self.failed(row, err); }
    });
    row.upload = upload;
    this.setMeta(row, "Starting …");
    upload.findPreviousUploads().then(function (previous) {
      if (previous.length) {
        upload.resumeFromPreviousUpload(previous[0]);
        self.setMeta(row, "Resuming where it stopped …");
      }
      if (row.state === "uploading") { upload.start(); }
    });
  };

  Uploader.prototype.setMeta = function (row, text) { row.meta.textContent = text; };

  Uploader.prototype.progress = function (row, sent, total) {
    var now = Date.now();
    row.samples.push([now, sent]);
    while (row.samples.length > 2 && now - row.samples[0][0] > 5000) { row.samples.shift(); }
    if (row.lastPaint && now - row.lastPaint < 200 && sent < total) { return; }
    row.lastPaint = now;
    var percent = total ? Math.floor(sent / total * 100) : 0;
    row.bar.value = percent;
    var first = row.samples[0];
    var seconds = (now - first[0]) / 1000;
    var speed = seconds > 0.3 ? (sent - first[1]) / seconds : 0;
    var parts = [percent + "%", formatBytes(sent) + " of " + formatBytes(total)];
    if (speed > 0) {
      parts.push((speed / 1e6).toFixed(1) + " MB/s");
      if (sent < total) { parts.push(formatDuration((total - sent) / speed) + " left"); }
    }
    this.setMeta(row, parts.join(" · "));
  };

  Uploader.prototype.finished = function (row) {
    row.state = "done";
    row.bar.value = 100;
    row.pause.hidden = true;
    row.errorNode.hidden = true;
    this.setMeta(row, "100% · uploaded");
    if (!row.assetId) {
      row.state = "error";
      row.errorNode.textContent = "Uploaded, but the server did not say which file it became: remove it and upload it again.";
      row.errorNode.hidden = false;
    } else {
      this.watch(row);
    }
    announce(this.region, row.name() + " is uploaded." + (this.uploading().length ? "" : " All uploads are done."));
    this.refresh();
  };

  // A finished upload: its processing state comes from the status endpoint.
  Uploader.prototype.watch = function (row) {
    row.stateNode.setAttribute("data-asset-id", row.assetId);
    row.stateNode.firstChild.textContent = "Uploaded, waiting for a worker";
    row.stateNode.hidden = false;
    row.node.setAttribute("data-asset-id", row.assetId);
    schedulePoll();
  };

  // An id that was uploaded before this page was rendered (the form came back with an error).
  Uploader.prototype.addDone = function (id) {
    var row = this.makeRow("");
    row.assetId = id;
    row.state = "done";
    row.bar.hidden = true;
    row.meta.hidden = true;
    row.pause.hidden = true;
    this.watch(row);
  };

  Uploader.prototype.failed = function (row, err) {
    row.state = "error";
    row.errorNode.textContent = errorText(err);
    row.errorNode.hidden = false;
    var refused = err && err.originalResponse && err.originalResponse.getStatus() >= 400 &&
      err.originalResponse.getStatus() < 500 && err.originalResponse.getStatus() !== 403;
    row.refused = refused;
    if (refused) {
      row.pause.hidden = true;  // the same bytes would be refused again
      row.bar.hidden = true;
      this.setMeta(row, "Not uploaded");
    } else {
      row.pause.textContent = "Retry";
      row.setName(row.name());
    }
    if (!refused) { this.setMeta(row, "Stopped at " + row.bar.value + "%"); }
    announce(this.region, row.name() + ": " + row.errorNode.textContent);
    this.refresh();
  };

  Uploader.prototype.togglePause = function (row) {
    var self = this;
    if (row.state === "uploading") {
      row.state = "paused";
      row.upload.abort();
      row.pause.textContent = "Resume";
      this.setMeta(row, "Paused at " + row.bar.value + "%");
      announce(this.region, row.name() + " is paused.");
    } else if (row.state === "paused" || row.state === "error") {
      row.state = "uploading";
      row.errorNode.hidden = true;
      row.pause.textContent = "Pause";
      row.samples = [];
      this.setMeta(row, "Resuming …");
      row.upload.start();
      announce(this.region, row.name() + " is uploading again.");
    }
    row.setName(row.name());
    row.pause.focus();
    self.refresh();
  };

  Uploader.prototype.move = function (row, step, button) {
    var index = this.rows.indexOf(row);
    var target = index + step;
    if (target < 0 || target >= this.rows.length) { return; }
    this.rows.splice(index, 1);
    this.rows.splice(target, 0, row);
    if (step < 0) {
      this.list.insertBefore(row.node, this.rows[target + 1].node);
    } else {
      this.list.insertBefore(row.node, this.rows[target - 1].node.nextSibling);
    }
    button.focus();
    announce(this.region, row.name() + " moved to position " + (target + 1) + " of " + this.rows.length + ".");
    this.refresh();
  };

  Uploader.prototype.removeRow = function (row) {
    var index = this.rows.indexOf(row);
    if (row.upload && row.state !== "done") { row.upload.abort(true).catch(function () { /* expires on its own */ }); }
    row.state = "removed";
    this.rows.splice(index, 1);
    row.node.remove();
    var next = this.rows[Math.min(index, this.rows.length - 1)];
    (next ? next.remove : this.input).focus();
    announce(this.region, row.name() + " removed.");
    this.refresh();
  };

  Uploader.prototype.uploading = function () {
    return this.rows.filter(function (row) { return row.state === "uploading" || row.state === "paused"; });
  };

  // Why the form may not be sent yet, or "" when it may.
  Uploader.prototype.blocker = function () {
    var running = this.uploading();
    if (running.length) {
      return (this.submits[0] ? this.submits[0].textContent.trim() : "Sending") + " waits until " +
        (running.length === 1 ? running[0].name() + " is uploaded" : running.length + " uploads finish") +
        (running.some(function (r) { return r.state === "paused"; }) ? " (resume the paused ones)." : ".");
    }
    var broken = this.rows.filter(function (row) {
      return row.state === "error" || row.node.getAttribute("data-status") === "failed";
    })[0];
    if (broken) {
      if (broken.state !== "error") { return "Remove " + broken.name() + " first: it could not be processed."; }
      if (broken.refused) { return "Remove " + broken.name() + " first: the server refused it."; }
      return broken.name() + " stopped uploading: press Retry, or remove it.";
    }
    return "";
  };

  Uploader.prototype.refresh = function () {
    var self = this;
    this.field.value = this.rows.filter(function (row) { return row.assetId && row.state === "done"; })
      .map(function (row) { return row.assetId; }).join(",");
    this.rows.forEach(function (row, index) {
      row.up.disabled = index === 0;
      row.down.disabled = index === self.rows.length - 1;
    });
    this.list.hidden = !this.rows.length;
    var reason = this.blocker();
    this.submits.forEach(function (button) { button.disabled = !!reason; });
    if (this.wait) { announce(this.wait, reason); this.wait.hidden = !reason; }
  };

  // --- processing blocks polled by htmx: announce changes of state, not every percent ----------

  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail && event.detail.target;
    if (!target || !target.hasAttribute("data-processing")) { return; }
    var summary = target.querySelector("[data-announce]");
    var region = document.getElementById(target.getAttribute("data-announce-into"));
    if (summary && region) { announce(region, summary.textContent.trim()); }
  });

  // --- choosing a video frame as thumbnail: preview from the sprite sheet ---------------------

  function parseVtt(text, base) {
    var cues = [];
    var blocks = text.replace(/\r/g, "").split("\n\n");
    blocks.forEach(function (block) {
      var lines = block.split("\n");
      for (var i = 0; i < lines.length - 1; i++) {
        var times = /([\d:.]+)\s+-->\s+([\d:.]+)/.exec(lines[i]);
        var target = /^(.*)#xywh=(\d+),(\d+),(\d+),(\d+)/.exec(lines[i + 1] || "");
        if (times && target) {
          cues.push({ start: seconds(times[1]), end: seconds(times[2]), url: new URL(target[1], base).href,
            x: +target[2], y: +target[3], w: +target[4], h: +target[5] });
        }
      }
    });
    return cues;
  }

  function seconds(stamp) {
    return stamp.split(":").reduce(function (total, part) { return total * 60 + parseFloat(part); }, 0);
  }

  Array.prototype.forEach.call(document.querySelectorAll("[data-thumb-form]"), function (form) {
    var input = form.querySelector("input[name=time]");
    var frame = form.querySelector("[data-sprite-frame]");
    var vtt = form.getAttribute("data-sprite-vtt");
    if (!input || !frame || !vtt) { return; }
    fetch(vtt, { credentials: "same-origin" }).then(function (r) { return r.ok ? r.text() : ""; }).then(function (text) {
      var cues = parseVtt(text, new URL(vtt, window.location.href));
      if (!cues.length) { return; }
      var show = function () {
        var t = parseFloat(input.value) || 0;
        var cue = cues.filter(function (c) { return t >= c.start && t < c.end; })[0] || cues[cues.length - 1];
        frame.style.width = cue.w + "px";
        frame.style.height = cue.h + "px";
        frame.style.backgroundImage = "url(\"" + cue.url + "\")";
        frame.style.backgroundPosition = (-cue.x) + "px " + (-cue.y) + "px";
        frame.hidden = false;
      };
      input.addEventListener("input", show);
      show();
    });
  });

  // --- start ----------------------------------------------------------------------------------

  Array.prototype.forEach.call(document.querySelectorAll("[data-uploader]"), function (root) { new Uploader(root); });
  schedulePoll();
})();
