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
