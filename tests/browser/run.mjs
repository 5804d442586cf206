// Browser tests for the Pəncərə portal.
//
//   node tests/browser/run.mjs --bin build/pencere --out result.json [--screenshots DIR] [--catalog DIR]
//
// Starts `pencere demo` on a free loopback port with a throw-away data
// folder, drives Debian's Chromium (/usr/bin/chromium, or $CHROMIUM) with
// playwright-core, checks every page type in az, en and ru with axe-core
// (WCAG 2.0/2.1 A and AA), and walks the main journeys: language switch,
// search, filters, pagination, keyboard, a small phone screen and a browser
// with JavaScript turned off.  Writes {"passed","failed","tests"} to --out,
// prints one line per test and a closing "N passed, N failed" line, and exits
// non-zero when anything failed.  Needs `npm ci` in tests/browser first.

import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);

// ---- options -------------------------------------------------------------

function usage(msg) {
  if (msg) console.error(`run.mjs: ${msg}`);
  console.error('usage: node tests/browser/run.mjs --bin PATH_TO_pencere --out RESULT.json [--screenshots DIR] [--catalog DIR]');
  process.exit(2);
}

const opts = {};
{
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const m = /^--(bin|out|screenshots|catalog)(?:=(.*))?$/.exec(a);
    if (!m) usage(`unknown argument ${a}`);
    const v = m[2] ?? argv[++i];
    if (v === undefined) usage(`${a} needs a value`);
    opts[m[1]] = v;
  }
  if (!opts.bin || !opts.out) usage('--bin and --out are required');
}

let chromium, axeSource;
try {
  ({ chromium } = require('playwright-core'));
  axeSource = require('axe-core').source;
} catch (e) {
  const error = `${e.message.split('\n')[0]}: run \`npm ci\` in ${here} first`;
  fs.writeFileSync(opts.out, JSON.stringify({ passed: 0, failed: 1, tests: [{ name: 'setup', ok: false, error }] }, null, 2) + '\n');
  console.log(`FAIL setup\n     ${error}\n0 passed, 1 failed`);
  process.exit(1);
}

function pickCatalog() {
  if (opts.catalog) return path.resolve(opts.catalog);
  const real = path.resolve(here, '../../data/catalog');
  if (fs.existsSync(path.join(real, 'services.jsonl'))) return real;
  return path.resolve(here, '../fixtures/catalog');
}

const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const LANGS = ['az', 'en', 'ru'];
const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
const TEST_TIMEOUT_MS = 30000;

// ---- the server ----------------------------------------------------------

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function startServer(tmp) {
  if (!fs.existsSync(opts.bin)) throw new Error(`--bin ${opts.bin}: no such file (build it first)`);
  const port = await freePort();
  const dataDir = fs.mkdtempSync(path.join(tmp, 'data-'));
  const catalog = pickCatalog();
  const logPath = path.join(tmp, 'server.log');
  const log = fs.openSync(logPath, 'w');
  const child = spawn(path.resolve(opts.bin),
    ['demo', '--listen', `127.0.0.1:${port}`, '--data-dir', dataDir, '--catalog', catalog, '--log-level', 'info'],
    { stdio: ['ignore', log, log] });
  fs.closeSync(log);
  let exited = null;
  child.on('error', (e) => { exited = e.message; });
  child.on('exit', (code, sig) => { exited = sig || code; });
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30000;
  for (;;) {
    if (exited !== null) throw new Error(`pencere exited (${exited}) before it answered:\n${tail(logPath)}`);
    try {
      const r = await fetch(`${base}/healthz`);
      if (r.status === 200) break;
    } catch { /* not listening yet */ }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`GET /healthz did not answer 200 within 30 s:\n${tail(logPath)}`);
    }
    await sleep(100);
  }
  return {
    base, catalog, logPath,
    get exited() { return exited; },
    async stop() {
      if (exited !== null || child.exitCode !== null) return;
      const done = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 10000);
      await done;
      clearTimeout(t);
    },
  };
}

/* The last lines of the server's log, leaving out requests that went well. */
function tail(file, lines = 20) {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n')
      .filter((l) => !/"event":"http\.request".*"status":"[23]\d\d"/.test(l)).slice(-lines).join('\n');
  } catch { return ''; }
}

// ---- test bookkeeping ----------------------------------------------------

const results = [];

