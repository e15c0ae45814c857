// The waiter's add-to-order form: the chosen item's options (size, milk…) show; the others
// stay hidden, and the server reads only the chosen item's.
(function () {
  var pick = document.querySelector('select[name="menu_item_id"]');
  var box = document.getElementById("waiter-mods");
  if (!pick || !box) return;
  function show() {
    box.querySelectorAll("[data-mods-for]").forEach(function (d) {
      d.hidden = d.getAttribute("data-mods-for") !== pick.value;
    });
  }
  pick.addEventListener("change", show);
  show();
})();
// Floor: the server announces changes at this branch (server-sent events, from any instance);
// the page then fetches itself and swaps in the tables and the takeaway list, so a waiter sees
// new orders, calls and closed bills without reloading. Works without this file (reload).
(function () {
  var grid = document.querySelector('[data-live="floor"]');
  if (!grid || !window.EventSource || !window.DOMParser) return;
  var state = document.getElementById("floor-live");
  var loading = false, again = false;
  var audio = null;
  function chime() {
    try {
      audio = audio || new (window.AudioContext || window.webkitAudioContext)();
      var osc = audio.createOscillator(), gain = audio.createGain();
      osc.frequency.value = 660; gain.gain.value = 0.15;
      osc.connect(gain); gain.connect(audio.destination);
      osc.start(); osc.stop(audio.currentTime + 0.3);
    } catch (e) { /* no sound: the alert stays visible */ }
  }
  function calls() {
    return Array.prototype.map.call(document.querySelectorAll("[data-call]"), function (f) { return f.getAttribute("data-call"); });
  }
  function refresh() {
    if (loading) { again = true; return; }
    loading = true;
    fetch(window.location.href, { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (r) {
        if (r.status === 401 || r.redirected) { window.location.reload(); return null; }
        return r.ok ? r.text() : null;
      })
      .then(function (html) {
        if (!html) return;
        var doc = new DOMParser().parseFromString(html, "text/html");
        var before = calls();
        ["floor", "others"].forEach(function (part) {
          var fresh = doc.querySelector('[data-live="' + part + '"]');
          var here = document.querySelector('[data-live="' + part + '"]');
          // A waiter in the middle of choosing a status keeps the open list.
          if (fresh && here && !here.contains(document.activeElement)) here.innerHTML = fresh.innerHTML;
        });
        // A new call for staff rings once; it stays on screen until someone answers it.
        if (calls().some(function (id) { return before.indexOf(id) < 0; })) chime();
      })
      .catch(function () { setTimeout(refresh, 3000); })
      .finally(function () {
        loading = false;
        if (again) { again = false; refresh(); }
      });
  }
  var feed = new EventSource(grid.getAttribute("data-feed"));
  var first = true;
  feed.addEventListener("hello", function () {
    if (state) state.textContent = "Live: tables update by themselves.";
    if (!first) refresh();
    first = false;
  });
  ["resync", "ticket", "ticket_new", "session"].forEach(function (name) {
    feed.addEventListener(name, refresh);
  });
  feed.onerror = function () { if (state) state.textContent = "Connection lost: reconnecting…"; };
  window.addEventListener("online", refresh);
  setInterval(refresh, 30000);
})();
// Split page: what each part comes to (before tax) as the waiter moves lines between parts, and
// which parts are still empty. The server checks the split again; this only shows it.
(function () {
  var out = document.getElementById("part-totals");
  var form = document.getElementById("split-form");
  if (!out || !form) return;
  var picks = form.querySelectorAll("select[data-amount]");
  var parts = parseInt(form.querySelector('input[name="parts"]').value, 10) || 2;
  function money(minor) {
    return (minor / 100).toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  }
  function show() {
    var sums = [];
    for (var k = 0; k < parts; k++) sums.push(null);
    picks.forEach(function (p) {
      var k = parseInt(p.value, 10) - 1;
      sums[k] = (sums[k] || 0) + parseInt(p.getAttribute("data-amount"), 10);
    });
    out.textContent = sums.map(function (s, k) {
      return "Part " + (k + 1) + ": " + (s === null ? "nothing yet" : money(s));
    }).join(" · ") + " (before tax)";
    out.hidden = false;
  }
  picks.forEach(function (p) { p.addEventListener("change", show); });
  show();
})();
