// The app shell offline: index.html, its hashed assets, config.json, manifest and icons.
// Pages are fetched from the network first (a new release shows at once), the cache when there is none;
// hashed assets never change under one name, so the cache answers them first. The api, control,
// passports and certificate files are never cached here (the door copy lives in IndexedDB).
const SHELL = "pawport-shell-v1";
const PRECACHE = ["/", "/config.json", "/manifest.webmanifest", "/icon-192.png"];

// index.html names this release's hashed assets: they are kept with it, so the first offline start works.
async function precache() {
  const cache = await caches.open(SHELL);
  await cache.addAll(PRECACHE);
  const page = await (await cache.match("/")).text();
  await cache.addAll([...new Set(page.match(/\/assets\/[^"']+/g) ?? [])]);
}

self.addEventListener("install", (event) => {
  event.waitUntil(precache().then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(caches.keys()
    .then((names) => Promise.all(names.filter((n) => n !== SHELL).map((n) => caches.delete(n))))
    .then(() => self.clients.claim()));
});

function isShell(url) {
  return url.origin === self.location.origin && !/^\/(api|control|p)\//.test(url.pathname);
}

async function networkFirst(request, key) {
  const cache = await caches.open(SHELL);
  try {
    const answer = await fetch(request);
    if (answer.ok) await cache.put(key, answer.clone());
    return answer;
  } catch (error) {
    const kept = await cache.match(key);
    if (kept) return kept;
    throw error;
  }
}

async function cacheFirst(request) {
  const cache = await caches.open(SHELL);
  const kept = await cache.match(request);
  if (kept) return kept;
  const answer = await fetch(request);
  if (answer.ok) await cache.put(request, answer.clone());
  return answer;
}

self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== "GET" || !isShell(url)) return;
  if (event.request.mode === "navigate") event.respondWith(networkFirst(event.request, "/"));
  else if (url.pathname.startsWith("/assets/")) event.respondWith(cacheFirst(event.request));
  else event.respondWith(networkFirst(event.request, url.pathname));
});
