// Kitchen display: the server announces changes (server-sent events); the page then fetches
// the current tickets. EventSource reconnects by itself after a network blip, and every
// (re)connection starts with "hello", so the board catches up with whatever it missed.
(function () {
  var board = document.getElementById("kitchen-board");
  // Wall screen: large type, no navigation (?wall=1; reload without it to leave).
  if (/[?&]wall=1\b/.test(window.location.search)) document.body.classList.add("kitchen-wall");
  if (!board || !window.EventSource) return;
  var state = document.getElementById("live-state");
  var fragment = board.getAttribute("data-fragment");
  var audio = null;

  function beep() {
    try {
      audio = audio || new (window.AudioContext || window.webkitAudioContext)();
      var osc = audio.createOscillator();
      var gain = audio.createGain();
      osc.frequency.value = 880;
      gain.gain.value = 0.15;
      osc.connect(gain);
      gain.connect(audio.destination);
      osc.start();
      osc.stop(audio.currentTime + 0.2);
    } catch (e) { /* no sound available: the ticket still appears */ }
  }

  var loading = false, again = false;
  function refresh() {
    if (loading) { again = true; return; }
    loading = true;
    fetch(fragment, { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (r) {
        if (r.status === 401 || r.redirected) { window.location.reload(); return null; }
        return r.ok ? r.text() : null;
      })
      .then(function (html) {
        // A cook ticking tickets for "complete" keeps the ticks across refreshes.
        if (html !== null && html !== undefined) {
          var ticked = Array.prototype.map.call(board.querySelectorAll('input[name="ids"]:checked'), function (i) { return i.value; });
          board.innerHTML = html;
          ticked.forEach(function (id) {
            var box = board.querySelector('input[name="ids"][value="' + id + '"]');
            if (box) box.checked = true;
          });
        }
      })
      // Offline for a moment: try again shortly, so a change announced meanwhile is not lost.
      .catch(function () { setTimeout(refresh, 3000); })
      .finally(function () {
        loading = false;
        if (again) { again = false; refresh(); }
      });
  }

  var feed = null;
  function connect() {
    feed = new EventSource(board.getAttribute("data-feed"));
    feed.addEventListener("hello", function () { state.textContent = "Live: new tickets appear by themselves."; refresh(); });
    feed.addEventListener("resync", refresh);
    feed.addEventListener("ticket", refresh);
    feed.addEventListener("session", refresh);
    feed.addEventListener("ticket_new", function () { beep(); refresh(); });
    feed.onerror = function () { state.textContent = "Connection lost: reconnecting…"; };
  }
  connect();
  // The browser knows the network went before a quiet stream does: say so at once, and start a
  // fresh stream when it is back (its "hello" fetches whatever was missed).
  window.addEventListener("offline", function () {
    if (feed) feed.close();
    feed = null;
    state.textContent = "Connection lost: reconnecting…";
  });
  window.addEventListener("online", function () { if (!feed) connect(); refresh(); });
  // Ages and "late" marks move with the clock even when nothing happens.
  setInterval(refresh, 30000);
})();
