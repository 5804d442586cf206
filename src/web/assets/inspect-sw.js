/* inspect-sw.js — the service worker of the inspector's pages, served as
 * /inspect/sw.js so that it controls /inspect/ only.  Network first: a
 * page or asset fetched while online is kept, and given back when the
 * phone has no connection.  Photos are never kept; posts are never
 * touched (inspect.js keeps records that could not be sent). */
'use strict';
const CACHE = 'pencere-inspect-1';

self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', (e) => e.waitUntil(self.clients.claim()));

self.addEventListener('fetch', (e) => {
  const req = e.request;
  if (req.method !== 'GET') return;
  const url = new URL(req.url);
  if (url.origin !== self.location.origin) return;
  const page = url.pathname.startsWith('/inspect/visits') && !url.pathname.includes('/photos/');
  if (!page && !url.pathname.startsWith('/assets/')) return;
  e.respondWith(fetch(req).then((resp) => {
    if (resp.ok && !resp.redirected) {
      const copy = resp.clone();
      caches.open(CACHE).then((c) => c.put(req, copy));
    }
    return resp;
  }).catch(() => caches.match(req, {ignoreSearch: true}).then((hit) => hit || Response.error())));
});