function record(name, error) {
  const ok = !error;
  const msg = error ? (error instanceof Error ? error.message : String(error)) : null;
  results.push({ name, ok, error: msg });
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${name}${ok ? '' : `\n     ${msg.split('\n').join('\n     ')}`}`);
}

function withTimeout(p, ms, what) {
  let t;
  return Promise.race([
    p.finally(() => clearTimeout(t)),
    new Promise((_, rej) => { t = setTimeout(() => rej(new Error(`${what}: timed out after ${ms} ms`)), ms); }),
  ]);
}

/* The server under test.  On a shared machine something else may stop it
 * (a graceful SIGTERM/SIGINT this runner did not send); then it is started
 * again and the test in flight is run once more.  A crash is a failure. */
let server = null, tmpDir = null;

function stoppedFromOutside() {
  return server && server.exited === 0 && /"portal\.stopping"/.test(tail(server.logPath, 200));
}

async function restartServer(why) {
  const old = server;
  server = await startServer(tmpDir);
  base = server.base;
  console.log(`# pencere ${why} (exit ${old.exited}); restarted on ${base}`);
}

async function test(name, fn) {
  for (let attempt = 0; ; attempt++) {
    try {
      await withTimeout(Promise.resolve().then(fn), TEST_TIMEOUT_MS, name);
      record(name, null);
      return;
    } catch (e) {
      if (server && server.exited !== null) {
        if (stoppedFromOutside() && attempt === 0) {
          await restartServer('was stopped from outside');
          continue;
        }
        const why = stoppedFromOutside() ? 'stopped from outside twice' : 'crashed';
        record(name, new Error(`${e.message}\npencere ${why} (exit ${server.exited}):\n${tail(server.logPath)}`));
        await restartServer(why);
        return;
      }
      record(name, e);
      return;
    }
  }
}

function assert(cond, msg) {
  if (!cond) throw new Error(msg);
}

// ---- browser helpers -----------------------------------------------------

let browser, base;

async function newContext(o = {}) {
  const { lang, ...rest } = o;
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 }, ...rest });
  ctx.setDefaultTimeout(10000);
  if (lang) await ctx.addCookies([{ name: 'lang', value: lang, url: base }]);
  return ctx;
}

async function goto(page, url, status = 200) {
  const resp = await page.goto(base + url, { waitUntil: 'load' });
  assert(resp, `no response for ${url}`);
  assert(resp.status() === status, `GET ${url}: status ${resp.status()}, expected ${status}`);
  return resp;
}

/* Run axe-core on the page as it is; return a list of readable lines, one per
 * violating node.  The source is evaluated through the DevTools protocol, so
 * the site's Content-Security-Policy stays in force for the page itself. */
async function axeViolations(page) {
  const has = await page.evaluate(() => typeof window.axe !== 'undefined');
  if (!has) await page.evaluate(axeSource);
  const res = await page.evaluate(async (tags) => {
    const r = await window.axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] });
    return r.violations.map((v) => ({
      id: v.id, impact: v.impact, help: v.help,
      nodes: v.nodes.map((n) => ({ target: n.target.join(' '), summary: n.failureSummary })),
    }));
  }, AXE_TAGS);
  const out = [];
  for (const v of res)
    for (const n of v.nodes)
      out.push(`${v.id} [${v.impact}] ${n.target} — ${v.help}${n.summary ? ` (${n.summary.replace(/\s+/g, ' ').trim()})` : ''}`);
  return out;
}

async function pageFacts(page) {
  return page.evaluate(() => ({
    lang: document.documentElement.getAttribute('lang'),
    title: document.title,
    h1: [...document.querySelectorAll('h1')].map((h) => h.textContent.trim()),
    path: location.pathname,
    search: location.search,
  }));
}

async function resultIds(page) {
  return page.$$eval('.service-list .service-title a', (as) => as.map((a) => a.getAttribute('href')));
}

async function resultCount(page) {
  const text = await page.locator('.result-count').textContent();
  const m = /\d+/.exec(text.replace(/\s/g, ''));
  assert(m, `no number in the result count "${text}"`);
  return Number(m[0]);
}

// ---- what the catalogue holds --------------------------------------------

const FOLDED_QUERY = 'sexsiyyet vesiqesi';
const FOUND_NAME = 'şəxsiyyət vəsiqə'; // lower case; fixture: "Şəxsiyyət vəsiqəsinin dəyişdirilməsi"
const NOTHING_QUERY = 'qqzxqqzx';

