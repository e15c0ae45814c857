// The till through an outage. Keeps, in IndexedDB, a copy of the catalogue (brought up to
// date from /pos/catalogue while the server answers), a block of provisional receipt numbers
// reserved while online, and the queue of sales made while the server could not be reached.
// A queued sale is written to IndexedDB before the screen says it is done, and leaves the
// queue only once the server has answered for it: a closed tab, a crash or a power cut loses
// nothing the cashier saw confirmed. The server takes each sale once (its key and number).
(function () {
  "use strict";
  var DB_NAME = "tillpoint-till";
  var dbPromise = null;

  function open() {
    if (dbPromise) return dbPromise;
    dbPromise = new Promise(function (resolve, reject) {
      if (!window.indexedDB) { reject(new Error("This browser cannot keep data (no IndexedDB).")); return; }
      var req = indexedDB.open(DB_NAME, 2);
      req.onupgradeneeded = function (e) {
        var db = req.result;
        var have = function (name) { return db.objectStoreNames.contains(name); };
        // Version 1 kept a record per product (23 MB for 100,000 in Chromium); the catalogue
        // is now kept in chunks of 1,000 products, and loaded again from the start.
        if (have("products")) db.deleteObjectStore("products");
        if (!have("chunks")) db.createObjectStore("chunks");
        if (!have("meta")) db.createObjectStore("meta");
        else if (e.oldVersion < 2) req.transaction.objectStore("meta").delete("cursor");
        if (!have("queue")) db.createObjectStore("queue", { keyPath: "seq", autoIncrement: true });
        if (!have("issues")) db.createObjectStore("issues", { keyPath: "idempotency_key" });
        if (!have("sent")) db.createObjectStore("sent", { keyPath: "idempotency_key" });
      };
      req.onsuccess = function () { resolve(req.result); };
      req.onerror = function () { reject(req.error); };
    });
    return dbPromise;
  }

  // One transaction; resolves once it is committed (what "kept" means here).
  function tx(stores, mode, work) {
    return open().then(function (db) {
      return new Promise(function (resolve, reject) {
        // Sales and the block's numbers are on disk before "kept" is said (Chromium's default,
        // "relaxed", may answer before the disk has them); the catalogue can be fetched again.
        var strict = mode === "readwrite" && stores.indexOf("chunks") < 0;
        var t = strict ? db.transaction(stores, mode, { durability: "strict" }) : db.transaction(stores, mode);
        var out;
        t.oncomplete = function () { resolve(out); };
        t.onerror = function () { reject(t.error); };
        t.onabort = function () { reject(t.error || new Error("aborted")); };
        out = work(t);
      });
    });
  }
  function request(r) {
    return new Promise(function (resolve, reject) { r.onsuccess = function () { resolve(r.result); }; r.onerror = function () { reject(r.error); }; });
  }
  function getMeta(key) { return open().then(function (db) { return request(db.transaction("meta").objectStore("meta").get(key)); }); }
  function setMeta(key, value) { return tx(["meta"], "readwrite", function (t) { t.objectStore("meta").put(value, key); }); }
  function all(store) { return open().then(function (db) { return request(db.transaction(store).objectStore(store).getAll()); }); }

  function hex(bytes) { return Array.prototype.map.call(bytes, function (x) { return x.toString(16).padStart(2, "0"); }).join(""); }
  function randomHex(n) { var b = new Uint8Array(n); window.crypto.getRandomValues(b); return hex(b); }
  function uuid() {
    var h = randomHex(16).split("");
    h[12] = "4"; h[16] = "89ab"[parseInt(h[16], 16) & 3];
    h = h.join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  var csrf = "";
  var listeners = [];
  var status = { online: navigator.onLine !== false, pending: 0, pendingTotal: 0, lastSync: null, lastContact: null,
                 issues: [], block: null, limits: null, catalogue: 0, signIn: false };
  function tell() { listeners.forEach(function (f) { try { f(status); } catch (e) { /* a listener's own trouble */ } }); }

  // The server answered: the till is online. Any answer counts, even a refusal.
  function contact() {
    status.online = true; status.signIn = false; status.lastContact = Date.now();
    setMeta("lastContact", status.lastContact);
  }
  function lost() { if (status.online) { status.online = false; tell(); } }
  // A network failure, or a gateway saying the server is not there.
  function isOutage(res) { return res === null || res.status === 502 || res.status === 503 || res.status === 504; }

  function json(method, url, body) {
    var init = { method: method, credentials: "same-origin", headers: { "Accept": "application/json" } };
    if (body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.headers["X-CSRF-Token"] = csrf;
      init.body = JSON.stringify(body);
    }
    var ctl = window.AbortController ? new AbortController() : null;
    if (ctl) { init.signal = ctl.signal; setTimeout(function () { ctl.abort(); }, 15000); }
    return fetch(url, init).then(function (r) {
      if (isOutage(r)) { lost(); return { outage: true }; }
      contact();
      return r.json().catch(function () { return {}; }).then(function (b) { return { ok: r.ok, status: r.status, body: b }; });
    }, function () { lost(); return { outage: true }; });
  }

  // ---- the catalogue ------------------------------------------------------------------------
  // Kept in IndexedDB in chunks of 1,000 products by id ({id: [barcode, name, price, serial]}),
  // a few MB for 100,000; scans look it up in a map by barcode built from the chunks once.
  var CHUNK = 1000;
  var byBarcode = null, byId = null, loading = null;
  function remember(id, row) {
    var old = byId.get(id);
    if (old !== undefined) byBarcode.delete(old);
    if (row) { byId.set(id, row[0]); byBarcode.set(row[0], [id, row[1], row[2], row[3]]); }
    else byId.delete(id);
  }
  function loadCatalogue() {
    if (loading) return loading;
    loading = all("chunks").then(function (chunks) {
      byBarcode = new Map(); byId = new Map();
      chunks.forEach(function (c) { Object.keys(c).forEach(function (id) { remember(Number(id), c[id]); }); });
      status.catalogue = byId.size;
    }).catch(function () { byBarcode = new Map(); byId = new Map(); });
    return loading;
  }

  var catalogueBusy = false;
  function refreshCatalogue() {
    if (catalogueBusy) return Promise.resolve();
    catalogueBusy = true;
    function page(cursor) {
      return json("GET", "/pos/catalogue?after=" + encodeURIComponent(cursor)).then(function (res) {
        if (res.outage || !res.ok) throw new Error("no catalogue");
        var rows = res.body.products || [];
        if (res.body.limits) {
          // The shop's limits as they are now, for the block this till holds.
          status.limits = res.body.limits;
          if (status.block) status.block.limits = res.body.limits;
          // Only the limits change, on the block as kept (its used numbers are the queue's).
          tx(["meta"], "readwrite", function (t) {
            var meta = t.objectStore("meta"), got = meta.get("block");
            got.onsuccess = function () { if (got.result) { got.result.limits = res.body.limits; meta.put(got.result, "block"); } };
          }).catch(function () { /* the next page tries again */ });
        }
        var touched = {};
        rows.forEach(function (r) { (touched[Math.floor(r[0] / CHUNK)] = touched[Math.floor(r[0] / CHUNK)] || []).push(r); });
        return tx(["chunks", "meta"], "readwrite", function (t) {
          var store = t.objectStore("chunks");
          Object.keys(touched).forEach(function (k) {
            var got = store.get(Number(k));
            got.onsuccess = function () {
              var chunk = got.result || {};
              touched[k].forEach(function (r) {
                if (r[5]) chunk[r[0]] = [r[1], r[2], r[3], r[4]];
                else delete chunk[r[0]];
              });
              store.put(chunk, Number(k));
            };
          });
          t.objectStore("meta").put(res.body.next, "cursor");
        }).then(function () {
          rows.forEach(function (r) { remember(r[0], r[5] ? [r[1], r[2], r[3], r[4]] : null); });
          if (res.body.more) return page(res.body.next);
        });
      });
    }
    return loadCatalogue().then(function () { return getMeta("cursor"); }).then(function (c) { return page(c || ""); })
      .then(function () {
        // In step with the server: what the receipt calls "the last sync".
        status.catalogue = byId.size; status.lastSync = Date.now(); setMeta("lastSync", status.lastSync); tell();
      })
      .catch(function () { /* kept as it was; tried again later */ })
      .finally(function () { catalogueBusy = false; });
  }

  function lookup(barcode) {
    return loadCatalogue().then(function () {
      var p = byBarcode.get(barcode);
      return p ? { id: p[0], barcode: barcode, name: p[1], price: p[2], serial_tracked: p[3] } : null;
    });
  }

  // ---- the block of provisional numbers -------------------------------------------------------
  function ensureBlock() {
    return Promise.all([getMeta("block"), getMeta("blockRequest")]).then(function (m) {
      var b = m[0], asked = m[1];
      if (b && b.used < b.size - 20 && b.employee === status.employee && b.shift === status.shift) { status.block = b; status.limits = b.limits; return b; }
      // A request that got no answer is sent again with the same key and secret: one block.
      var ask = (asked && asked.employee === status.employee && asked.shift === status.shift) ? asked : { key: uuid(), secret: randomHex(32), employee: status.employee, shift: status.shift };
      return setMeta("blockRequest", ask).then(function () {
        return json("POST", "/pos/offline/block", { idempotency_key: ask.key, secret: ask.secret });
      }).then(function (res) {
        if (res.outage || !res.ok) {
          if (b && b.employee === status.employee && b.shift === status.shift) { status.block = b; status.limits = b.limits; }
          return b || null;
        }
        var block = { id: res.body.block, shift: res.body.shift, size: res.body.size, secret: ask.secret, used: 0, employee: status.employee,
                      register: res.body.register, limits: res.body.limits, vat: res.body.vat };
        status.block = block; status.limits = block.limits;
        return tx(["meta"], "readwrite", function (t) {
          t.objectStore("meta").put(block, "block");
          t.objectStore("meta").delete("blockRequest");
        }).then(function () { tell(); return block; });
      });
    }).catch(function () { return null; });
  }

  // ---- offline sales ----------------------------------------------------------------------------
  // Whether a sale of `total` (minor units) may be made offline now; a refusal says why.
  function mayQueue(total) {
    var b = status.block, lim = status.limits;
    if (!b) return "This till has no receipt numbers for offline sales (it needs the server once, with a shift open).";
    if (b.employee !== status.employee || b.shift !== status.shift) return "The offline receipt numbers belong to another shift on this till.";
    if (!lim || lim.minutes <= 0) return "Selling offline is turned off in the shop settings.";
    if (b.used >= b.size) return "This till has used all its offline receipt numbers.";
    var since = status.lastContact || 0;
    if (Date.now() - since > lim.minutes * 60000) return "The till has been offline for more than " + lim.minutes + " minutes: sales wait until the server answers.";
    if (status.pendingTotal + total > lim.amount_minor) return "The sales waiting on this till would pass the offline limit of " + (lim.amount_minor / 100).toFixed(2) + ".";
    return null;
  }

  // Keeps one sale: `sale` has idempotency_key, lines [{barcode, name, quantity, price, serials}],
  // cash_received and total (text amounts). Resolves with the queued sale (its number) once kept.
  function queueSale(sale, totalMinor) {
    var refusal = mayQueue(totalMinor);
    if (refusal) return Promise.reject(new Error(refusal));
    var b = status.block;
    return tx(["meta", "queue"], "readwrite", function (t) {
      var meta = t.objectStore("meta");
      var kept = {};
      var r = meta.get("block");
      r.onsuccess = function () {
        var block = r.result;
        block.used += 1;
        meta.put(block, "block");
        kept.block = block;
        var q = {
          idempotency_key: sale.idempotency_key, block: block.id, secret: block.secret, number: block.used,
          made_at: new Date().toISOString(), lines: sale.lines, cash_received: sale.cash_received,
          total: sale.total, total_minor: totalMinor
        };
        kept.sale = q;
        t.objectStore("queue").add(q);
      };
      return kept;
    }).then(function (kept) {
      status.block = kept.block;
      b.used = kept.block.used;
      return countQueue().then(function () { return kept.sale; });
    });
  }

  function countQueue() {
    return all("queue").then(function (q) {
      status.pending = q.length;
      status.pendingTotal = q.reduce(function (a, s) { return a + (s.total_minor || 0); }, 0);
      tell();
      return q;
    });
  }

  // Sends the queue, oldest first, 50 at a time; each answered sale leaves the queue.
  var syncing = null;
  function sync() {
    if (syncing) return syncing;
    syncing = countQueue().then(function step(q) {
      if (!q.length) return;
      var batch = q.slice(0, 50);
      var body = batch.map(function (s) {
        return { idempotency_key: s.idempotency_key, block: s.block, secret: s.secret, number: s.number, made_at: s.made_at,
                 lines: s.lines, cash_received: s.cash_received, total: s.total };
      });
      return json("POST", "/pos/sync", { sales: body }).then(function (res) {
        if (res.outage) return;
        if (res.status === 401 || res.status === 403) { status.signIn = true; tell(); return; }
        if (!res.ok) return;
        var answers = res.body.results || [];
        return tx(["queue", "issues", "sent"], "readwrite", function (t) {
          answers.forEach(function (a, i) {
            var s = batch[i];
            if (!s || a.idempotency_key !== s.idempotency_key) return;
            t.objectStore("queue").delete(s.seq);
            if (a.status === "accepted" || a.status === "already") {
              // What the provisional receipt became: the official one, for a customer who asks.
              t.objectStore("sent").put({ idempotency_key: s.idempotency_key, provisional: provisional(s), order_id: a.order_id,
                                          receipt_number: a.receipt_number, at: Date.now() });
            }
            if (a.status === "exception" || a.status === "refused") {
              t.objectStore("issues").put({ idempotency_key: s.idempotency_key, provisional: provisional(s), status: a.status,
                                            reason: a.reason, total: s.total, made_at: s.made_at, lines: s.lines });
            }
          });
        }).then(function () {
          status.lastSync = Date.now(); setMeta("lastSync", status.lastSync);
          return loadIssues();
        }).then(function () {
          return countQueue().then(function (rest) { if (rest.length && rest.length < q.length) return step(rest); });
        });
      });
    }).catch(function () { /* tried again later */ }).finally(function () { syncing = null; tell(); });
    return syncing;
  }

  function provisional(s) { return "P" + s.block + "-" + String(s.number).padStart(3, "0"); }

  function loadIssues() {
    return all("issues").then(function (list) {
      list.sort(function (a, b) { return a.made_at < b.made_at ? 1 : -1; });
      status.issues = list; tell();
    });
  }
  // The last 200 offline sales the server took (older ones are forgotten).
  function sent() {
    return all("sent").then(function (list) {
      list.sort(function (a, b) { return b.at - a.at; });
      var old = list.slice(200);
      if (!old.length) return list;
      return tx(["sent"], "readwrite", function (t) { old.forEach(function (o) { t.objectStore("sent").delete(o.idempotency_key); }); })
        .then(function () { return list.slice(0, 200); });
    });
  }
  function dismissIssue(key) {
    return tx(["issues"], "readwrite", function (t) { t.objectStore("issues").delete(key); }).then(loadIssues);
  }

  // While the server answers: the catalogue every minute; the queue as soon as it can go.
  function heartbeat() {
    var next = status.online ? 20000 : 5000;
    var work = status.pending ? sync() : (status.online ? Promise.resolve() : json("GET", "/healthz"));
    Promise.resolve(work).then(function () {
      if (status.online && status.pending) return sync();
    }).finally(function () { setTimeout(heartbeat, next); });
  }

  function start(options) {
    csrf = options.csrf; status.employee = options.employee; status.shift = options.shift;
    if (options.onStatus) listeners.push(options.onStatus);
    window.addEventListener("online", function () { sync(); });
    window.addEventListener("offline", lost);
    return Promise.all([getMeta("lastSync"), getMeta("lastContact"), getMeta("block")]).then(function (m) {
      status.lastSync = m[0] || null; status.lastContact = m[1] || null;
      if (m[2] && m[2].employee === status.employee && m[2].shift === status.shift) { status.block = m[2]; status.limits = m[2].limits; }
      return Promise.all([countQueue(), loadIssues(), loadCatalogue()]);
    }).then(function () {
      tell();
      return json("GET", "/healthz");
    }).then(function () {
      if (!status.online) return;
      return ensureBlock().then(sync).then(refreshCatalogue);
    }).catch(function () { /* the till still sells online */ }).finally(function () {
      setTimeout(heartbeat, 5000);
      setInterval(function () { if (status.online) { ensureBlock(); refreshCatalogue(); } }, 60000);
    });
  }

  window.TillOffline = {
    start: start, refresh: refreshCatalogue, lookup: lookup, queueSale: queueSale, mayQueue: mayQueue, sync: sync, status: function () { return status; },
    provisional: provisional, dismissIssue: dismissIssue, sent: sent, isOutage: isOutage, ensureBlock: ensureBlock, lost: lost
  };
})();
