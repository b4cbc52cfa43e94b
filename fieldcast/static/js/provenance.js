/* The upload form's "what the file says" buttons (templates/provenance/_upload_check.html):
   fill the occurred-on date and the map pin; nothing is saved until the form is. */
(function () {
  "use strict";
  function set(id, value) {
    var input = document.getElementById(id);
    if (!input) { return null; }
    input.value = value;
    input.dispatchEvent(new Event("input", { bubbles: true }));
    input.dispatchEvent(new Event("change", { bubbles: true }));
    return input;
  }
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-provenance-fill]");
    if (!button) { return; }
    var focus = null;
    if (button.dataset.provenanceFill === "date") {
      set("id_occurred_precision", "day");
      focus = set("id_occurred_on", button.dataset.date);
      if (button.dataset.time) { set("id_occurred_time", button.dataset.time); }
      set("id_occurred_tz", "UTC");
    } else if (button.dataset.provenanceFill === "pin") {
      focus = set("id_pin_latitude", button.dataset.lat);
      set("id_pin_longitude", button.dataset.lon);
    }
    if (focus) { focus.focus(); }
  });
}());
