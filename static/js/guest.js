// The guest's page works as plain forms; this adds +/− steppers, a running cart summary, and
// live order status (server-sent events; on every (re)connect the status block is fetched);
// when the table is closed the page reloads to thank the guest and ask for feedback.
(function () {
  var form = document.getElementById("order");
  var summary = document.getElementById("cart-summary");
  function priceOf(input) {
    var item = input.closest(".item");
    // The amount itself, not the text shown (which carries the currency sign and grouping).
    var price = item && item.querySelector(".price");
    var unit = (price && parseFloat(price.getAttribute("data-price"))) || 0;
    // The options ticked add their prices; the server prices the order again from the menu.
    if (item) item.querySelectorAll(".modifiers input:checked").forEach(function (o) {
      unit += parseFloat(o.getAttribute("data-delta")) || 0;
    });
    return unit;
  }
  function update() {
    if (!form || !summary) return;
    var count = 0, total = 0;
    form.querySelectorAll('input[type=number][name^="qty_"]').forEach(function (i) {
      var n = parseInt(i.value, 10);
      if (n > 0) { count += n; total += n * priceOf(i); }
    });
    var prefix = summary.getAttribute("data-money-prefix") || "";
    summary.textContent = count ? count + " item(s) · " + prefix + total.toFixed(2) + " before tax" : "";
  }
  if (form) {
    form.querySelectorAll('input[type=number][name^="qty_"]').forEach(function (input) {
      var wrap = document.createElement("span");
      wrap.className = "stepper";
      var minus = document.createElement("button");
      minus.type = "button"; minus.textContent = "−"; minus.setAttribute("aria-label", "One less");
      var plus = document.createElement("button");
      plus.type = "button"; plus.textContent = "+"; plus.setAttribute("aria-label", "One more");
      input.parentNode.insertBefore(wrap, input);
      wrap.appendChild(minus); wrap.appendChild(input); wrap.appendChild(plus);
      function step(d) {
        var n = (parseInt(input.value, 10) || 0) + d;
        input.value = Math.max(0, Math.min(50, n)) || "";
        update();
      }
      minus.addEventListener("click", function () { step(-1); });
      plus.addEventListener("click", function () { step(1); });
    });
    form.addEventListener("input", update);
    update();
  }
  var status = document.getElementById("status");
  if (status && window.EventSource) {
    var refresh = function () {
      fetch(status.getAttribute("data-fragment"), { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.text() : null; })
        .then(function (html) {
          if (html === null) return;
          var wasOpen = !!status.querySelector("section.status");
          // What the guest is typing there (a promo code) survives the refresh, focus too;
          // hidden fields (the form's keys) come fresh from the server.
          var typed = {}, active = document.activeElement;
          var focused = active && status.contains(active) ? active.name : null;
          status.querySelectorAll("input[name], textarea[name]").forEach(function (i) {
            if (i.type !== "hidden" && i.value) typed[i.name] = i.value;
          });
          status.innerHTML = html;
          var field = function (name) { return status.querySelector('[name="' + (window.CSS && CSS.escape ? CSS.escape(name) : name) + '"]'); };
          Object.keys(typed).forEach(function (name) {
            var i = field(name);
            if (i && i.type !== "hidden" && !i.value) i.value = typed[name];
          });
          if (focused && field(focused)) field(focused).focus();
          // The table was just closed: the whole page changes (thanks and feedback).
          if (wasOpen && !status.querySelector("section.status")) location.reload();
        })
        .catch(function () { setTimeout(refresh, 3000); });
    };
    window.addEventListener("online", refresh);
    var feed = new EventSource(status.getAttribute("data-feed"));
    ["hello", "resync", "ticket", "ticket_new", "session"].forEach(function (name) {
      feed.addEventListener(name, refresh);
    });
  }
})();
