// Progressive enhancement for the whole site: the pages work without it.
// Copy buttons (the feed URL, the embed code): shown only where the clipboard can be written.
"use strict";
document.querySelectorAll("button[data-copy]").forEach(function (button) {
  var field = document.getElementById(button.dataset.copy);
  var status = button.closest(".feed-url").querySelector(".copy-status");
  if (!field || !navigator.clipboard) return;
  button.hidden = false;
  button.addEventListener("click", function () {
    navigator.clipboard.writeText(field.value).then(function () {
      status.textContent = button.getAttribute("data-copied") || "Copied.";
    }, function () {
      field.select();
      status.textContent = "Press Ctrl+C (or ⌘C) to copy the selected address.";
    });
  });
});

// A static copy of the site (podcast build) has the search page but no server to answer a
// query: say so instead of showing an empty form as if nothing matched.
(function () {
  var form = document.querySelector(".search-page-form");
  var query = new URLSearchParams(window.location.search).get("q");
  if (!form || !query || document.getElementById("results-heading")) return;
  var note = document.createElement("p");
  note.className = "static-note";
  note.setAttribute("role", "status");
  note.textContent = "This copy of the site cannot search. Browse the episodes by season " +
    "from the home page, or search for the show in your podcast app.";
  form.after(note);
})();
