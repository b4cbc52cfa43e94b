// Comments: focus and small touches around the htmx fragments of community/views.py.
// Every control works without this file (links and plain form posts); it only makes the
// live version pleasant: focus moves to what appeared, counts follow, folded replies open.
(function () {
  "use strict";
  // The comments section may be swapped in again (sorting): set up once per page.
  if (window.fieldcastComments) { return; }
  window.fieldcastComments = true;

  function openAncestors(element) {
    var details = element.parentElement ? element.parentElement.closest("details") : null;
    while (details) {
      details.open = true;
      details = details.parentElement ? details.parentElement.closest("details") : null;
    }
  }

  function focusNewComment() {
    var comment = document.querySelector("[data-new-comment]");
    if (!comment) { return; }
    comment.removeAttribute("data-new-comment");
    openAncestors(comment);
    comment.focus();
    comment.scrollIntoView({ block: "nearest" });
  }

  function focusLoadedForm() {
    var holder = document.querySelector("[data-focus-on-load]");
    if (!holder) { return; }
    holder.removeAttribute("data-focus-on-load");
    var field = holder.querySelector("[aria-invalid=true], textarea") || holder;
    field.focus();
  }

  function removeEmptyNote() {
    var list = document.getElementById("comment-list");
    var empty = document.getElementById("comments-empty");
    if (list && empty && list.querySelector(".comment")) { empty.remove(); }
  }

  document.addEventListener("htmx:afterSettle", function () {
    focusNewComment();
    focusLoadedForm();
    removeEmptyNote();
  });

  // The server sends the new count after a post or delete (HX-Trigger: fcCommentsCount).
  document.addEventListener("fcCommentsCount", function (event) {
    var count = String(event.detail.count);
    document.querySelectorAll("[data-comments-count]").forEach(function (el) { el.textContent = count; });
    document.querySelectorAll(".counters").forEach(function (line) {
      var walker = document.createTreeWalker(line, NodeFilter.SHOW_TEXT);
      while (walker.nextNode()) {
        var node = walker.currentNode;
        if (/Comments: \d+/.test(node.nodeValue)) { node.nodeValue = node.nodeValue.replace(/Comments: \d+/, "Comments: " + count); }
      }
    });
  });

  // "Cancel" under a reply form: close it and go back to the Reply link.
  document.addEventListener("click", function (event) {
    var cancel = event.target.closest("[data-cancel-reply]");
    if (!cancel) { return; }
    var slot = cancel.closest(".reply-slot");
    if (!slot) { return; }  // the reply form of a comment's own page: a plain link back
    event.preventDefault();
    var comment = slot.closest(".comment");
    slot.innerHTML = "";
    var link = comment ? comment.querySelector("[data-reply-link]") : null;
    if (link) { link.focus(); }
  });

  // A link to #comment-N: unfold the replies it sits in, then show it.
  function showTarget() {
    var match = /^#comment-(\d+)$/.exec(window.location.hash);
    if (!match) { return; }
    var comment = document.getElementById("comment-" + match[1]);
    if (!comment) { return; }
    openAncestors(comment);
    comment.scrollIntoView();
    comment.focus({ preventScroll: true });
  }
  window.addEventListener("hashchange", showTarget);
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", showTarget);
  } else {
    showTarget();
  }
  focusLoadedForm();
})();
