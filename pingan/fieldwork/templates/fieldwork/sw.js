// 平安 · 移动工作台 service worker: the app's shell from the cache, so the app
// opens with no signal. Data never goes through here: the app keeps its own copy
// in IndexedDB and its own queue of records to send.
const CACHE = "pingan-app-{{ version }}";
const SHELL = {{ shell|safe }};

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(SHELL)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((key) => key !== CACHE).map((key) => caches.delete(key))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== "GET" || url.origin !== location.origin) return;
  const shell = event.request.mode === "navigate" && url.pathname.startsWith("/app/") ? "/app/" : url.pathname;
  if (!SHELL.includes(shell)) return;
  // The network first, so a new release arrives; the cache when there is none.
  event.respondWith(
    fetch(event.request)
      .then((response) => {
        if (response.ok) caches.open(CACHE).then((cache) => cache.put(shell, response.clone()));
        return response;
      })
      .catch(() => caches.match(shell)),
  );
});