async function discover() {
  const get = async (u) => {
    const r = await fetch(base + u, { headers: { cookie: 'lang=az' } });
    assert(r.status === 200, `GET ${u}: ${r.status}`);
    return r.text();
  };
  const ag = /href="\/agencies\/([^"/?]+)"/.exec(await get('/agencies'));
  assert(ag, 'no agency on /agencies');
  // A service with a full page: the one the folded search finds, else the first listed.
  const ids = (html) => [...html.matchAll(/class="service-title"><a href="\/services\/([^"/?]+)">([^<]*)/g)];
  let svc = ids(await get(`/search?q=${encodeURIComponent(FOLDED_QUERY)}`))
    .find((m) => m[2].toLocaleLowerCase('az').includes(FOUND_NAME));
  if (!svc) svc = ids(await get('/services'))[0];
  assert(svc, 'no service on /services');
  return { agency: ag[1], service: svc[1] };
}

// ---- the tests -----------------------------------------------------------

function pageTypes(ids) {
  return [
    ['home', '/', 200],
    ['agencies', '/agencies', 200],
    ['agency', `/agencies/${ids.agency}`, 200],
    ['services', '/services', 200],
    ['services-filtered', '/services?audience=entrepreneurs&login=none', 200],
    ['no-registration', '/services/no-registration', 200],
    ['service', `/services/${ids.service}`, 200],
    ['service-start', `/services/${ids.service}/start`, 200],
    ['search', `/search?q=${encodeURIComponent(FOLDED_QUERY)}`, 200],
    ['search-empty', `/search?q=${NOTHING_QUERY}`, 200],
    ['not-found', '/nope', 404],
    ['bad-language', '/?lang=xx', 400],
  ];
}

async function pageChecks(ids) {
  for (const lang of LANGS) {
    const ctx = await newContext({ lang });
    const page = await ctx.newPage();
    const problems = [];
    page.on('console', (m) => {
      // An error page's own 404/400 status is reported as a console error; it is expected.
      if (m.type() !== 'error') return;
      if (/^Failed to load resource/.test(m.text()) && m.location().url === page.url()) return;
      problems.push(`${m.text()} (${m.location().url})`);
    });
    page.on('pageerror', (e) => problems.push(e.message));
    for (const [kind, url, status] of pageTypes(ids)) {
      let loaded = null;
      await test(`page ${kind} [${lang}]: status, one h1, title, lang, no console errors`, async () => {
        problems.length = 0;
        await goto(page, url, status);
        loaded = url;
        const f = await pageFacts(page);
        assert(f.lang === lang, `<html lang="${f.lang}">, expected "${lang}"`);
        assert(f.h1.length === 1, `${f.h1.length} h1 elements: ${JSON.stringify(f.h1)}`);
        assert(f.h1[0].length > 0, 'the h1 is empty');
        assert(f.title.trim().length > 0, '<title> is empty');
        if (kind === 'search-empty') assert((await resultIds(page)).length === 0, 'results for a nonsense query');
        if (kind === 'search' || kind === 'services')
          assert((await resultIds(page)).length > 0, 'no results listed');
        assert(problems.length === 0, `console errors: ${problems.join(' | ')}`);
      });
      await test(`axe WCAG 2.1 AA ${kind} [${lang}]`, async () => {
        if (loaded !== url) await goto(page, url, status);
        const v = await axeViolations(page);
        assert(v.length === 0, `${v.length} violation(s) on ${url}:\n${v.join('\n')}`);
      });
    }
    await ctx.close();
  }
}

async function languageSwitch(ids) {
  await test('language switch: same page, new <html lang> and texts, choice kept by cookie', async () => {
    const ctx = await newContext();
    const page = await ctx.newPage();
    const url = `/services/${ids.service}`;
    await goto(page, url);
    let before = await pageFacts(page);
    assert(before.lang === 'az', `default language is ${before.lang}, expected az`);
    for (const [lang, label] of [['en', 'English'], ['ru', 'Русский'], ['az', 'Azərbaycanca']]) {
      const link = page.locator('nav.langs a', { hasText: label });
      await Promise.all([page.waitForURL((u) => u.searchParams.get('lang') === lang), link.click()]);
      const after = await pageFacts(page);
      assert(after.path === url, `switching to ${lang} went to ${after.path}, not ${url}`);
      assert(after.lang === lang, `<html lang="${after.lang}"> after choosing ${lang}`);
      assert(after.h1[0] !== before.h1[0], `h1 "${after.h1[0]}" did not change after choosing ${lang}`);
      assert(after.title !== before.title, `title did not change after choosing ${lang}`);
      const cur = await page.locator('nav.langs a[aria-current]').textContent();
      assert(cur.trim() === label, `the current language link is "${cur}", expected ${label}`);
      before = after;
      if (lang === 'en') {
        // The choice persists: a plain link without ?lang= keeps English.
        await Promise.all([page.waitForURL(`${base}/agencies`), page.locator('nav.main-nav a[href="/agencies"]').click()]);
        const next = await pageFacts(page);
        assert(next.lang === 'en', `next page is in ${next.lang}, expected en (cookie)`);
        const cookie = (await ctx.cookies(base)).find((c) => c.name === 'lang');
        assert(cookie && cookie.value === 'en', `lang cookie is ${JSON.stringify(cookie)}`);
        await goto(page, url);
        const back = await pageFacts(page);
        assert(back.lang === 'en', `service page without ?lang= is in ${back.lang}`);
        before = back;
      }
    }
    await ctx.close();
  });
}

