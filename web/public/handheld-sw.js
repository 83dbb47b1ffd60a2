// Service worker of the enforcers' handheld page (docs/handheld.md). It keeps the page,
// its scripts and its styles, so that the page opens again without a connection; the
// page itself keeps the last route and queues the results (outbox.js). The API is never
// answered from here: a result must reach the server, and a route must be today's.
// Registered with the scope of handheld.html only: the dashboard is not affected.

const CACHE = 'stad-handheld-1';
const PAGE = 'handheld.html';

// The scripts and styles the page names (vite writes them as ./assets/<name>-<hash>).
async function precache() {
  const cache = await caches.open(CACHE);
  const res = await fetch(PAGE, { cache: 'no-store' });
  if (!res.ok) return;
  const html = await res.clone().text();
  await cache.put(PAGE, res);
  const assets = [...html.matchAll(/(?:src|href)="(\.?\/?assets\/[^"]+)"/g)].map((m) => m[1]);
  await cache.addAll([...new Set(assets)]);
}

self.addEventListener('install', (e) => {
  self.skipWaiting();
  e.waitUntil(precache());
});

self.addEventListener('activate', (e) => {
  e.waitUntil(caches.keys()
    .then((keys) => Promise.all(keys.filter((k) => k !== CACHE).map((k) => caches.delete(k))))
    .then(() => self.clients.claim()));
});

// Network first, so a new version is used as soon as there is a connection; the kept
// copy when there is none.
self.addEventListener('fetch', (e) => {
  const req = e.request;
  const url = new URL(req.url);
  if (req.method !== 'GET' || url.origin !== self.location.origin || url.pathname.includes('/api/')) return;
  e.respondWith(fetch(req)
    .then((res) => {
      if (res.ok && res.type === 'basic') {
        const copy = res.clone();
        e.waitUntil(caches.open(CACHE).then((c) => c.put(req, copy)));
      }
      return res;
    })
    .catch(async () => (await caches.match(req, { ignoreSearch: true }))
      || (req.mode === 'navigate' && await caches.match(PAGE))
      || Response.error()));
});
