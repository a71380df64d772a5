// Lớp Số service worker: keeps the signed-in learner's lessons readable without signal.
// Pages are kept per person (a cache named by the key the server sends in X-Offline-Account) and
// only when the server marks them X-Offline-Keep; when a page arrives for someone else, or for
// nobody (signed out), the previous person's pages are dropped: a shared phone never shows one
// person's kept pages to the next. Static files and course images are the same for everyone.
"use strict";
var SHARED = "lopso-shared-1";
var PAGES = "lopso-pages-";
var META = "lopso-meta";
var STATE_URL = new URL("offline-state.json", self.registration.scope).href;
var STALE_MS = 6 * 3600 * 1000;
var refreshing = null;

self.addEventListener("install", function () { self.skipWaiting(); });
self.addEventListener("activate", function (event) {
  // The browser starts a page's request while the worker wakes up: no wait added online.
  var preload = self.registration.navigationPreload ? self.registration.navigationPreload.enable() : Promise.resolve();
  event.waitUntil(preload.then(function () { return caches.keys(); }).then(function (names) {
    return Promise.all(names.filter(function (n) { return n.indexOf("lopso-shared-") === 0 && n !== SHARED; })
      .map(function (n) { return caches.delete(n); }));
  }).then(function () { return self.clients.claim(); }));
});

function readState() {
  return caches.open(META).then(function (c) { return c.match(STATE_URL); })
    .then(function (r) { return r ? r.json() : { key: "none", listed: 0, versions: {} }; })
    .catch(function () { return { key: "none", listed: 0, versions: {} }; });
}
function writeState(state) {
  return caches.open(META).then(function (c) {
    return c.put(STATE_URL, new Response(JSON.stringify(state), { headers: { "Content-Type": "application/json" } }));
  });
}
function dropPagesBut(key) {
  return caches.keys().then(function (names) {
    return Promise.all(names.filter(function (n) { return n.indexOf(PAGES) === 0 && n !== PAGES + key; })
      .map(function (n) { return caches.delete(n); }));
  });
}

// A page from the server says whose it is; a new person (or nobody) means a fresh start.
function noteAccount(key) {
  if (!key) { return Promise.resolve(null); }
  return readState().then(function (state) {
    if (state.key === key) {
      if (key !== "none" && Date.now() - state.listed > STALE_MS) { refresh(key); }
      return key;
    }
    return dropPagesBut(key).then(function () {
      return writeState({ key: key, listed: 0, versions: {} });
    }).then(function () {
      if (key !== "none") { refresh(key); }
      return key;
    });
  });
}

function keep(cacheName, url, response) {
  return caches.open(cacheName).then(function (c) { return c.put(url, response); });
}

// Fetch one address ahead and keep it, if the server says it is this person's to keep.
function fetchAhead(key, url) {
  return fetch(url, { credentials: "same-origin", headers: { "X-Offline-Precache": "1" } }).then(function (r) {
    if (r.ok && !r.redirected && r.headers.get("X-Offline-Keep") === "1" && r.headers.get("X-Offline-Account") === key) {
      return keep(PAGES + key, url, r);
    }
  });
}
function fetchShared(url) {
  return caches.open(SHARED).then(function (c) {
    return c.match(url).then(function (hit) {
      if (hit) { return; }
      return fetch(url, { credentials: "same-origin" }).then(function (r) { if (r.ok) { return c.put(url, r); } });
    });
  });
}

// The list of what to keep: the person's enrolled courses (pages, lessons, checks, images) and
// the files every page needs. One at a time, so a slow phone line is not flooded.
function refresh(key) {
  if (refreshing) { return refreshing; }
  // A phone asking to save data gets only the pages its learner opens, nothing fetched ahead.
  if (self.navigator.connection && self.navigator.connection.saveData) { return Promise.resolve(); }
  refreshing = fetch("/offline/pages", { credentials: "same-origin", cache: "no-store" })
    .then(function (r) { return r.ok && !r.redirected ? r.json() : null; })
    .then(function (list) {
      if (!list || list.account !== key) { return; }
      return readState().then(function (state) {
        if (state.key !== key) { return; }
        return caches.open(PAGES + key).then(function (cache) {
          var jobs = [], versions = {};
          list.shell.forEach(function (url) { jobs.push(function () { return fetchShared(url); }); });
          jobs.push(function () { return fetchAhead(key, list.fallback); });
          list.courses.forEach(function (course) {
            versions[course.slug] = course.version;
            var changed = state.versions[course.slug] !== course.version;
            course.pages.forEach(function (url) {
              jobs.push(function () {
                return cache.match(url).then(function (hit) { if (!hit || changed) { return fetchAhead(key, url); } });
              });
            });
            course.images.forEach(function (url) { jobs.push(function () { return fetchShared(url); }); });
          });
          return jobs.reduce(function (done, job) {
            return done.then(job).catch(function () { /* next time */ });
          }, Promise.resolve()).then(function () {
            return readState().then(function (now) {
              if (now.key === key) { return writeState({ key: key, listed: Date.now(), versions: versions }); }
            });
          });
        });
      });
    })
    .catch(function () { /* offline: next visit */ })
    .then(function () { refreshing = null; });
  return refreshing;
}

function page(event) {
  var request = event.request;
  return Promise.resolve(event.preloadResponse).then(function (preloaded) {
    return preloaded || fetch(request);
  }).then(function (response) {
    var key = response.headers.get("X-Offline-Account");
    var copy = response.ok && response.headers.get("X-Offline-Keep") === "1" ? response.clone() : null;
    event.waitUntil(noteAccount(key).then(function (now) {
      if (copy && now && now !== "none") { return keep(PAGES + now, request.url, copy); }
    }));
    return response;
  }, function () {
    return readState().then(function (state) {
      if (state.key === "none") { return Response.error(); }
      return caches.open(PAGES + state.key).then(function (cache) {
        return cache.match(request.url).then(function (hit) {
          return hit || cache.match(new URL("/offline/", self.registration.scope).href);
        });
      }).then(function (hit) { return hit || Response.error(); });
    });
  });
}

function shared(request) {
  return caches.open(SHARED).then(function (cache) {
    return cache.match(request.url).then(function (hit) {
      return hit || fetch(request).then(function (response) {
        if (response.ok) { cache.put(request.url, response.clone()); }
        return response;
      });
    });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") { return; }
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) { return; }
  if (request.mode === "navigate") { event.respondWith(page(event)); return; }
  // Versioned static files and course images never change under one address.
  if ((url.pathname.indexOf("/static/") === 0 && url.searchParams.has("v")) || /^\/courses\/[^/]+\/images\//.test(url.pathname)) {
    event.respondWith(shared(request));
  }
});

self.addEventListener("message", function (event) {
  var data = event.data || {}, reply = event.ports && event.ports[0];
  var work;
  if (data.type === "signout") {
    work = dropPagesBut("none").then(function () { return writeState({ key: "none", listed: 0, versions: {} }); });
  } else if (data.type === "account") {  // a page this worker did not serve says who is signed in
    work = noteAccount(String(data.key || "none"));
  } else if (data.type === "key") {
    work = readState().then(function (state) { return state.key; });
  } else {
    return;
  }
  event.waitUntil(work.then(function (value) { if (reply) { reply.postMessage(value || null); } }));
});
