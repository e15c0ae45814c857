// Print buttons on print views (QR sheet, bills).
document.addEventListener("click", function (event) {
  var el = event.target.closest && event.target.closest("[data-print]");
  if (el) window.print();
});

// A bill just marked printed opens the print dialog by itself.
if (/[?&]printed=1\b/.test(window.location.search)) {
  window.addEventListener("load", function () { window.print(); });
}