async function searchByTyping(ctxOpts, name) {
  await test(name, async () => {
    const ctx = await newContext({ lang: 'az', ...ctxOpts });
    const page = await ctx.newPage();
    await goto(page, '/');
    await page.locator('#q').click();
    await page.keyboard.type(FOLDED_QUERY);
    await Promise.all([page.waitForURL((u) => u.pathname === '/search'), page.keyboard.press('Enter')]);
    const u = new URL(page.url());
    assert(u.searchParams.get('q') === FOLDED_QUERY, `q=${u.searchParams.get('q')} in ${page.url()}`);
    const names = await page.$$eval('.service-list .service-title a', (as) => as.map((a) => a.textContent.trim()));
    assert(names.some((n) => n.toLocaleLowerCase('az').includes(FOUND_NAME)),
      `no result named like "${FOUND_NAME}" among ${names.length}: ${JSON.stringify(names.slice(0, 5))}`);
    assert(await page.locator('#q').inputValue() === FOLDED_QUERY, 'the search box lost the query');
    await ctx.close();
  });
}

async function filterForm(ctxOpts, name) {
  await test(name, async () => {
    const ctx = await newContext({ lang: 'en', ...ctxOpts });
    const page = await ctx.newPage();
    await goto(page, '/services');
    const total = await resultCount(page);
    const firstBefore = await resultIds(page);
    await page.selectOption('#f-audience', 'entrepreneurs');
    await page.selectOption('#f-login', 'none');
    const loginLabel = (await page.locator('#f-login option[value="none"]').textContent()).trim();
    await Promise.all([page.waitForURL((u) => u.searchParams.has('audience')),
      page.locator('form.filters button[type=submit]').click()]);
    const u = new URL(page.url());
    assert(u.pathname === '/services', `went to ${u.pathname}`);
    assert(u.searchParams.get('audience') === 'entrepreneurs', `audience=${u.searchParams.get('audience')}`);
    assert(u.searchParams.get('login') === 'none', `login=${u.searchParams.get('login')}`);
    const n = await resultCount(page);
    assert(n > 0 && n < total, `filtered count ${n}, all ${total}: expected fewer but some`);
    const ids = await resultIds(page);
    assert(ids.length > 0 && JSON.stringify(ids) !== JSON.stringify(firstBefore), 'the results did not change');
    const metas = await page.$$eval('.service-list .meta', (ps) => ps.map((p) => p.textContent));
    assert(metas.every((m) => m.includes(loginLabel)), `a result without "${loginLabel}" in its facts`);
    assert(await page.locator('#f-audience').inputValue() === 'entrepreneurs', 'the audience choice was not kept');
    assert(await page.locator('#f-login').inputValue() === 'none', 'the login choice was not kept');
    await ctx.close();
  });
}

