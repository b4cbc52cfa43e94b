// Fieldcast page behaviour: small, dependency-free, progressive (pages work without it).
(function () {
  "use strict";

  // CSRF for htmx requests: from the cookie, or the token of a form on the page (pages
  // without forms set no cookie, so that guests' pages stay cacheable).
  function csrfToken() {
    var match = /(?:^|; )csrftoken=([^;]+)/.exec(document.cookie);
    if (match) { return decodeURIComponent(match[1]); }
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }
  window.fieldcastCsrfToken = csrfToken;
  document.addEventListener("htmx:configRequest", function (event) {
    event.detail.headers["X-CSRFToken"] = csrfToken();
  });

  // Dialogs (Embed Code).
  document.addEventListener("click", function (event) {
    var opener = event.target.closest("[data-open-dialog]");
    if (opener) {
      var dialog = document.getElementById(opener.getAttribute("data-open-dialog"));
      if (dialog && dialog.showModal) { updateEmbedCode(); dialog.showModal(); }
    }
    var closer = event.target.closest("[data-close-dialog]");
    if (closer) { closer.closest("dialog").close(); }
    var copier = event.target.closest("[data-copy]");
    if (copier) { copyFrom(copier); }
    var shared = event.target.closest("[data-share]");
    if (shared) { beacon("/events/share", {}); }
  });

  function updateEmbedCode() {
    var code = document.getElementById("embed-code");
    var size = document.querySelector("[data-embed-size]");
    if (!code || !size) { return; }
    var parts = size.value.split("x");
    var start = parseInt((document.querySelector("[data-embed-start]") || {}).value, 10);
    var src = code.getAttribute("data-embed-src") + (start > 0 ? "?t=" + start : "");
    var title = code.getAttribute("data-embed-title").replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;");
    code.value = '<iframe width="' + parts[0] + '" height="' + parts[1] + '" src="' + src + '" title="' + title +
      '" frameborder="0" allow="autoplay; fullscreen; picture-in-picture" allowfullscreen></iframe>';
    var preview = document.querySelector("[data-embed-preview]");
    if (preview) {
      var frame = preview.querySelector("iframe") || document.createElement("iframe");
      frame.title = "Embed preview";
      frame.width = Math.min(parseInt(parts[0], 10), 480);
      frame.height = Math.round(frame.width * parseInt(parts[1], 10) / parseInt(parts[0], 10));
      if (frame.getAttribute("src") !== src) { frame.src = src; }
      if (!frame.parentNode) { preview.appendChild(frame); }
    }
  }
  document.addEventListener("change", function (event) {
    if (event.target.matches("[data-embed-size], [data-embed-start]")) { updateEmbedCode(); }
  });

  function copyFrom(button) {
    var source = document.getElementById(button.getAttribute("data-copy"));
    var status = button.parentElement.querySelector("[data-copy-status]");
    source.select();
    var done = function () { if (status) { status.textContent = "Copied."; } };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(source.value).then(done, function () { document.execCommand("copy"); done(); });
    } else { document.execCommand("copy"); done(); }
  }

  // Players. The adaptive player (hls.js) comes first wherever MediaSource exists;
  // native HLS only without it (iOS: Chromium also claims native HLS, which would lose
  // the quality choice); the plain MP4 player on request (Switch Player) or as fallback.
  function playerMode() { try { return localStorage.getItem("fieldcast.player") || "adaptive"; } catch (e) { return "adaptive"; } }

  function setStatus(container, state, text) {
    container.setAttribute("data-state", state);
    var status = container.querySelector(".player-status");
    if (status) { status.textContent = text; status.hidden = !text; }
  }

  function attach(container) {
    var hlsUrl = container.getAttribute("data-hls");
    var mp4Url = container.getAttribute("data-mp4");
    var video = container.querySelector("video");
    if (!video) {
      video = document.createElement("video");
      video.controls = true;
      video.playsInline = true;
      video.preload = "metadata";
      video.setAttribute("aria-label", container.getAttribute("data-title") || "Video");
      if (container.getAttribute("data-poster")) { video.poster = container.getAttribute("data-poster"); }
      var vtt = container.getAttribute("data-vtt");
      if (vtt) {
        var track = document.createElement("track");
        track.kind = "metadata"; track.label = "thumbnails"; track.src = vtt;
        video.appendChild(track);
      }
      video.addEventListener("loadedmetadata", function () { setStatus(container, "ready", ""); });
      video.addEventListener("playing", function () {
        if (container.getAttribute("data-counted")) { return; }
        container.setAttribute("data-counted", "1");
        var host = container.hasAttribute("data-embed") ? embeddingHost() : "";
        beacon("/events/play", host ? { host: host } : {});
      });
      if (container.hasAttribute("data-autoplay")) { video.muted = true; video.autoplay = true; }
      if (container.hasAttribute("data-loop")) { video.loop = true; }
      video.addEventListener("error", function () {
        setStatus(container, "error", "This video could not be played here. Try Switch Player, or reload the page.");
      });
      container.appendChild(video);
    }
    if (container._hls) { container._hls.destroy(); container._hls = null; }
    var time = video.currentTime || startTime();
    var useMp4 = (playerMode() === "mp4" && mp4Url) || !hlsUrl;
    setStatus(container, "loading", "Loading the player …");
    if (!useMp4 && window.Hls && window.Hls.isSupported()) {
      var hls = new window.Hls({ startPosition: time || -1 });
      hls.on(window.Hls.Events.ERROR, function (event, data) {
        if (data.fatal) { setStatus(container, "error", "The adaptive stream failed. Try Switch Player for the plain MP4."); }
      });
      hls.loadSource(hlsUrl);
      hls.attachMedia(video);
      container._hls = hls;
    } else if (!useMp4 && video.canPlayType("application/vnd.apple.mpegurl")) {
      video.src = hlsUrl;
    } else if (mp4Url) {
      video.src = mp4Url;
    } else {
      setStatus(container, "error", "This video is still being prepared for your browser. Try again in a minute.");
      return;
    }
    if (time) { video.addEventListener("loadedmetadata", function seek() { video.currentTime = time; video.removeEventListener("loadedmetadata", seek); }); }
  }

  // Counting: the page posts a view; a player posts a play once playback starts.
  // Both carry the page's signed token; nothing else is trusted by the server.
  var article = document.querySelector("[data-event-token]");
  function beacon(url, fields) {
    if (!article) { return; }
    var data = new FormData();
    data.append("token", article.getAttribute("data-event-token"));
    Object.keys(fields).forEach(function (key) { data.append(key, fields[key]); });
    if (navigator.sendBeacon && navigator.sendBeacon(url, data)) { return; }
    fetch(url, { method: "POST", body: data, credentials: "same-origin", keepalive: true });
  }
  function embeddingHost() {
    if (window.top === window || !document.referrer) { return ""; }
    try { return new URL(document.referrer).host; } catch (e) { return ""; }
  }
  if (article && !article.hasAttribute("data-embed")) { beacon("/events/view", {}); }

  function startTime() {
    var match = /[?&]t=(\d+)/.exec(window.location.search);
    return match ? parseInt(match[1], 10) : 0;
  }

  var players = document.querySelectorAll(".player[data-state]");
  Array.prototype.forEach.call(players, function (container) {
    if (container.getAttribute("data-sources")) {
      attach(container);
    } else {
      setStatus(container, "empty", "No video has been attached to this item yet.");
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

  var shareAtTime = document.getElementById("share-at-time");
  if (shareAtTime) {
    shareAtTime.addEventListener("change", function () {
      var link = document.getElementById("share-link");
      var video = document.querySelector("#player video");
      var t = video ? Math.floor(video.currentTime) : 0;
      link.value = link.getAttribute("data-share-base") + (shareAtTime.checked && t > 0 ? "?t=" + t : "");
    });
  }

  function textElement(text) { var span = document.createElement("span"); span.textContent = text; return span; }

  // "(load item map)": Leaflet is fetched only when asked for.
  var mapButton = document.getElementById("load-map");
  if (mapButton) {
    mapButton.addEventListener("click", function () {
      var container = document.getElementById("item-map");
      container.hidden = false;
      mapButton.setAttribute("aria-expanded", "true");
      if (container.getAttribute("data-loaded")) { return; }
      container.setAttribute("data-loaded", "1");
      var css = document.createElement("link");
      css.rel = "stylesheet"; css.href = mapButton.getAttribute("data-leaflet-css");
      document.head.appendChild(css);
      var script = document.createElement("script");
      script.src = mapButton.getAttribute("data-leaflet-js");
      script.onload = function () {
        var lat = parseFloat(mapButton.getAttribute("data-lat"));
        var lon = parseFloat(mapButton.getAttribute("data-lon"));
        var map = window.L.map(container).setView([lat, lon], 8);
        window.L.tileLayer(mapButton.getAttribute("data-tiles"), {
          maxZoom: 18, attribution: mapButton.getAttribute("data-attribution")
        }).addTo(map);
        window.L.marker([lat, lon], { title: mapButton.getAttribute("data-label") }).addTo(map)
          .bindPopup(textElement(mapButton.getAttribute("data-label")));
      };
      document.head.appendChild(script);
    });
  }
})();
