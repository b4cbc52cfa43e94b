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

  // 429 from a rate limit (core/ratelimit.py): htmx swaps no error responses, so show the
  // server's message ("Try again in N seconds") right after the form or control that sent it.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var xhr = event.detail.xhr;
    if (!xhr || xhr.status !== 429) { return; }
    event.detail.shouldSwap = false;
    event.detail.isError = false;  // handled here: no console error, no htmx:responseError
    var found = new DOMParser().parseFromString(xhr.responseText || "", "text/html").querySelector("[data-rate-limited]");
    var wait = xhr.getResponseHeader("Retry-After");
    var text = found ? found.textContent.trim() :
      "You're doing that too often. Try again in " + (wait ? wait + " seconds." : "a minute.");
    var source = (event.detail.requestConfig && event.detail.requestConfig.elt) || event.target;
    var anchor = source.closest("form") || source;
    var box = anchor.nextElementSibling;
    if (!box || !box.hasAttribute("data-rate-limited")) {
      box = document.createElement("p");
      box.className = "message message-error rate-limited";
      box.setAttribute("role", "alert");
      box.setAttribute("data-rate-limited", "");
      anchor.insertAdjacentElement("afterend", box);
    }
    box.textContent = text;
  });

  // A form that came back with errors: move focus to its summary so it is read out.
  var summary = document.querySelector("[data-autofocus]");
  if (summary) { summary.focus(); }

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
    if (shared && window.fieldcastBeacon) { window.fieldcastBeacon("/events/share", {}); }
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
      var previewSrc = src + (src.indexOf("?") < 0 ? "?" : "&") + "preview=1";
      if (frame.getAttribute("src") !== previewSrc) { frame.src = previewSrc; }
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

  var shareAtTime = document.getElementById("share-at-time");
  if (shareAtTime) {
    shareAtTime.addEventListener("change", function () {
      var link = document.getElementById("share-link");
      var video = document.querySelector("#player video");
      var t = video ? Math.floor(video.currentTime) : 0;
      link.value = link.getAttribute("data-share-base") + (shareAtTime.checked && t > 0 ? "?t=" + t : "");
    });
  }

  // "Places found in your text" (geo/_place_suggestions.html): fill the form's location or tags.
  function addTag(field, name) {
    var names = field.value.split(",").map(function (t) { return t.trim(); }).filter(Boolean);
    var lower = names.map(function (t) { return t.toLowerCase(); });
    if (lower.indexOf(name.toLowerCase()) === -1) { names.push(name); }
    field.value = names.join(", ");
  }
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-place-fill]");
    if (!button) { return; }
    var field = document.getElementById(button.getAttribute("aria-controls"));
    if (!field) { return; }
    var how = button.getAttribute("data-place-fill");
    if (how === "location") {
      field.value = button.getAttribute("data-value");
    } else if (how === "tag") {
      addTag(field, button.getAttribute("data-value"));
    } else {
      var box = button.closest(".places-found");
      box.querySelectorAll('[data-place-fill="tag"]').forEach(function (b) { addTag(field, b.getAttribute("data-value")); });
    }
    field.dispatchEvent(new Event("change", { bubbles: true }));
    field.focus();
  });

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
        // Leaflet guesses its image folder from its stylesheet, which may not be loaded
        // yet: tell it where the marker images are.
        window.L.Icon.Default.imagePath = mapButton.getAttribute("data-leaflet-css").replace(/leaflet\.css$/, "images/");
        var lat = parseFloat(mapButton.getAttribute("data-lat"));
        var lon = parseFloat(mapButton.getAttribute("data-lon"));
        var map = window.L.map(container).setView([lat, lon], 8);
        window.L.tileLayer(mapButton.getAttribute("data-tiles"), {
          maxZoom: 18, attribution: mapButton.getAttribute("data-attribution")
        }).addTo(map);
        window.L.marker([lat, lon], { title: mapButton.getAttribute("data-label") }).addTo(map)
          .bindPopup(textElement(mapButton.getAttribute("data-label")));
        // The other places the item's text names (geo.extract), as smaller markers.
        var placesUrl = mapButton.getAttribute("data-places-url");
        if (placesUrl && window.fetch) {
          fetch(placesUrl, { credentials: "same-origin" }).then(function (r) { return r.ok ? r.json() : { places: [] }; })
            .then(function (data) {
              var points = [[lat, lon]];
              (data.places || []).forEach(function (p) {
                window.L.circleMarker([p.lat, p.lon], { radius: 7 }).addTo(map).bindPopup(textElement(p.label));
                points.push([p.lat, p.lon]);
              });
              if (points.length > 1) { map.fitBounds(points, { padding: [24, 24], maxZoom: 8 }); }
            }).catch(function () { /* the main marker is enough */ });
        }
      };
      document.head.appendChild(script);
    });
  }
})();
