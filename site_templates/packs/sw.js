/* qunsop packs: a pack opened once opens again without a connection.
   The page sends the files it needs (itself, its images, the day list, the next day);
   they are cached on that first visit. Requests to other sites are never touched. */
var CACHE = "qunsop-packs-v2";
self.addEventListener("install", function () { self.skipWaiting(); });
self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (name) { return name !== CACHE; })
      .map(function (name) { return caches.delete(name); }));
  }).then(function () { return self.clients.claim(); }));
});
self.addEventListener("message", function (event) {
  var urls = (event.data && event.data.cache) || [];
  event.waitUntil(caches.open(CACHE).then(function (cache) {
    return Promise.all(urls.filter(function (url) {
      return new URL(url).origin === location.origin;
    }).map(function (url) {
      return cache.add(url).catch(function () { /* one missing file must not stop the rest */ });
    }));
  }));
});
self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET" || new URL(request.url).origin !== location.origin) { return; }
  event.respondWith(
    fetch(request).then(function (response) {
      if (response.ok) {
        var copy = response.clone();
        caches.open(CACHE).then(function (cache) { cache.put(request, copy); });
      }
      return response;
    }).catch(function () {
      return caches.match(request, {ignoreSearch: request.mode === "navigate"}).then(function (hit) {
        return hit || Response.error();
      });
    })
  );
});