async function pagination() {
  await test('pagination: "next" links walk every service once, no page repeats an item', async () => {
    const ctx = await newContext({ lang: 'en' });
    const page = await ctx.newPage();
    await goto(page, '/services');
    const total = await resultCount(page);
    const first = await resultIds(page);
    if (total > first.length) {
      // the default page size
      const next = page.locator('.pagination a[rel=next]');
      assert(await next.count() === 1, `${total} services, ${first.length} shown, but no "next" link`);
      await Promise.all([page.waitForURL((u) => u.searchParams.has('cursor')), next.click()]);
      const second = await resultIds(page);
      assert(second.length > 0, 'page 2 is empty');
      const dup = second.filter((id) => first.includes(id));
      assert(dup.length === 0, `page 2 repeats ${dup.join(', ')}`);
    }
    // Every page, a few items at a time (at most ~8 pages).
    const limit = Math.max(1, Math.ceil(total / 8));
    await goto(page, `/services?limit=${limit}`);
    const seen = [];
    for (let i = 0; ; i++) {
      assert(i <= total, 'the "next" links do not end');
      const ids = await resultIds(page);
      assert(ids.length > 0 && ids.length <= limit, `page ${i + 1} has ${ids.length} items (limit ${limit})`);
      const dup = ids.filter((id) => seen.includes(id));
      assert(dup.length === 0, `page ${i + 1} repeats ${dup.join(', ')}`);
      seen.push(...ids);
      const next = page.locator('.pagination a[rel=next]');
      if (await next.count() === 0) break;
      const before = page.url();
      await Promise.all([page.waitForURL((u) => u.href !== before), next.click()]);
      const u = new URL(page.url());
      assert(u.searchParams.get('limit') === String(limit), `the next link lost limit: ${page.url()}`);
      assert(await page.locator('.pagination a', { hasText: /./ }).count() >= 1, 'no link back to the first page');
    }
    assert(seen.length === total, `walked ${seen.length} services, the count says ${total}`);
    await ctx.close();
  });
}

async function keyboard(ids) {
  for (const url of ['/', '/services', `/services/${ids.service}`]) {
    await test(`keyboard ${url}: first Tab focuses the skip link, Enter moves focus to main`, async () => {
      const ctx = await newContext({ lang: 'en' });
      const page = await ctx.newPage();
      await goto(page, url);
      await page.keyboard.press('Tab');
      const f = await page.evaluate(() => {
        const a = document.activeElement;
        const r = a.getBoundingClientRect();
        return { cls: a.className, href: a.getAttribute('href'), text: a.textContent.trim(),
          visible: r.width > 0 && r.height > 0 && r.left >= 0 && r.top >= 0 && r.right <= innerWidth };
      });
      assert(f.cls.includes('skip-link') && f.href === '#main', `first Tab focused ${JSON.stringify(f)}`);
      assert(f.visible, 'the focused skip link is not on screen');
      await page.keyboard.press('Enter');
      await page.waitForFunction(() => document.activeElement && document.activeElement.id === 'main');
      assert(new URL(page.url()).hash === '#main', `URL is ${page.url()}`);
      // The next Tab goes to the first thing inside main, not back to the header.
      await page.keyboard.press('Tab');
      const inMain = await page.evaluate(() => document.getElementById('main').contains(document.activeElement));
      assert(inMain, 'Tab after the skip link left main');
      await ctx.close();
    });
  }
}

/* Focus every link and button in turn and measure the contrast of its text
 * against the background it has while focused (axe-core only sees the page
 * at rest, so a focus style that turns text unreadable slips past it). */
async function focusContrast(ids) {
  for (const [kind, url] of [['home', '/'], ['services', '/services'], ['service', `/services/${ids.service}`],
    ['not-found', '/nope']]) {
    await test(`focus style ${kind}: focused links and buttons keep text contrast >= 4.5:1`, async () => {
      const ctx = await newContext({ lang: 'az' });
      const page = await ctx.newPage();
      await page.goto(base + url);
      const bad = await page.evaluate(() => {
        const rgba = (s) => { const m = s.match(/[\d.]+/g) || [0, 0, 0, 0]; return m.map(Number).concat([1]).slice(0, 4); };
        const lum = ([r, g, b]) => {
          const f = (c) => { c /= 255; return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; };
          return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
        };
        const bgOf = (el) => {
          for (let e = el; e; e = e.parentElement) {
            const c = rgba(getComputedStyle(e).backgroundColor);
            if (c[3] > 0) return c;
          }
          return [255, 255, 255, 1];
        };
        const out = [];
        for (const el of document.querySelectorAll('a[href], button')) {
          el.focus();
          if (document.activeElement !== el) continue;
          const fg = rgba(getComputedStyle(el).color);
          const bg = bgOf(el);
          const [l1, l2] = [lum(fg), lum(bg)].sort((a, b) => b - a);
          const ratio = (l1 + 0.05) / (l2 + 0.05);
          if (ratio < 4.5)
            out.push(`${el.tagName.toLowerCase()} "${el.textContent.trim().slice(0, 40)}": ${ratio.toFixed(2)}:1 (${getComputedStyle(el).color} on rgba(${bg}))`);
        }
        return out;
      });
      assert(bad.length === 0, bad.join('\n'));
      await ctx.close();
    });
  }
}

