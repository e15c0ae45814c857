// Progressive enhancement only: every form works without this file.
// Forms with data-confirm ask before they are sent (archive, sign out of others, …).
document.addEventListener("submit", function (event) {
  var form = event.target;
  var question = form.getAttribute && form.getAttribute("data-confirm");
  if (question && !window.confirm(question)) {
    event.preventDefault();
    return;
  }
  // A form marked data-once is sent once: its buttons stay disabled while it is on its way
  // (the server also keeps one record per one-time key, for retries and double taps).
  if (form.hasAttribute && form.hasAttribute("data-once")) {
    if (form.getAttribute("data-sending")) { event.preventDefault(); return; }
    form.setAttribute("data-sending", "1");
    setTimeout(function () {
      form.querySelectorAll("button[type=submit], button:not([type])").forEach(function (b) {
        b.disabled = true; b.setAttribute("aria-busy", "true");
      });
    }, 0);
    // Back/forward cache or a failed request: make the form usable again.
    setTimeout(function () {
      form.removeAttribute("data-sending");
      form.querySelectorAll("button").forEach(function (b) { b.disabled = false; b.removeAttribute("aria-busy"); });
    }, 8000);
  }
});

// A select marked data-autosubmit applies its choice at once (the button stays for no-JS use).
document.addEventListener("change", function (event) {
  var el = event.target;
  if (el.hasAttribute && el.hasAttribute("data-autosubmit") && el.form) el.form.submit();
});

// Emoji: a device without a colour emoji font draws empty boxes. Draw one emoji in black on a
// canvas: a colour font paints coloured pixels, a missing one paints black or nothing. Without
// colour, the page hides emoji and shows their text stand-ins (.emoji data-text, .emoji-text).
(function () {
  var root = document.documentElement;
  if (/[?&]emoji=off\b/.test(location.search)) { root.classList.add("no-emoji"); return; }
  try {
    var c = document.createElement("canvas");
    c.width = c.height = 32;
    var g = c.getContext("2d");
    g.textBaseline = "top";
    g.font = "28px sans-serif";
    g.fillStyle = "#000";
    g.fillText("\ud83c\udf54", 0, 0);
    var d = g.getImageData(0, 0, 32, 32).data;
    for (var i = 0; i < d.length; i += 4) {
      if (d[i + 3] > 0 && (d[i] > 60 || d[i + 1] > 60 || d[i + 2] > 60)) return;
    }
    root.classList.add("no-emoji");
  } catch (e) { /* no canvas: leave the emoji as they are */ }
})();

// Signing out: the till's service worker forgets its kept copy of the till page (it names the
// cashier). The sales a till keeps for the server stay: they are the shop's, not the session's.
document.addEventListener("submit", function (event) {
  var form = event.target;
  if (form && form.getAttribute && form.getAttribute("action") === "/logout" && navigator.serviceWorker && navigator.serviceWorker.controller) {
    navigator.serviceWorker.controller.postMessage("forget");
  }
});
