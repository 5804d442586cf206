/* inspect.js — the inspector's pages on a phone far from a network
 * (inspect_pages.c).  Without it the pages are plain forms; with it:
 *  - the service worker (/inspect/sw.js) keeps the pages for offline use,
 *    and the list fetches each visit once so that it is kept too;
 *  - each form gets a fresh record id when shown, and the visit's time
 *    when sent;
 *  - a record that cannot be sent now is kept in IndexedDB with its
 *    photos and sent when the phone is online again (on load, when the
 *    phone comes online, every minute), to the address it was made for,
 *    with the session's current CSRF token.  It leaves the phone only once
 *    the portal answered for it; a session that ended keeps it waiting. */
'use strict';
(function () {
  const box = document.getElementById('inspect-offline');
  if (!box || !('indexedDB' in window)) return;
  const form = document.querySelector('form.inspect-form');

  if ('serviceWorker' in navigator)
    navigator.serviceWorker.register('/inspect/sw.js', {scope: '/inspect/'}).catch(() => {});

  function say(text) {
    box.textContent = text;
    box.hidden = !text;
  }

  function newId() {
    const b = new Uint8Array(16);
    crypto.getRandomValues(b);
    return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  }

  function csrf() {
    const f = document.querySelector('form[action*="csrf="]');
    return f ? new URL(f.action, location.href).searchParams.get('csrf') : box.dataset.csrf;
  }

  function open() {
    return new Promise((resolve, reject) => {
      const rq = indexedDB.open('pencere-inspect', 1);
      rq.onupgradeneeded = () => rq.result.createObjectStore('outbox', {keyPath: 'id', autoIncrement: true});
      rq.onsuccess = () => resolve(rq.result);
      rq.onerror = () => reject(rq.error);
    });
  }

  function store(mode, fn) {
    return open().then((db) => new Promise((resolve, reject) => {
      const tx = db.transaction('outbox', mode);
      const r = fn(tx.objectStore('outbox'));
      tx.oncomplete = () => resolve(r && r.result);
      tx.onerror = () => reject(tx.error);
    }));
  }

  function waiting() {
    return store('readonly', (s) => s.getAll());
  }

  function showWaiting() {
    return waiting().then((items) => {
      if (items.length) say(box.dataset.waiting.replace('%d', items.length));
    });
  }

  function send(path, entries) {
    const body = new FormData();
    for (const [k, v] of entries) body.append(k, v);
    const token = csrf();
    return fetch(path + (token ? '?csrf=' + encodeURIComponent(token) : ''),
                 {method: 'POST', body: body, headers: {Accept: 'application/json'}, credentials: 'same-origin'});
  }

  let flushing = false;
  function flush() {
    if (flushing || !navigator.onLine) return Promise.resolve();
    flushing = true;
    return waiting().then(async (items) => {
      for (const item of items) {
        let resp;
        try {
          resp = await send(item.path, item.entries);
        } catch (e) {
          break; /* still offline */
        }
        if (resp.status === 401 || resp.status === 403 || resp.status >= 500 || resp.status === 429) {
          if (resp.status === 401 || resp.status === 403) say(box.dataset.login);
          break;
        }
        await store('readwrite', (s) => s.delete(item.id));
      }
    }).finally(() => {
      flushing = false;
      return showWaiting();
    });
  }

  function keep(path, entries) {
    return store('readwrite', (s) => s.add({path: path, entries: entries, made_at: Date.now()}))
      .then(() => say(box.dataset.saved));
  }

  if (form) {
    const id = form.querySelector('input[name="client_id"]');
    if (id) id.value = newId();
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      form.querySelector('input[name="visited_at"]').value = Math.floor(Date.now() / 1000);
      const entries = Array.from(new FormData(form).entries());
      const path = new URL(form.action, location.href).pathname;
      const later = () => keep(path, entries).then(() => {
        form.reset();
        if (id) id.value = newId();
      });
      if (!navigator.onLine) {
        later();
        return;
      }
      send(path, entries).then((resp) => {
        if (resp.ok)
          return resp.json().then((j) => { location.href = '/inspect/visits?synced=' + j.outcome; });
        if (resp.status === 400 || resp.status === 422)
          return form.submit(); /* the page with the answers to fix */
        return later();
      }).catch(later);
    });
  } else {
    /* the list: fetch each visit once so the service worker keeps it */
    for (const a of document.querySelectorAll('a[href^="/inspect/visits/"]'))
      fetch(a.href, {credentials: 'same-origin'}).catch(() => {});
  }

  window.addEventListener('online', flush);
  setInterval(flush, 60000);
  flush();
})();
