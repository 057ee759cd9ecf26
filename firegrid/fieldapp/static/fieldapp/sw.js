/* firegrid service worker (served at /sw.js with self.FIELD_CONFIG prepended by the server).
   Static assets: cache first. The field app page (/field/): network first, the cached copy when
   offline. Any other page while offline: the field app page, which works from IndexedDB.
   Nothing else is cached: no API answers, no other pages with personal data, no POSTs. */
"use strict";
var CONFIG = self.FIELD_CONFIG;
var CACHE = CONFIG.version;
var SHELL = CONFIG.offline;

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(CACHE).then(function (cache) { return cache.addAll(CONFIG.assets.filter(function (a) { return a !== SHELL; })); })
      .then(function () { return self.skipWaiting(); })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (keys) {
      return Promise.all(keys.filter(function (key) { return key.indexOf("field-") === 0 && key !== CACHE; })
        .map(function (key) { return caches["delete"](key); }));
    }).then(function () { return self.clients.claim(); })
  );
});

function shellFromCache() {
  return caches.open(CACHE).then(function (cache) { return cache.match(SHELL); }).then(function (hit) {
    return hit || new Response("offline", {status: 503, headers: {"Content-Type": "text/plain"}});
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") { return; }
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) { return; }
  if (url.pathname.indexOf("/static/") === 0) {
    event.respondWith(caches.open(CACHE).then(function (cache) {
      return cache.match(request).then(function (hit) {
        return hit || fetch(request).then(function (response) {
          if (response.ok) { cache.put(request, response.clone()); }
          return response;
        });
      });
    }));
    return;
  }
  if (request.mode !== "navigate") { return; }
  if (url.pathname === SHELL) {
    event.respondWith(fetch(request).then(function (response) {
      if (response.ok && !response.redirected) {
        var copy = response.clone();
        caches.open(CACHE).then(function (cache) { cache.put(SHELL, copy); });
      }
      return response;
    }, shellFromCache));
    return;
  }
  event.respondWith(fetch(request)["catch"](shellFromCache));
});
