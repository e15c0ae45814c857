// Print buttons on print views (QR sheet, bills).
document.addEventListener("click", function (event) {
  var el = event.target.closest && event.target.closest("[data-print]");
  if (el) window.print();
});
