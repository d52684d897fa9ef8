// Progressive enhancement only: every page works without it.
// After a form came back with errors, move focus to its error summary, so a screen
// reader announces it and the keyboard starts there.
document.addEventListener("DOMContentLoaded", () => {
  const summary = document.getElementById("error-summary");
  if (summary) {
    summary.focus();
  }
});

// A link that names a dialog opens it in place; without this script, the link leads to
// a page of its own with the same form.
document.addEventListener("click", (event) => {
  const opener = event.target.closest("[data-open-dialog]");
  const dialog = opener && document.getElementById(opener.dataset.openDialog);
  if (dialog && typeof dialog.showModal === "function") {
    event.preventDefault();
    dialog.showModal();
  }
});
