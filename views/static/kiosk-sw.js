// The counter tablet's service worker: keeps the kiosk shell, its files and
// the last survey the tablet fetched, so that the screen still works (and
// still opens after a reload) when the network is gone. Always the network
// first, the copy only when the network fails: an update reaches the tablet
// at its next load. Answers never pass through here: the page queues them in
// IndexedDB and sends them itself. The server fills in the version.
const VERSION = '__KIOSK_VERSION__';
const PREFIX = 'hl-kiosk-';
const CACHE = PREFIX + VERSION;
const SHELL = '/kiosk';
const CONFIG = '/kiosk/api/config';
const ASSETS = ['/kiosk/kiosk.js', '/kiosk/kiosk.css', '/kiosk/icon.svg', '/kiosk/manifest.webmanifest'];
// A network that hangs (Wi-Fi up, no route) must not hold the screen: after this, the copy.
const WAIT_MS = 5000;

const isShell = (res) => res.ok && res.headers.get('X-Kiosk-Page') === 'shell';

function timed(request) {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), WAIT_MS);
  return fetch(request, { signal: abort.signal }).finally(() => clearTimeout(timer));
}

async function keep(key, res) {
  const cache = await caches.open(CACHE);
  await cache.put(key, res);
}

async function copy(key) {
  const cache = await caches.open(CACHE);
  return cache.match(key);
}

self.addEventListener('install', (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE);
      await cache.addAll(ASSETS);
      const shell = await fetch(SHELL, { credentials: 'same-origin', cache: 'no-store' });
      // Only a paired tablet's page is kept: a pairing or revoked page never is.
      if (!isShell(shell)) throw new Error('not a paired tablet');
      await cache.put(SHELL, shell);
      try {
        const config = await fetch(CONFIG, { credentials: 'same-origin', cache: 'no-store' });
        if (config.ok) await cache.put(CONFIG, config);
      } catch (_) {}
      await self.skipWaiting();
    })(),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      for (const key of await caches.keys()) if (key.startsWith(PREFIX) && key !== CACHE) await caches.delete(key);
      await self.clients.claim();
    })(),
  );
});

async function page(request) {
  try {
    const res = await timed(request);
    if (isShell(res)) await keep(SHELL, res.clone());
    if (res.status < 500) return res;
    return (await copy(SHELL)) || res;
  } catch (_) {
    return (await copy(SHELL)) || Response.error();
  }
}

async function config(request) {
  try {
    const res = await timed(request);
    if (res.ok) {
      await keep(CONFIG, res.clone());
      return res;
    }
    // 401: revoked or unpaired; the page must hear it, never a stale copy.
    if (res.status < 500) return res;
  } catch (_) {}
  const kept = await copy(CONFIG);
  if (kept) return kept;
  return new Response('{"code":"kiosk.offline"}', { status: 503, headers: { 'Content-Type': 'application/json' } });
}

async function asset(request, path) {
  try {
    const res = await timed(request);
    if (res.ok) {
      await keep(path, res.clone());
      return res;
    }
    return (await copy(path)) || res;
  } catch (_) {
    return (await copy(path)) || Response.error();
  }
}

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === 'navigate') {
    if (url.pathname === SHELL || url.pathname === `${SHELL}/`) event.respondWith(page(request));
    return;
  }
  if (url.pathname === CONFIG) event.respondWith(config(request));
  else if (ASSETS.includes(url.pathname)) event.respondWith(asset(request, url.pathname));
});
