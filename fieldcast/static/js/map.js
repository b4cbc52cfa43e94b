// Maps of items (/map and current-event channel pages): Leaflet draws the cells that
// /map/items.json clusters on the server. Without JavaScript, or when the tiles cannot
// load, the element named by data-fallback (a list) stays or comes back into view.
(function () {
  "use strict";

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined && text !== null) { node.textContent = text; }
    return node;
  }

  function itemEntry(item) {
    var li = el("li", "map-popup-item");
    if (item.shielded) {
      li.appendChild(el("span", "placeholder placeholder-ma map-popup-thumb", "MA · Safe Mode"));
    } else if (item.thumbnail) {
      var img = el("img", "map-popup-thumb");
      img.src = item.thumbnail; img.alt = ""; img.width = 96; img.height = 54; img.loading = "lazy";
      li.appendChild(img);
    }
    var body = el("div", "map-popup-body");
    var link = el("a", "map-popup-title", item.title);
    link.href = item.url; link.setAttribute("dir", "auto");
    body.appendChild(link);
    body.appendChild(document.createTextNode(" "));
    body.appendChild(el("span", "badge badge-" + item.rating, item.rating));
    var meta = [item.place, item.occurred_on].filter(Boolean).join(" · ");
    if (meta) {
      var p = el("p", "map-popup-meta", meta);
      p.setAttribute("dir", "auto");
      body.appendChild(p);
    }
    li.appendChild(body);
    return li;
  }

  function popupFor(cell, map) {
    var box = el("div", "map-popup");
    if (cell.count > 1) { box.appendChild(el("p", "map-popup-count", cell.count + " items here")); }
    var list = el("ul", "map-popup-items");
    cell.items.forEach(function (item) { list.appendChild(itemEntry(item)); });
    box.appendChild(list);
    var b = cell.bounds;  // south, west, north, east
    if (cell.count > cell.items.length) {
      box.appendChild(el("p", "map-popup-more", "and " + (cell.count - cell.items.length) + " more"));
    }
    if (cell.count > 1 && (b[0] !== b[2] || b[1] !== b[3]) && map.getZoom() < map.getMaxZoom()) {
      var zoom = el("button", "link-button", "Zoom in on these items");
      zoom.type = "button";
      zoom.addEventListener("click", function () {
        map.closePopup();
        map.fitBounds([[b[0], b[1]], [b[2], b[3]]], { padding: [30, 30], maxZoom: map.getMaxZoom() });
      });
      box.appendChild(zoom);
    }
    return box;
  }

  function clusterIcon(count) {
    var size = count < 10 ? 32 : count < 100 ? 40 : 48;
    var node = el("span", "map-cluster-count", String(count));
    return window.L.divIcon({ className: "map-cluster", html: node, iconSize: [size, size] });
  }

  function init(container) {
    var L = window.L;
    if (!L || container.getAttribute("data-ready")) { return; }
    container.setAttribute("data-ready", "1");
    L.Icon.Default.imagePath = container.getAttribute("data-leaflet-images");
    var fallback = document.getElementById(container.getAttribute("data-fallback"));
    var status = document.getElementById(container.id + "-status");
    var query = container.getAttribute("data-query") || "";
    var fitted = container.getAttribute("data-fit") !== "1";
    container.hidden = false;
    if (fallback) { fallback.hidden = true; }

    var map = L.map(container, { worldCopyJump: true, minZoom: 1, maxZoom: 18 }).setView([25, 20], 2);
    var tiles = L.tileLayer(container.getAttribute("data-tiles"), {
      maxZoom: 18, attribution: container.getAttribute("data-attribution")
    }).addTo(map);
    var tilesFailed = false;
    tiles.on("tileerror", function () {
      if (tilesFailed) { return; }
      tilesFailed = true;
      container.classList.add("map-tiles-failed");
      map.invalidateSize();
      if (fallback) {
        fallback.hidden = false;
        var note = fallback.querySelector(".map-fallback-note");
        if (note) { note.hidden = false; }
      }
    });

    var layer = L.layerGroup().addTo(map);
    var pending = null;

    function say(text) { if (status) { status.textContent = text; } }

    function draw(data) {
      layer.clearLayers();
      data.cells.forEach(function (cell) {
        var marker;
        if (cell.count === 1 && cell.items.length) {
          marker = L.marker([cell.lat, cell.lon], { title: cell.items[0].title, alt: cell.items[0].title });
        } else {
          marker = L.marker([cell.lat, cell.lon], {
            icon: clusterIcon(cell.count), title: cell.count + " items", alt: cell.count + " items"
          });
        }
        marker.bindPopup(function () { return popupFor(cell, map); }, { maxWidth: 320 });
        marker.addTo(layer);
      });
      if (!data.total) { say("No items with a place in this part of the map."); }
      else if (data.truncated) { say("The newest " + data.total + " items in this part of the map are shown."); }
      else { say(data.total + (data.total === 1 ? " item" : " items") + " in this part of the map."); }
    }

    function load() {
      var b = map.getBounds();
      var west = b.getWest(), east = b.getEast();
      if (east - west >= 360) { west = -180; east = 180; }
      var params = new URLSearchParams(query);
      params.set("bbox", [west, Math.max(-90, b.getSouth()), east, Math.min(90, b.getNorth())]
        .map(function (n) { return n.toFixed(4); }).join(","));
      params.set("zoom", String(map.getZoom()));
      if (pending) { pending.abort(); }
      pending = new AbortController();
      fetch(container.getAttribute("data-items-url") + "?" + params.toString(), {
        credentials: "same-origin", headers: { Accept: "application/json" }, signal: pending.signal
      }).then(function (response) {
        return response.json().then(function (data) { return { ok: response.ok, data: data }; });
      }).then(function (result) {
        if (!result.ok) { say(result.data.error || "The map's items could not be loaded."); return; }
        var e = result.data.extent;
        if (!fitted) {
          fitted = true;
          // moveend then loads the cells of the new view; until then these are drawn.
          if (e) { map.fitBounds([[e[0], e[1]], [e[2], e[3]]], { padding: [30, 30], maxZoom: 9 }); }
        }
        draw(result.data);
      }).catch(function (error) {
        if (error.name !== "AbortError") { say("The map's items could not be loaded."); }
      });
    }

    // Opening a popup pans the map to show it; reloading then would redraw the markers and
    // close it. While a popup is open, moves at the same zoom wait until it closes.
    var popupOpen = false, skipped = false, lastZoom = map.getZoom();
    map.on("popupopen", function () { popupOpen = true; });
    map.on("popupclose", function () { popupOpen = false; if (skipped) { skipped = false; load(); } });
    map.on("moveend", function () {
      if (popupOpen && map.getZoom() === lastZoom) { skipped = true; return; }
      lastZoom = map.getZoom();
      load();
    });
    load();
  }

  function start() {
    document.querySelectorAll(".map-canvas[data-items-url]").forEach(init);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