async function mobile(ids) {
  for (const [kind, url] of [['home', '/'], ['services', '/services'], ['service', `/services/${ids.service}`]]) {
    await test(`mobile 360x640 ${kind}: no horizontal scrolling (az, en, ru)`, async () => {
      const bad = [];
      for (const lang of LANGS) {
        const ctx = await newContext({ lang, viewport: { width: 360, height: 640 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
        const page = await ctx.newPage();
        await goto(page, url);
        const w = await page.evaluate(() => {
          const over = [...document.querySelectorAll('body *')]
            .filter((e) => e.getBoundingClientRect().right > 360 || e.scrollWidth > e.clientWidth + 1)
            .map((e) => e.tagName.toLowerCase() + (e.className ? '.' + String(e.className).split(' ')[0] : ''));
          return { sw: document.scrollingElement.scrollWidth, over: over.slice(0, 5) };
        });
        if (w.sw > 360) bad.push(`[${lang}] scrollWidth ${w.sw} (wide: ${w.over.join(', ')})`);
        await ctx.close();
      }
      assert(bad.length === 0, bad.join('\n'));
    });
  }
}

async function screenshots(ids) {
  if (!opts.screenshots) return;
  await test(`screenshots to ${opts.screenshots}`, async () => {
    fs.mkdirSync(opts.screenshots, { recursive: true });
    const shots = [['home', '/', 200], ['services', '/services', 200],
      ['service', `/services/${ids.service}`, 200], ['404', '/nope', 404]];
    const sizes = [['desktop', { width: 1280, height: 900 }, {}],
      ['mobile', { width: 360, height: 640 }, { isMobile: true, hasTouch: true }]];
    for (const lang of ['az', 'ru']) {
      for (const [sname, viewport, extra] of sizes) {
        const ctx = await newContext({ lang, viewport, ...extra });
        const page = await ctx.newPage();
        for (const [name, url, status] of shots) {
          await goto(page, url, status);
          await page.screenshot({ path: path.join(opts.screenshots, `${sname}-${name}-${lang}.png`), fullPage: true });
        }
        await ctx.close();
      }
    }
  });
}

// ---- main ------------------------------------------------------------------

async function main() {
  const started = Date.now();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pencere-browser-'));
  tmpDir = tmp;
  let fatal = null;
  const cleanup = async () => {
    try { if (browser) await browser.close(); } catch { /* already gone */ }
    try { if (server) await server.stop(); } catch { /* already gone */ }
  };
  for (const sig of ['SIGINT', 'SIGTERM'])
    process.once(sig, async () => { await cleanup(); process.exit(130); });
  try {
    server = await startServer(tmp);
    base = server.base;
    console.log(`# pencere on ${base}, catalogue ${server.catalog}`);
    // launch() gives Chromium a fresh, empty --user-data-dir of its own
    // (playwright_chromiumdev_profile-*) and deletes it on close.
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
        '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    console.log(`# Chromium ${browser.version()}, axe-core ${require('axe-core').version}`);
    const ids = await discover();
    console.log(`# agency ${ids.agency}, service ${ids.service}`);

    await pageChecks(ids);
    await languageSwitch(ids);
    await searchByTyping({}, 'search: typing "sexsiyyet vesiqesi" + Enter finds "Şəxsiyyət vəsiqəsi…"');
    await filterForm({}, 'filters: audience and login selects, submit, URL and results change');
    await pagination();
    await keyboard(ids);
    await focusContrast(ids);
    await mobile(ids);
    await searchByTyping({ javaScriptEnabled: false }, 'no JavaScript: search by typing + Enter');
    await filterForm({ javaScriptEnabled: false }, 'no JavaScript: filter form');
    await screenshots(ids);
  } catch (e) {
    fatal = e;
    record('setup', e);
  }
  await cleanup();
  const failed = results.filter((r) => !r.ok).length;
  const passed = results.length - failed;
  if (failed && server) {
    const t = tail(server.logPath, 40);
    if (t) console.log(`# server log (tail):\n${t.replace(/^/gm, '#   ')}`);
  }
  fs.mkdirSync(path.dirname(path.resolve(opts.out)), { recursive: true });
  fs.writeFileSync(opts.out, JSON.stringify({ passed, failed, tests: results }, null, 2) + '\n');
  fs.rmSync(tmp, { recursive: true, force: true });
  console.log(`# ${((Date.now() - started) / 1000).toFixed(1)} s`);
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed || fatal ? 1 : 0);
}

main();
