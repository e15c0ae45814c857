// Counts the printed copy (so the next view says REPRINT), then opens the print dialog.
(function () {
  var button = document.getElementById("print");
  if (!button) return;
  var token = document.querySelector('meta[name="csrf-token"]').getAttribute("content");
  button.addEventListener("click", function () {
    // A credit note (no sale to count) just prints.
    if (!button.hasAttribute("data-order")) { window.print(); return; }
    fetch("/sales/" + button.getAttribute("data-order") + "/receipt/printed", {
      method: "POST",
      headers: { "X-CSRF-Token": token, "Accept": "application/json" },
      credentials: "same-origin"
    }).finally(function () { window.print(); });
  });
})();
