/* qunsop packs: a pack opened once opens again without a connection.
   A day page tells this worker what it needs (itself, its images and video posters, its
   pack.txt, the day list, the next day); the next day's images and posters are read from
   its page and kept too. Keys never hold a query string (a pre-fill link's values stay out
   of the cache), at most MAX_DAYS days are kept (the oldest go first, with the files no
   kept day uses), and a deploy brings a new version whose first act is to drop the old
   cache. A day never kept gets a Chinese page that links to the days that are.
   Requests to other sites are never touched. */
var VERSION = "__QUNSOP_VERSION__";
var CACHE = "qunsop-packs-" + VERSION;
var MAX_DAYS = 8;
var INDEX = "__qunsop_days__"; /* [{url, title, files}] oldest first, kept in the cache itself */

self.addEventListener("install", function () { self.skipWaiting(); });
self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (name) { return name.indexOf("qunsop-packs-") === 0 && name !== CACHE; })
      .map(function (name) { return caches.delete(name); }));
  }).then(function () { return self.clients.claim(); }));
});

function bare(url) { var parsed = new URL(url, location.href); parsed.search = ""; parsed.hash = ""; return parsed.href; }
function ours(url) { return new URL(url, location.href).origin === location.origin; }
function indexUrl() { return new URL(INDEX, self.registration.scope).href; }
function readIndex(cache) {
  return cache.match(indexUrl()).then(function (hit) { return hit ? hit.json() : []; }).catch(function () { return []; });
}
function writeIndex(cache, days) {
  return cache.put(indexUrl(), new Response(JSON.stringify(days), {headers: {"Content-Type": "application/json"}}));
}
function keep(cache, url) {
  return fetch(url).then(function (response) {
    if (response.ok) { return cache.put(bare(url), response.clone()).then(function () { return response; }); }
    return null;
  }).catch(function () { return null; });
}
/* the images and video posters a day page shows, from its HTML */
function filesOf(html, pageUrl) {
  var found = [];
  (html.match(/<(?:img|video)\b[^>]*>/g) || []).forEach(function (tag) {
    var match = new RegExp("\\b" + (tag.indexOf("<img") === 0 ? "src" : "poster") + '="([^"]+)"').exec(tag);
    if (match) { found.push(bare(new URL(match[1].replace(/&amp;/g, "&"), pageUrl).href)); }
  });
  return found;
}
function titleOf(html) {
  var match = /<title>([^<]*)<\/title>/.exec(html);
  return match ? match[1].replace(/&amp;/g, "&").replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&#3[49];|&quot;/g, "") : "";
}
/* keeps one day page and its files, then drops the oldest days beyond MAX_DAYS */
function keepDay(cache, pageUrl, files) {
  pageUrl = bare(pageUrl);
  return keep(cache, pageUrl).then(function (response) {
    if (!response) { return null; }
    return response.text().then(function (html) {
      var all = files.map(bare).concat(filesOf(html, pageUrl), [bare(new URL("pack.txt", pageUrl).href)]);
      all = all.filter(function (url, index) { return ours(url) && all.indexOf(url) === index; });
      return Promise.all(all.map(function (url) {
        return cache.match(url).then(function (hit) { return hit || keep(cache, url); });
      })).then(function () { return remember(cache, {url: pageUrl, title: titleOf(html), files: all}); })
        .then(function () { return html; });
    });
  });
}
var queue = Promise.resolve(); /* one change of the index at a time */
function remember(cache, day) {
  queue = queue.then(function () {
    return readIndex(cache).then(function (days) {
      days = days.filter(function (kept) { return kept.url !== day.url; });
      days.push(day);
      var dropped = days.length > MAX_DAYS ? days.splice(0, days.length - MAX_DAYS) : [];
      var used = {};
      days.forEach(function (kept) { kept.files.forEach(function (url) { used[url] = true; }); });
      return Promise.all(dropped.map(function (old) {
        return Promise.all([cache.delete(old.url)].concat(old.files.filter(function (url) { return !used[url]; })
          .map(function (url) { return cache.delete(url); })));
      })).then(function () { return writeIndex(cache, days); });
    });
  });
  return queue;
}

self.addEventListener("message", function (event) {
  var message = event.data || {};
  event.waitUntil(caches.open(CACHE).then(function (cache) {
    var shared = (message.shared || []).filter(ours).map(function (url) { return keep(cache, url); });
    var work = Promise.all(shared);
    if (message.day && ours(message.day)) {
      work = work.then(function () { return keepDay(cache, message.day, (message.files || []).filter(ours)); })
        .then(function () { return message.next && ours(message.next) ? keepDay(cache, message.next, []) : null; });
    }
    return work;
  }));
});

function offlinePage(days) {
  var links = days.slice().reverse().map(function (day) {
    var title = String(day.title || day.url).replace(/[<>&"]/g, "");
    return '<li><a href="' + day.url.replace(/"/g, "%22") + '">' + title + "</a></li>";
  }).join("");
  var html = '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">' +
    '<meta name="viewport" content="width=device-width, initial-scale=1"><title>现在没有网络</title>' +
    "<style>body{margin:0;padding:16px;font:19px/1.6 sans-serif;color:#1b1b1b;background:#f2f4f1}" +
    "a{display:block;min-height:48px;padding:10px 14px;margin:8px 0;background:#fff;border-radius:10px;color:#1b5e20}" +
    "ul{list-style:none;padding:0}</style></head><body><h1>现在没有网络</h1>" +
    "<p>这一天的推送包还没存到这部手机上，连上网再打开就行。</p>" +
    (links ? "<p>这些已经存好了，没网也能看：</p><ul>" + links + "</ul>" : "<p>这部手机上还没有存好的推送包。</p>") +
    "</body></html>";
  return new Response(html, {status: 503, headers: {"Content-Type": "text/html; charset=utf-8"}});
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET" || !ours(request.url)) { return; }
  var key = bare(request.url);
  event.respondWith(
    fetch(request).then(function (response) {
      if (response.ok) { /* refresh what is kept; nothing new is added here */
        var copy = response.clone();
        caches.open(CACHE).then(function (cache) {
          return cache.match(key).then(function (hit) { return hit ? cache.put(key, copy) : null; });
        });
      }
      return response;
    }).catch(function () {
      return caches.open(CACHE).then(function (cache) {
        return cache.match(key).then(function (hit) {
          if (hit) { return hit; }
          if (request.mode !== "navigate") { return Response.error(); }
          return readIndex(cache).then(offlinePage);
        });
      });
    })
  );
});
