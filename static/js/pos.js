// The POS terminal. The server prices everything; the totals here are only a preview.
// Keyboard first: the barcode field keeps the focus; a USB scanner "types" the code and Enter.
(function () {
  "use strict";
  var root = document.getElementById("pos");
  var scanInput = document.getElementById("scan");
  if (!root || !scanInput) return;

  var token = document.querySelector('meta[name="csrf-token"]').getAttribute("content");
  var vatBp = parseInt(root.getAttribute("data-vat-bp"), 10) || 0;
  var vatInclusive = root.getAttribute("data-vat-inclusive") === "true";
  var storageKey = "tillpoint.cart." + root.getAttribute("data-employee");
  var el = function (id) { return document.getElementById(id); };
  var message = el("message");

  // ---- money as integer centavos -------------------------------------------------------
  function toMinor(text) {
    var s = String(text).trim().replace(/,/g, "");
    if (!/^\d+(\.\d{0,2})?$/.test(s)) return null;
    var parts = s.split(".");
    return parseInt(parts[0], 10) * 100 + parseInt(((parts[1] || "") + "00").slice(0, 2), 10);
  }
  function show(minor) {
    var neg = minor < 0; minor = Math.abs(minor);
    var whole = Math.floor(minor / 100).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
    return (neg ? "-" : "") + whole + "." + String(minor % 100).padStart(2, "0");
  }
  function halfUp(numerator, denominator) { return Math.floor((2 * numerator + denominator) / (2 * denominator)); }

  // ---- the cart, kept per employee so a reload loses nothing --------------------------------
  function newKey() {
    var b = new Uint8Array(16);
    window.crypto.getRandomValues(b);
    b[6] = (b[6] & 0x0f) | 0x40; b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return x.toString(16).padStart(2, "0"); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }
  var state = load();
  function load() {
    try {
      var s = JSON.parse(localStorage.getItem(storageKey));
      if (s && Array.isArray(s.lines) && typeof s.key === "string") return s;
    } catch (e) { /* a damaged cart starts over */ }
    return { key: newKey(), lines: [] };
  }
  function save() { localStorage.setItem(storageKey, JSON.stringify(state)); }

  function say(text, kind) {
    message.textContent = text || "";
    message.className = "pos-message" + (kind ? " " + kind : "");
  }
  function focusScan() { scanInput.focus(); scanInput.select(); }

  function totals() {
    var sum = state.lines.reduce(function (acc, l) { return acc + l.price * l.quantity; }, 0);
    var vat, total;
    if (vatInclusive) { vat = halfUp(sum * vatBp, 10000 + vatBp); total = sum; }
    else { vat = halfUp(sum * vatBp, 10000); total = sum + vat; }
    return { vatable: total - vat, vat: vat, total: total };
  }

  function render() {
    var body = el("cart-lines");
    while (body.firstChild) body.removeChild(body.firstChild);
    if (state.lines.length === 0) {
      var tr = document.createElement("tr"); var td = document.createElement("td");
      td.colSpan = 5; td.className = "muted"; td.textContent = "The cart is empty.";
      tr.appendChild(td); body.appendChild(tr);
    }
    state.lines.forEach(function (l, index) {
      var tr = document.createElement("tr");
      var name = document.createElement("td");
      name.textContent = l.name;
      if (l.serials.length) {
        var small = document.createElement("div"); small.className = "muted small";
        small.textContent = "S/N " + l.serials.join(", "); name.appendChild(small);
      }
      var qty = document.createElement("td"); qty.className = "right";
      if (l.serial_tracked) { qty.textContent = String(l.quantity); }
      else {
        var q = document.createElement("input");
        q.type = "number"; q.min = "1"; q.max = "1000"; q.value = String(l.quantity); q.className = "qty";
        q.setAttribute("aria-label", "Quantity of " + l.name);
        q.addEventListener("change", function () {
          var n = parseInt(q.value, 10);
          if (!(n >= 1 && n <= 1000)) { say("The quantity must be a whole number from 1 to 1000.", "error"); q.value = String(l.quantity); return; }
          if (n > l.stock) say("Only " + l.stock + " × " + l.name + " in stock here.", "error");
          l.quantity = n; save(); render(); focusScan();
        });
        qty.appendChild(q);
      }
      var price = document.createElement("td"); price.className = "right"; price.textContent = show(l.price);
      var total = document.createElement("td"); total.className = "right"; total.textContent = show(l.price * l.quantity);
      var actions = document.createElement("td");
      var remove = document.createElement("button");
      remove.type = "button"; remove.className = "linklike danger"; remove.textContent = "Remove";
      remove.addEventListener("click", function () { state.lines.splice(index, 1); save(); render(); focusScan(); });
      actions.appendChild(remove);
      [name, qty, price, total, actions].forEach(function (c) { tr.appendChild(c); });
      body.appendChild(tr);
    });
    var t = totals();
    el("t-vatable").textContent = show(t.vatable);
    el("t-vat").textContent = show(t.vat);
    el("t-total").textContent = show(t.total);
    var cash = toMinor(el("cash").value || "0");
    el("change").textContent = cash === null ? "—" : show(cash - t.total);
  }

  // ---- adding products ------------------------------------------------------------------------
  function addProduct(p, serial) {
    var line = state.lines.find(function (l) { return l.id === p.id; });
    if (!line) {
      line = { id: p.id, barcode: p.barcode, name: p.name, price: toMinor(p.price), quantity: 0,
               serial_tracked: p.serial_tracked, serials: [], stock: p.stock };
      state.lines.push(line);
    }
    line.stock = p.stock;
    if (serial) {
      if (line.serials.indexOf(serial) >= 0) { say("Serial " + serial + " is already in the cart.", "error"); return; }
      line.serials.push(serial);
    }
    line.quantity += 1;
    if (line.quantity > p.stock) say("Only " + p.stock + " × " + p.name + " in stock here.", "error");
    else say("Added " + p.name + ".", "ok");
    save(); render();
  }

  function askSerial(p) {
    return new Promise(function (resolve) {
      var dialog = el("serial-dialog"), input = el("serial-input"), options = el("serial-options"), error = el("serial-error");
      el("serial-title").textContent = "Serial of " + p.name;
      while (options.firstChild) options.removeChild(options.firstChild);
      var inCart = state.lines.filter(function (l) { return l.id === p.id; }).flatMap(function (l) { return l.serials; });
      var free = (p.serials_in_stock || []).filter(function (s) { return inCart.indexOf(s) < 0; });
      free.forEach(function (s) { var o = document.createElement("option"); o.value = s; options.appendChild(o); });
      input.value = ""; error.textContent = "";
      var done = function (value) { dialog.close(); resolve(value); };
      el("serial-form").onsubmit = function (e) {
        e.preventDefault();
        var v = input.value.trim();
        if (free.indexOf(v) < 0) { error.textContent = v ? v + " is not in stock at this branch." : "Scan the serial number."; input.select(); return; }
        done(v);
      };
      el("serial-cancel").onclick = function () { done(null); };
      dialog.showModal(); input.focus();
    });
  }

  // Scans are handled one after another, in the order they arrived.
  var queue = Promise.resolve();
  function scan(code) {
    code = code.trim();
    if (!code) return;
    queue = queue.then(function () {
      return fetch("/pos/scan?barcode=" + encodeURIComponent(code), { headers: { "Accept": "application/json" }, credentials: "same-origin" })
        .then(function (r) { return r.json().then(function (body) { return { ok: r.ok, body: body }; }); })
        .then(function (res) {
          if (!res.ok) { say(res.body.error || "That barcode was not found.", "error"); return; }
          var p = res.body;
          if (p.serial_tracked) return askSerial(p).then(function (s) { if (s) addProduct(p, s); });
          addProduct(p, null);
        })
        .catch(function () { say("The server did not answer. Check the network and scan again.", "error"); })
        .finally(focusScan);
    });
  }

  el("scan-form").addEventListener("submit", function (e) {
    e.preventDefault();
    var code = scanInput.value; scanInput.value = "";
    scan(code);
  });

  // ---- name / SKU search ------------------------------------------------------------------------
  var searchTimer = null;
  el("search").addEventListener("input", function () {
    clearTimeout(searchTimer);
    var q = el("search").value.trim();
    var list = el("results");
    if (!q) { while (list.firstChild) list.removeChild(list.firstChild); return; }
    searchTimer = setTimeout(function () {
      fetch("/pos/search?q=" + encodeURIComponent(q), { headers: { "Accept": "application/json" }, credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : []; })
        .then(function (hits) {
          while (list.firstChild) list.removeChild(list.firstChild);
          hits.forEach(function (h) {
            var li = document.createElement("li");
            var b = document.createElement("button"); b.type = "button";
            b.textContent = h.name + " — " + h.price + " (" + h.stock + " in stock)";
            b.addEventListener("click", function () { scan(h.barcode); el("search").value = ""; while (list.firstChild) list.removeChild(list.firstChild); });
            li.appendChild(b); list.appendChild(li);
          });
          if (!hits.length) { var li = document.createElement("li"); li.className = "muted"; li.textContent = "Nothing found."; list.appendChild(li); }
        });
    }, 150);
  });

  // ---- customer ------------------------------------------------------------------------------------
  el("customer-phone").addEventListener("change", function () {
    var phone = el("customer-phone").value.trim();
    el("customer-note").textContent = "";
    if (!phone) return;
    fetch("/pos/customers?phone=" + encodeURIComponent(phone), { headers: { "Accept": "application/json" }, credentials: "same-origin" })
      .then(function (r) { return r.json().then(function (b) { return { ok: r.ok, body: b }; }); })
      .then(function (res) {
        if (res.ok) {
          el("customer-name").value = res.body.name; el("customer-email").value = res.body.email || "";
          el("customer-address").value = res.body.address || "";
          el("customer-note").textContent = "Returning customer.";
        } else { el("customer-note").textContent = res.body.error || ""; }
      });
  });

  el("cash").addEventListener("input", render);

  // ---- paying ----------------------------------------------------------------------------------------
  var paying = false;
  function pay() {
    if (paying) return;
    if (!state.lines.length) { say("The cart is empty: scan a product first.", "error"); focusScan(); return; }
    var cash = el("cash").value.trim();
    if (toMinor(cash || "x") === null) { say("Enter the cash received, e.g. 5000.00.", "error"); el("cash").focus(); return; }
    var phone = el("customer-phone").value.trim();
    var customer = phone ? { name: el("customer-name").value.trim(), phone: phone, email: el("customer-email").value.trim(),
                             address: el("customer-address").value.trim() } : null;
    var body = {
      idempotency_key: state.key,
      lines: state.lines.map(function (l) { return { barcode: l.barcode, quantity: l.quantity, serials: l.serials }; }),
      cash_received: cash,
      customer: customer
    };
    paying = true; el("pay").disabled = true; say("Recording the sale…");
    fetch("/pos/checkout/cash", {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRF-Token": token },
      body: JSON.stringify(body)
    })
      .then(function (r) { return r.json().then(function (b) { return { ok: r.ok, body: b }; }); })
      .then(function (res) {
        if (!res.ok) { say(res.body.error || "The sale was refused.", "error"); return; }
        // Done: the next sale gets a new key.
        state = { key: newKey(), lines: [] }; save();
        window.location.assign(res.body.receipt_url);
      })
      .catch(function () { say("The server did not answer. Press Pay again: the same sale will not be recorded twice.", "error"); })
      .finally(function () { paying = false; el("pay").disabled = false; });
  }
  el("pay").addEventListener("click", pay);
  el("clear").addEventListener("click", function () {
    if (state.lines.length && !window.confirm("Clear the cart?")) return;
    state = { key: newKey(), lines: [] }; save(); render(); say(""); focusScan();
  });

  document.addEventListener("keydown", function (e) {
    if (e.key === "F2") { e.preventDefault(); el("search").focus(); }
    else if (e.key === "F4") { e.preventDefault(); el("cash").focus(); }
    else if (e.key === "F9") { e.preventDefault(); pay(); }
    else if (e.key === "Escape" && !el("serial-dialog").open) { focusScan(); }
    else if (document.activeElement === document.body && e.key.length === 1 && !e.ctrlKey && !e.metaKey) {
      // A scanner fired while nothing had the focus: catch its keystrokes in the barcode field.
      scanInput.focus();
    }
  });

  render();
  focusScan();
})();
