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
        q.addEventListener("input", function () {
          var n = parseInt(q.value, 10);
          var over = n > l.stock;
          q.setAttribute("aria-invalid", over ? "true" : "false");
          if (over) say("Only " + l.stock + " × " + l.name + " in stock here.", "error");
          else if (message.className.indexOf("error") >= 0) say("", "");
        });
        q.addEventListener("change", function () {
          var n = parseInt(q.value, 10);
          if (!(n >= 1 && n <= 1000)) { say("The quantity must be a whole number from 1 to 1000.", "error"); q.value = String(l.quantity); return; }
          if (n > l.stock) {
            // More than the branch has: refused here (the server would refuse it too).
            say("Only " + l.stock + " × " + l.name + " in stock here.", "error");
            q.value = String(l.quantity); q.focus(); return;
          }
          say("", "");
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
    // A card or e-wallet part pays first; the cash covers the rest and gives the change.
    var other = otherPart();
    var rest = Math.max(0, t.total - (other ? other.minor : 0));
    var due = cash !== null && cash < rest;
    el("change-label").textContent = due ? "Amount due" : "Change";
    el("change").textContent = cash === null ? "—" : show(Math.abs(cash - rest));
    el("change").parentNode.className = "change-line" + (due ? " due" : "");
    quickCash(rest);
    if (el("installment-box") && !el("installment-box").hidden) planPreview();
  }

  // Exact, and the next round amounts a customer hands over (the currency's notes).
  var NOTES = [2000, 5000, 10000, 20000, 50000, 100000];
  function quickCash(total) {
    var box = el("quick-cash");
    while (box.firstChild) box.removeChild(box.firstChild);
    if (!total) return;
    var amounts = [total];
    NOTES.forEach(function (n) {
      var up = Math.ceil(total / n) * n;
      if (up > total && amounts.indexOf(up) < 0 && amounts.length < 4) amounts.push(up);
    });
    amounts.forEach(function (a, i) {
      var b = document.createElement("button");
      b.type = "button"; b.textContent = i === 0 ? "Exact " + show(a) : show(a);
      b.addEventListener("click", function () { el("cash").value = show(a).replace(/,/g, ""); render(); el("pay").focus(); });
      box.appendChild(b);
    });
  }

  // ---- through an outage (static/js/till-offline.js) ---------------------------------------------
  var offline = window.TillOffline;
  function timeText(ms) { return ms ? new Date(ms).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" }) : "never"; }
  function showOffline(st) {
    var banner = el("offline-banner");
    if (!banner) return;
    var waiting = st.pending ? st.pending + " sale" + (st.pending === 1 ? "" : "s") + " waiting to be sent" : "no sale waiting";
    if (!st.online) {
      banner.hidden = false; banner.className = "offline-banner offline";
      el("offline-text").textContent = "Offline — sales are kept on this till · " + waiting + " · last sync " + timeText(st.lastSync);
    } else if (st.signIn) {
      banner.hidden = false; banner.className = "offline-banner offline";
      el("offline-text").textContent = "Sign in again to send the " + waiting + " (your session ended).";
    } else if (st.pending) {
      banner.hidden = false; banner.className = "offline-banner syncing";
      el("offline-text").textContent = "Back online — sending " + waiting + " · last sync " + timeText(st.lastSync);
    } else {
      banner.hidden = true;
    }
    var list = el("offline-issues");
    if (!list) return;
    while (list.firstChild) list.removeChild(list.firstChild);
    list.hidden = !st.issues.length;
    st.issues.forEach(function (i) {
      var li = document.createElement("li");
      li.textContent = (i.status === "exception" ? "Needs a manager: " : "Not taken: ") + i.provisional + " (" + i.total + ") — " + i.reason + " ";
      var b = document.createElement("button"); b.type = "button"; b.className = "linklike"; b.textContent = "Dismiss";
      b.addEventListener("click", function () { offline.dismissIssue(i.idempotency_key); });
      li.appendChild(b); list.appendChild(li);
    });
  }
  if (offline) {
    offline.start({ csrf: token, employee: Number(root.getAttribute("data-employee")), shift: Number(root.getAttribute("data-shift")),
                    onStatus: showOffline });
    if ("serviceWorker" in navigator) navigator.serviceWorker.register("/sw.js").catch(function () { /* http on a LAN address: no worker */ });
  }
  // A product from the till's own copy of the catalogue, shaped as a scan's answer.
  function fromKept(code) {
    if (!offline) return Promise.resolve(null);
    return offline.lookup(code).then(function (k) {
      return k ? { id: k.id, barcode: k.barcode, name: k.name, price: show(k.price).replace(/,/g, ""), stock: 1000,
                   serial_tracked: k.serial_tracked, serials_in_stock: [], offline: true } : null;
    });
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
      var settled = false;
      var done = function (value) {
        if (settled) return;
        settled = true;
        dialog.onclose = null;
        if (dialog.open) dialog.close();
        resolve(value);
      };
      // Esc (or anything else that closes the dialog) cancels: the till goes on scanning.
      dialog.onclose = function () { done(null); };
      el("serial-form").onsubmit = function (e) {
        e.preventDefault();
        var v = input.value.trim();
        if (p.offline && v) { done(v); return; }
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
      var asked = offline && !offline.status().online
        ? Promise.reject(new Error("offline"))
        : fetch("/pos/scan?barcode=" + encodeURIComponent(code), { headers: { "Accept": "application/json" }, credentials: "same-origin" })
          .then(function (r) {
            if (offline && offline.isOutage(r)) throw new Error("outage");
            return r.json().then(function (body) { return { ok: r.ok, body: body }; });
          });
      return asked
        .catch(function (e) {
          // The server cannot be reached: the till's own copy of the catalogue answers.
          if (offline) offline.lost();
          return fromKept(code).then(function (p) {
            if (p) return { ok: true, body: p };
            throw e;
          });
        })
        .then(function (res) {
          if (!res.ok) { say(res.body.error || "That barcode was not found.", "error"); return; }
          var p = res.body;
          if (p.serial_tracked && p.offline) {
            return askSerial(p).then(function (s) {
              if (s) addProduct(p, s); else say(p.name + " was not added (no serial chosen).", "");
            });
          }
          if (p.serial_tracked) {
            var taken = state.lines.filter(function (l) { return l.id === p.id; }).reduce(function (a, l) { return a + l.serials.length; }, 0);
            if (!(p.serials_in_stock || []).length || taken >= p.serials_in_stock.length) {
              say("No serial of " + p.name + " is left in stock here.", "error");
              return;
            }
            return askSerial(p).then(function (s) {
              if (s) addProduct(p, s); else say(p.name + " was not added (no serial chosen).", "");
            });
          }
          addProduct(p, null);
        })
        .catch(function () { say("The server did not answer and this till has not seen that barcode. Check the network and scan again.", "error"); })
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
          hits.forEach(function (h, i) {
            var li = document.createElement("li");
            var b = document.createElement("button"); b.type = "button";
            if (i === 0) b.className = "active";
            b.textContent = h.name + " — " + h.price + " (" + h.stock + " in stock)";
            b.addEventListener("click", function () { scan(h.barcode); el("search").value = ""; while (list.firstChild) list.removeChild(list.firstChild); });
            li.appendChild(b); list.appendChild(li);
          });
          if (!hits.length) { var li = document.createElement("li"); li.className = "muted"; li.textContent = "Nothing found."; list.appendChild(li); }
        });
    }, 150);
  });

  function clearResults() {
    var list = el("results");
    while (list.firstChild) list.removeChild(list.firstChild);
  }
  // Arrow keys move through the results, Enter adds the highlighted one, Esc clears the search.
  el("search").addEventListener("keydown", function (e) {
    var buttons = Array.prototype.slice.call(el("results").querySelectorAll("button"));
    var at = buttons.findIndex(function (b) { return b.classList.contains("active"); });
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      e.preventDefault();
      if (!buttons.length) return;
      var next = e.key === "ArrowDown" ? Math.min(buttons.length - 1, at + 1) : Math.max(0, at - 1);
      buttons.forEach(function (b, i) { b.classList.toggle("active", i === next); });
      buttons[next].scrollIntoView({ block: "nearest" });
    } else if (e.key === "Enter") {
      e.preventDefault();
      if (at >= 0) buttons[at].click();
    } else if (e.key === "Escape") {
      e.preventDefault(); e.stopPropagation();
      el("search").value = ""; clearResults(); focusScan();
    }
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
          el("customer-note").textContent = "Returning customer." +
            (res.body.store_credit && res.body.store_credit !== "0.00" ? " Store credit: " + res.body.store_credit + "." : "");
        } else {
          // A miss forgets the previous customer: the sale is recorded against what is on screen.
          el("customer-name").value = ""; el("customer-email").value = ""; el("customer-address").value = "";
          el("customer-note").textContent = res.body.error || "";
        }
      });
  });

  // The card or e-wallet part of a split payment, when one is typed.
  function otherPart() {
    var raw = el("other-amount").value.trim();
    if (!raw) return null;
    var minor = toMinor(raw);
    return minor === null || minor <= 0 ? null : { raw: raw, minor: minor };
  }
  el("other-amount").addEventListener("input", render);
  el("cash").addEventListener("input", render);
  el("cash").addEventListener("keydown", function (e) { if (e.key === "Enter") { e.preventDefault(); pay(); } });

  // ---- cash or instalment ------------------------------------------------------------------------
  function tender() {
    var picked = document.querySelector("input[name=tender]:checked");
    return picked ? picked.value : "cash";
  }
  var interestBp = Number(root.getAttribute("data-interest-bp") || "0");
  // A preview only: the server works the plan out again from its own prices.
  function planPreview() {
    var total = totals().total;
    var down = toMinor(el("down-payment").value || "0");
    var term = Number(el("term").value || "1");
    if (down === null || down > total) { el("p-financed").textContent = "—"; el("p-interest").textContent = "—"; el("p-monthly").textContent = "—"; return; }
    var financed = total - down;
    var interest = Math.round(financed * interestBp / 10000);
    el("p-financed").textContent = show(financed);
    el("p-interest").textContent = show(interest);
    el("p-monthly").textContent = show(Math.floor((financed + interest) / term));
  }
  function switchTender() {
    var inst = tender() === "installment";
    el("cash-box").hidden = inst;
    el("installment-box").hidden = !inst;
    el("pay").textContent = inst ? "Record instalment sale (F9)" : "Pay cash (F9)";
    el("customer-summary").textContent = inst ? "Customer (required)" : "Customer (optional)";
    el("customer-phone-label").textContent = inst ? "Customer phone" : "Customer phone (optional)";
    if (inst) { el("customer-box").open = true; planPreview(); }
  }
  Array.prototype.forEach.call(document.querySelectorAll("input[name=tender]"), function (r) { r.addEventListener("change", switchTender); });
  el("down-payment").addEventListener("input", planPreview);
  el("term").addEventListener("change", planPreview);

  // ---- paying ----------------------------------------------------------------------------------------
  var paying = false;
  function pay() {
    if (paying) return;
    if (!state.lines.length) { say("The cart is empty: scan a product first.", "error"); focusScan(); return; }
    var inst = tender() === "installment";
    var cash = el("cash").value.trim();
    var other = inst ? null : otherPart();
    if (!inst && el("other-amount").value.trim() && !other) { say("Enter the card or e-wallet amount, e.g. 1500.00.", "error"); el("other-amount").focus(); return; }
    if (other && el("other-method").value !== "store_credit" && !el("other-reference").value.trim()) { say("Enter the card slip's or the transfer's reference.", "error"); el("other-reference").focus(); return; }
    if (!inst && !other && toMinor(cash || "x") === null) { say("Enter the cash received, e.g. 5000.00.", "error"); el("cash").focus(); return; }
    if (other && cash && toMinor(cash) === null) { say("Enter the cash received, e.g. 500.00, or leave it empty.", "error"); el("cash").focus(); return; }
    var down = el("down-payment").value.trim() || "0";
    if (inst && toMinor(down) === null) { say("Enter the down payment, e.g. 5000.00 (or 0).", "error"); el("down-payment").focus(); return; }
    var phone = el("customer-phone").value.trim();
    if (inst && (!phone || !el("customer-name").value.trim())) {
      say("An instalment sale needs the customer's name and phone number.", "error");
      el("customer-box").open = true; el(phone ? "customer-name" : "customer-phone").focus(); return;
    }
    var customer = phone ? { name: el("customer-name").value.trim(), phone: phone, email: el("customer-email").value.trim(),
                             address: el("customer-address").value.trim() } : null;
    var body = {
      idempotency_key: state.key,
      lines: state.lines.map(function (l) { return { barcode: l.barcode, quantity: l.quantity, serials: l.serials }; }),
      customer: customer
    };
    if (inst) { body.term_months = Number(el("term").value); body.down_payment = down; }
    else if (other) {
      body.tenders = [{ method: el("other-method").value, amount: other.raw, reference: el("other-reference").value.trim() }];
      if (cash && toMinor(cash) > 0) body.tenders.push({ method: "cash", amount: cash });
    }
    else { body.cash_received = cash; }
    paying = true; el("pay").disabled = true; say("Recording the sale…");
    var cashOnly = !inst && !other && !phone;
    var sent = offline && !offline.status().online && cashOnly
      ? Promise.reject(new Error("offline"))
      : fetch(inst ? "/pos/checkout/installment" : other ? "/pos/checkout" : "/pos/checkout/cash", {
        method: "POST", credentials: "same-origin",
        headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRF-Token": token },
        body: JSON.stringify(body)
      }).then(function (r) {
        if (offline && offline.isOutage(r)) throw new Error("outage");
        return r.json().then(function (b) { return { ok: r.ok, body: b }; });
      });
    sent
      .then(function (res) {
        if (!res.ok) { say(res.body.error || "The sale was refused.", "error"); return; }
        // Done: the next sale gets a new key; the cashier sees the change due, big.
        state = { key: newKey(), lines: [] }; save();
        showPaid(res.body);
      }, function () {
        if (offline) offline.lost();
        if (!offline || !cashOnly) {
          say(offline && !cashOnly
            ? "The server did not answer. Offline, the till takes cash only, without a customer: card, e-wallet and instalment sales need the server."
            : "The server did not answer. Press Pay again: the same sale will not be recorded twice.", "error");
          return;
        }
        return sellOffline(cash);
      })
      .finally(function () { paying = false; el("pay").disabled = false; });
  }
  el("pay").addEventListener("click", pay);

  // The server cannot be reached: the sale is kept on this till with the same key (if the
  // server did take it before the line dropped, it answers that sale when the queue arrives).
  function sellOffline(cash) {
    var t = totals().total;
    var received = toMinor(cash);
    if (received === null || received < t) { say("Cash received is less than the total.", "error"); return; }
    var sale = {
      idempotency_key: state.key,
      lines: state.lines.map(function (l) { return { barcode: l.barcode, name: l.name, quantity: l.quantity, price: show(l.price).replace(/,/g, ""), serials: l.serials }; }),
      cash_received: cash, total: show(t).replace(/,/g, "")
    };
    var lines = state.lines.slice();
    return offline.queueSale(sale, t).then(function (kept) {
      state = { key: newKey(), lines: [] }; save();
      fillProvisional(kept, lines, t, received);
      showPaid({ receipt_number: offline.provisional(kept) + " (offline)", change: show(received - t).replace(/,/g, ""), receipt_url: "#provisional" });
      say("Offline: the sale is kept on this till and will be sent when the server answers.", "ok");
    }, function (e) { say(e.message, "error"); });
  }
  function fillProvisional(kept, lines, total, received) {
    el("pr-number").textContent = offline.provisional(kept);
    el("pr-block").textContent = String(kept.block);
    el("pr-when").textContent = new Date(kept.made_at).toLocaleString();
    var body = el("pr-lines");
    while (body.firstChild) body.removeChild(body.firstChild);
    lines.forEach(function (l) {
      var tr = document.createElement("tr");
      [l.quantity + " × " + l.name, show(l.price * l.quantity)].forEach(function (text, i) {
        var td = document.createElement("td"); td.textContent = text; if (i) td.className = "right"; tr.appendChild(td);
      });
      body.appendChild(tr);
    });
    el("pr-total").textContent = show(total);
    el("pr-cash").textContent = show(received);
    el("pr-change").textContent = show(received - total);
    var st = offline.status();
    el("pr-synced").textContent = st.lastSync ? new Date(st.lastSync).toLocaleString() : "this till's last contact";
  }
  function printProvisional() {
    document.body.classList.add("print-provisional");
    window.print();
    setTimeout(function () { document.body.classList.remove("print-provisional"); }, 500);
  }

  var paidPanel = el("paid");
  function showPaid(result) {
    el("paid-or").textContent = result.receipt_number;
    var plan = result.plan_id;
    el("paid-label").textContent = plan ? "Instalment plan #" + plan + " waits for a credit officer's approval" : "Change due";
    el("paid-change").textContent = plan ? "" : show(toMinor(result.change) || 0);
    el("paid-plan").hidden = !plan;
    if (plan) el("paid-plan").href = "/installments/" + plan;
    el("paid-print").href = result.receipt_url;
    el("paid-title").firstChild.textContent = result.receipt_url === "#provisional" ? "Kept on this till · " : "Sale recorded · ";
    paidPanel.hidden = false;
    el("paid-next").focus();
  }
  function nextSale() {
    paidPanel.hidden = true;
    el("cash").value = ""; el("down-payment").value = "";
    el("other-amount").value = ""; el("other-reference").value = ""; el("other-tender").open = false; el("customer-phone").value = ""; el("customer-name").value = "";
    el("customer-email").value = ""; el("customer-address").value = ""; el("customer-note").textContent = "";
    render(); say("Ready for the next sale.", "ok"); focusScan();
  }
  el("paid-next").addEventListener("click", nextSale);
  el("paid-print").addEventListener("click", function (e) {
    if (el("paid-print").getAttribute("href") === "#provisional") { e.preventDefault(); printProvisional(); }
  });
  el("clear").addEventListener("click", function () {
    if (state.lines.length && !window.confirm("Clear the cart?")) return;
    state = { key: newKey(), lines: [] }; save(); render(); say(""); focusScan();
  });

  // A scanner types a code a few milliseconds per key and ends with Enter. Keys that fast in any
  // other field are moved to the scan field, so a scan never lands in a customer's name.
  var burst = { field: null, text: "", last: 0, start: "" };
  document.addEventListener("keydown", function (e) {
    var t = e.target;
    if (t === scanInput || !t || t.tagName !== "INPUT" || e.ctrlKey || e.metaKey || e.altKey) return;
    var now = Date.now();
    if (e.key.length === 1) {
      if (burst.field !== t || now - burst.last > 40) { burst = { field: t, text: "", last: now, start: t.value }; }
      burst.text += e.key; burst.last = now;
    } else if (e.key === "Enter" && burst.field === t && burst.text.length >= 6 && now - burst.last <= 40) {
      e.preventDefault(); e.stopImmediatePropagation();
      t.value = burst.start;
      var code = burst.text; burst = { field: null, text: "", last: 0, start: "" };
      render(); scan(code);
    }
  }, true);

  document.addEventListener("keydown", function (e) {
    if (!paidPanel.hidden) {
      if (e.key === "Enter" || e.key === "n" || e.key === "N" || e.key === "Escape") { e.preventDefault(); nextSale(); }
      else if (e.key === "p" || e.key === "P") { e.preventDefault(); el("paid-print").click(); }
      return;
    }
    if (e.key === "F2") { e.preventDefault(); el("search").focus(); el("search").select(); }
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
