// The item form's location field: place suggestions as you type (an ARIA combobox with a
// listbox, keyboard-usable; free text stays valid) and a "drop a pin" map loaded on demand.
(function () {
  "use strict";

  var wrapper = document.querySelector(".place-field[data-place-suggest]");
  var input = wrapper && wrapper.querySelector("input[type=text], input:not([type])");
  if (input) {
    var url = wrapper.getAttribute("data-place-suggest");
    var list = document.createElement("ul");
    list.id = input.id + "_suggestions";
    list.className = "place-suggestions";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", "Suggested places");
    list.hidden = true;
    var status = document.createElement("p");
    status.className = "visually-hidden";
    status.setAttribute("aria-live", "polite");
    input.insertAdjacentElement("afterend", list);
    list.insertAdjacentElement("afterend", status);
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", list.id);
    var results = [];
    var active = -1;
    var timer = null;
    var lastQuery = null;

    var close = function () {
      list.hidden = true; active = -1;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
    };
    var highlight = function (index) {
      var options = list.querySelectorAll("[role=option]");
      active = index;
      for (var i = 0; i < options.length; i++) {
        options[i].setAttribute("aria-selected", i === index ? "true" : "false");
      }
      if (index >= 0 && options[index]) {
        input.setAttribute("aria-activedescendant", options[index].id);
        options[index].scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    };
    var choose = function (index) {
      var place = results[index];
      if (!place) { return; }
      input.value = place.label;
      close();
      status.textContent = "Location set to " + place.label + ".";
      input.dispatchEvent(new CustomEvent("place:chosen", { bubbles: true, detail: place }));
    };
    var render = function (places) {
      results = places;
      list.textContent = "";
      places.forEach(function (place, i) {
        var option = document.createElement("li");
        option.id = list.id + "_" + i;
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", "false");
        option.setAttribute("dir", "auto");
        option.textContent = place.label;  // text, never HTML
        option.addEventListener("mousedown", function (event) { event.preventDefault(); choose(i); });
        list.appendChild(option);
      });
      if (places.length) {
        list.hidden = false;
        input.setAttribute("aria-expanded", "true");
        status.textContent = places.length + (places.length === 1 ? " place" : " places") + " suggested: use the arrow keys to choose.";
      } else {
        close();
      }
      active = -1;
    };
    var lookup = function () {
      var query = input.value.trim();
      if (query === lastQuery) { return; }
      lastQuery = query;
      if (query.length < 2 || query.length > 100) { render([]); return; }
      fetch(url + "?q=" + encodeURIComponent(query), { headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : { results: [] }; })
        .then(function (data) { if (input.value.trim() === query) { render(data.results || []); } })
        .catch(function () { render([]); });
    };
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(lookup, 200);
    });
    input.addEventListener("keydown", function (event) {
      if (list.hidden) {
        if (event.key === "ArrowDown" && results.length) { list.hidden = false; input.setAttribute("aria-expanded", "true"); highlight(0); event.preventDefault(); }
        return;
      }
      if (event.key === "ArrowDown") { highlight(Math.min(results.length - 1, active + 1)); event.preventDefault(); }
      else if (event.key === "ArrowUp") { highlight(Math.max(-1, active - 1)); event.preventDefault(); }
      else if (event.key === "Enter" && active >= 0) { choose(active); event.preventDefault(); }
      else if (event.key === "Escape") { close(); event.preventDefault(); }
    });
    input.addEventListener("blur", function () { setTimeout(close, 150); });
  }

  // "Drop a pin on a map": Leaflet is fetched only when asked for; the latitude and longitude
  // fields stay the keyboard-usable (and no-JavaScript) way to set the pin.
  var pinButton = document.getElementById("pin-map-button");
  var latInput = document.getElementById("id_pin_latitude");
  var lonInput = document.getElementById("id_pin_longitude");
  if (!pinButton || !latInput || !lonInput) { return; }
  var clearButton = document.getElementById("pin-clear");
  var pinStatus = document.getElementById("pin-status");
  var container = document.getElementById("pin-map");
  var map = null;
  var marker = null;
  var chosenPlace = null;
  pinButton.hidden = false;
  clearButton.hidden = false;

  var pinFromInputs = function () {
    var lat = parseFloat(latInput.value), lon = parseFloat(lonInput.value);
    if (isNaN(lat) || isNaN(lon) || lat < -90 || lat > 90 || lon < -180 || lon > 180) { return null; }
    return [lat, lon];
  };
  var showPin = function (point, pan) {
    if (!map) { return; }
    if (!point) { if (marker) { map.removeLayer(marker); marker = null; } return; }
    if (marker) { marker.setLatLng(point); } else {
      marker = window.L.marker(point, { draggable: true, title: "The pin" }).addTo(map);
      marker.on("dragend", function () { setInputs(marker.getLatLng()); });
    }
    if (pan) { map.panTo(point); }
  };
  var setInputs = function (latlng) {
    var lon = ((latlng.lng + 540) % 360) - 180;  // the map wraps around: keep -180..180
    latInput.value = latlng.lat.toFixed(5);
    lonInput.value = lon.toFixed(5);
    pinStatus.textContent = "Pin dropped at " + latInput.value + ", " + lonInput.value + ".";
  };
  document.addEventListener("place:chosen", function (event) {
    chosenPlace = event.detail;
    if (map && !pinFromInputs()) { map.setView([chosenPlace.latitude, chosenPlace.longitude], 10); }
  });
  [latInput, lonInput].forEach(function (field) {
    field.addEventListener("change", function () { showPin(pinFromInputs(), true); });
  });
  clearButton.addEventListener("click", function () {
    latInput.value = ""; lonInput.value = "";
    showPin(null);
    pinStatus.textContent = "Pin cleared.";
  });
  pinButton.addEventListener("click", function () {
    var open = container.hidden;
    container.hidden = !open;
    pinButton.setAttribute("aria-expanded", open ? "true" : "false");
    pinButton.textContent = open ? "Hide the map" : "Drop a pin on a map";
    if (!open || container.getAttribute("data-loaded")) { if (map) { map.invalidateSize(); } return; }
    container.setAttribute("data-loaded", "1");
    pinStatus.textContent = "Loading the map…";
    var css = document.createElement("link");
    css.rel = "stylesheet"; css.href = pinButton.getAttribute("data-leaflet-css");
    document.head.appendChild(css);
    var script = document.createElement("script");
    script.src = pinButton.getAttribute("data-leaflet-js");
    script.onerror = function () { pinStatus.textContent = "The map could not load: type the latitude and longitude instead."; };
    script.onload = function () {
      window.L.Icon.Default.imagePath = pinButton.getAttribute("data-leaflet-css").replace(/leaflet\.css$/, "images/");
      var point = pinFromInputs();
      var center = point || (chosenPlace ? [chosenPlace.latitude, chosenPlace.longitude] : [20, 0]);
      map = window.L.map(container).setView(center, point ? 12 : (chosenPlace ? 10 : 2));
      var failed = false;
      window.L.tileLayer(pinButton.getAttribute("data-tiles"), {
        maxZoom: 18, attribution: pinButton.getAttribute("data-attribution")
      }).on("tileerror", function () {
        if (failed) { return; }
        failed = true;
        container.classList.add("map-tiles-failed");
        pinStatus.textContent = "Map pictures could not load: you can still click to drop the pin, or type the latitude and longitude.";
      }).addTo(map);
      map.on("click", function (event) { setInputs(event.latlng); showPin([parseFloat(latInput.value), parseFloat(lonInput.value)], false); });
      showPin(point, false);
      if (!failed) { pinStatus.textContent = "Click or tap the map to drop the pin; drag it to move it."; }
    };
    document.head.appendChild(script);
  });
})();
