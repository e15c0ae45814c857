// The till's service worker. While the server cannot be reached, /pos and the files it needs
// answer from this cache, so a reload (or a browser reopened) still shows the till; its sales
// wait in IndexedDB (static/js/till-offline.js). Nothing else is kept: no other page, no data.
"use strict";
var CACHE = "tillpoint-till-__ASSETS_VERSION__";
var ASSETS = ["/static/css/app.css", "/static/js/app.js", "/static/js/pos.js",
              "/static/js/till-offline.js", "/static/favicon.svg"];
var TILL = "/pos";

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(CACHE).then(function (c) { return c.addAll(ASSETS); })
    .then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (keys) {
    return Promise.all(keys.filter(function (k) { return k.indexOf("tillpoint-till-") === 0 && k !== CACHE; })
      .map(function (k) { return caches.delete(k); }));
  }).then(function () { return self.clients.claim(); }));
});

// The network first, with a time limit (a pulled cable can leave a request hanging); a good
// answer replaces the kept copy; no answer, the kept copy.
function networkFirst(request, key, ms) {
  var timer;
  var late = new Promise(function (_, reject) { timer = setTimeout(function () { reject(new Error("timeout")); }, ms); });
  return Promise.race([fetch(request), late]).then(function (response) {
    clearTimeout(timer);
    if (response.ok && !response.redirected && response.type === "basic") {
      var copy = response.clone();
      caches.open(CACHE).then(function (c) { return c.put(key, copy); });
    }
    return response;
  }).catch(function (e) {
    clearTimeout(timer);
    return caches.open(CACHE).then(function (c) { return c.match(key); }).then(function (kept) {
      if (kept) return kept;
      throw e;
    });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname === TILL && request.mode === "navigate") {
    event.respondWith(networkFirst(request, TILL, 4000));
  } else if (ASSETS.indexOf(url.pathname) >= 0) {
    event.respondWith(networkFirst(request, url.pathname, 4000));
  }
});

// Signing out forgets the kept page (it names the cashier).
self.addEventListener("message", function (event) {
  if (event.data === "forget") event.waitUntil(caches.delete(CACHE));
});
