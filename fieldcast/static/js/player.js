// Fieldcast player: the adaptive player (hls.js) wherever MediaSource exists, native
// HLS only without it (iOS; Chromium also claims native HLS, which would lose the
// quality menu), the plain MP4 player on request (Switch Player) or as the fallback.
// Also: quality menu, scrubbing previews from the sprite's WebVTT, keyboard shortcuts,
// ?t= start time, and the view/play beacons that count.
(function () {
  "use strict";

  // --- Counting -------------------------------------------------------------------
  var article = document.querySelector("[data-event-token]");
  function beacon(url, fields) {
    if (!article) { return; }
    var data = new FormData();
    data.append("token", article.getAttribute("data-event-token"));
    Object.keys(fields).forEach(function (key) { data.append(key, fields[key]); });
    if (navigator.sendBeacon && navigator.sendBeacon(url, data)) { return; }
    fetch(url, { method: "POST", body: data, credentials: "same-origin", keepalive: true });
  }
  window.fieldcastBeacon = beacon;
  function embeddingHost() {
    if (window.top === window || !document.referrer) { return ""; }
    try { return new URL(document.referrer).host; } catch (e) { return ""; }
  }
  if (article && !article.hasAttribute("data-embed")) { beacon("/events/view", {}); }

  // --- Player ---------------------------------------------------------------------
  function playerMode() { try { return localStorage.getItem("fieldcast.player") || "adaptive"; } catch (e) { return "adaptive"; } }

  function setStatus(container, state, text) {
    container.setAttribute("data-state", state);
    var status = container.querySelector(".player-status");
    if (status) { status.textContent = text; status.hidden = !text; }
  }

  function startTime() {
    var match = /[?&]t=(\d+)/.exec(window.location.search);
    return match ? parseInt(match[1], 10) : 0;
  }

  function createVideo(container) {
    var video = document.createElement("video");
    video.controls = true;
    video.playsInline = true;
    video.preload = "metadata";
    video.tabIndex = 0;
    video.setAttribute("aria-label", container.getAttribute("data-title") || "Video");
    if (container.getAttribute("data-poster")) { video.poster = container.getAttribute("data-poster"); }
    if (container.hasAttribute("data-autoplay")) { video.muted = true; video.autoplay = true; }
    if (container.hasAttribute("data-loop")) { video.loop = true; }
    video.addEventListener("loadedmetadata", function () { setStatus(container, "ready", ""); });
    video.addEventListener("error", function () {
      setStatus(container, "error", "This video could not be played here. Try Switch Player, or reload the page.");
    });
    video.addEventListener("playing", function () {
      if (container.getAttribute("data-counted")) { return; }
      container.setAttribute("data-counted", "1");
      var host = container.hasAttribute("data-embed") ? embeddingHost() : "";
      beacon("/events/play", host ? { host: host } : {});
    });
    container.appendChild(video);
    if (container.getAttribute("data-vtt")) { setUpPreviews(container, video, container.getAttribute("data-vtt")); }
    return video;
  }

  function attach(container) {
    var hlsUrl = container.getAttribute("data-hls");
    var mp4Url = container.getAttribute("data-mp4");
    var video = container.querySelector("video") || createVideo(container);
    if (container._hls) { container._hls.destroy(); container._hls = null; }
    var time = video.currentTime || startTime();
    var useMp4 = (playerMode() === "mp4" && mp4Url) || !hlsUrl;
    container.setAttribute("data-mode", useMp4 ? "mp4" : "adaptive");
    setStatus(container, "loading", "Loading the player …");
    qualityMenu(container, null);
    if (!useMp4 && window.Hls && window.Hls.isSupported()) {
      // From the start (or the chosen time), also while the video is still being transcoded: its
      // playlist has no end yet, and hls.js would otherwise start near its live edge.
      var hls = new window.Hls({ startPosition: time || 0 });
      hls.on(window.Hls.Events.ERROR, function (event, data) {
        if (data.fatal) { setStatus(container, "error", "The adaptive stream failed. Try Switch Player for the plain MP4."); }
      });
      hls.on(window.Hls.Events.MANIFEST_PARSED, function () { qualityMenu(container, hls); });
      hls.loadSource(hlsUrl);
      hls.attachMedia(video);
      container._hls = hls;
      return;
    }
    if (!useMp4 && video.canPlayType("application/vnd.apple.mpegurl")) {
      video.src = hlsUrl;
    } else if (mp4Url) {
      video.src = mp4Url;
    } else {
      setStatus(container, "error", "This video is still being prepared for your browser. Try again in a minute.");
      return;
    }
    if (time) {
      video.addEventListener("loadedmetadata", function seek() {
        video.currentTime = time;
        video.removeEventListener("loadedmetadata", seek);
      });
    }
  }

  // Quality menu: Auto and each rung of the ladder (hls.js only).
  function qualityMenu(container, hls) {
    var holder = container.parentElement.querySelector("[data-quality]");
    if (!holder) { return; }
    holder.hidden = !hls;
    if (!hls) { return; }
    var select = holder.querySelector("select");
    select.innerHTML = "";
    var auto = document.createElement("option");
    auto.value = "-1"; auto.textContent = "Auto";
    select.appendChild(auto);
    hls.levels.map(function (level, index) { return { level: level, index: index }; })
      .sort(function (a, b) { return b.level.height - a.level.height; })
      .forEach(function (entry) {
        var option = document.createElement("option");
        option.value = String(entry.index);
        option.textContent = entry.level.height + "p";
        select.appendChild(option);
      });
    select.value = "-1";
    select.onchange = function () { hls.currentLevel = parseInt(select.value, 10); };
    var current = holder.querySelector("[data-quality-current]");
    hls.on(window.Hls.Events.LEVEL_SWITCHED, function (event, data) {
      if (current) { current.textContent = "Playing " + hls.levels[data.level].height + "p"; }
    });
  }

  // Scrubbing previews: thumbnails from the sprite sheet, indexed by WebVTT cues
  // ("sprite.jpg#xywh=x,y,w,h"), shown above the control bar while pointing at it.
  function setUpPreviews(container, video, vttUrl) {
    fetch(vttUrl, { credentials: "same-origin" }).then(function (r) { return r.ok ? r.text() : ""; }).then(function (text) {
      var cues = parseVtt(text, vttUrl);
      if (!cues.length) { return; }
      var tip = document.createElement("div");
      tip.className = "scrub-preview";
      tip.hidden = true;
      tip.setAttribute("aria-hidden", "true");
      container.appendChild(tip);
      video.addEventListener("mousemove", function (event) {
        var box = video.getBoundingClientRect();
        if (!video.duration || event.clientY < box.bottom - 48) { tip.hidden = true; return; }
        var fraction = Math.min(Math.max((event.clientX - box.left) / box.width, 0), 1);
        var time = fraction * video.duration;
        var cue = cues.find(function (c) { return time >= c.start && time < c.end; }) || cues[cues.length - 1];
        tip.style.width = cue.w + "px"; tip.style.height = cue.h + "px";
        tip.style.backgroundImage = "url(" + JSON.stringify(cue.url) + ")";
        tip.style.backgroundPosition = "-" + cue.x + "px -" + cue.y + "px";
        tip.style.left = Math.min(Math.max(event.clientX - box.left - cue.w / 2, 0), box.width - cue.w) + "px";
        tip.hidden = false;
      });
      video.addEventListener("mouseleave", function () { tip.hidden = true; });
    }).catch(function () { /* previews are optional */ });
  }

  function parseVtt(text, base) {
    var cues = [];
    var blocks = text.replace(/\r/g, "").split("\n\n");
    blocks.forEach(function (block) {
      var match = /(\d+:)?(\d+):(\d+\.\d+) --> (\d+:)?(\d+):(\d+\.\d+)\s*\n(.+)/.exec(block);
      if (!match) { return; }
      var seconds = function (h, m, s) { return (h ? parseInt(h, 10) : 0) * 3600 + parseInt(m, 10) * 60 + parseFloat(s); };
      var target = match[7].trim().split("#xywh=");
      if (target.length !== 2) { return; }
      var xywh = target[1].split(",").map(Number);
      cues.push({
        start: seconds(match[1], match[2], match[3]), end: seconds(match[4], match[5], match[6]),
        url: new URL(target[0], new URL(base, window.location.href)).href,
        x: xywh[0], y: xywh[1], w: xywh[2], h: xywh[3]
      });
    });
    return cues;
  }

  // Keyboard: k/space play-pause, j/l back/forward 10 s, arrows 5 s, m mute,
  // f full screen, 0-9 jump to 0-90 %. Only when no field has the focus.
  document.addEventListener("keydown", function (event) {
    var target = event.target;
    if (event.ctrlKey || event.metaKey || event.altKey || target.closest("input, textarea, select, [contenteditable]")) { return; }
    var video = document.querySelector("#player video");
    if (!video) { return; }
    var onVideo = target === video;
    var key = event.key;
    var handled = true;
    if (key === "k" || (key === " " && (onVideo || target === document.body))) { if (video.paused) { video.play(); } else { video.pause(); } }
    else if (key === "j") { video.currentTime = Math.max(video.currentTime - 10, 0); }
    else if (key === "l") { video.currentTime = Math.min(video.currentTime + 10, video.duration || 0); }
    else if (key === "ArrowLeft" && onVideo) { video.currentTime = Math.max(video.currentTime - 5, 0); }
    else if (key === "ArrowRight" && onVideo) { video.currentTime = Math.min(video.currentTime + 5, video.duration || 0); }
    else if (key === "m") { video.muted = !video.muted; }
    else if (key === "f") { if (document.fullscreenElement) { document.exitFullscreen(); } else if (video.requestFullscreen) { video.requestFullscreen(); } }
    else if (/^[0-9]$/.test(key) && video.duration) { video.currentTime = video.duration * parseInt(key, 10) / 10; }
    else { handled = false; }
    if (handled) { event.preventDefault(); }
  });

  var players = document.querySelectorAll(".player[data-state]");
  Array.prototype.forEach.call(players, function (container) {
    if (container.getAttribute("data-sources")) {
      attach(container);
    } else {
      setStatus(container, "empty", container.hasAttribute("data-pending")
        ? "The video is still being processed: it appears here as soon as it can play."
        : "No video has been attached to this item yet.");
    }
  });

  // Switch Player: adaptive (HLS) or plain MP4, remembered per visitor.
  var switcher = document.getElementById("switch-player");
  var modeLabel = document.getElementById("player-mode");
  function showMode() {
    if (!switcher) { return; }
    var mode = playerMode();
    switcher.setAttribute("aria-pressed", mode === "mp4" ? "true" : "false");
    modeLabel.textContent = mode === "mp4" ? "Plain MP4 player" : "Adaptive player";
  }
  if (switcher) {
    switcher.addEventListener("click", function () {
      try { localStorage.setItem("fieldcast.player", playerMode() === "mp4" ? "adaptive" : "mp4"); } catch (e) { /* private mode */ }
      showMode();
      Array.prototype.forEach.call(players, function (container) {
        if (container.getAttribute("data-sources")) { attach(container); }
      });
    });
    showMode();
  }
})();
