// Browser tests for the Pəncərə portal.
//
//   node tests/browser/run.mjs --bin build/pencere --out result.json [--screenshots DIR] [--catalog DIR] [--only REGEX]
//
// Starts `pencere demo` on a free loopback port with a throw-away data
// folder, drives Debian's Chromium (/usr/bin/chromium, or $CHROMIUM) with
// playwright-core, checks every page type in az, en and ru with axe-core
// (WCAG 2.0/2.1 A and AA), and walks the main journeys: language switch,
// search, filters, pagination, keyboard, a small phone screen and a browser
// with JavaScript turned off.  The identity pages (log in, activate,
// register, reset, "My data", sessions, two-step login, the registrar's,
// agency admin's, operator's and auditor's desks) are checked the same way,
// each logged in through the real form as the demo account of its role
// (DATA_DIR/demo-accounts.json), and walked: login errors, a wrong
// activation code, registrar → code → activation → login → access log →
// log out (keyboard), two-step login with a TOTP computed here, log out
// without JavaScript.  Electronic applications: each of the eight forms
// answered page by page from its examples (files made here), check your
// answers, send, the confirmation; error summaries; an officer of din and
// of eesmn registering, asking for information (the citizen answers) and
// approving; phone widths — axe-core on every page of it.  Logging in with
// the phone (a CA role with the mobile-signature service and a second demo
// portal using it, `pencere phone` as the person's phone): the pages in
// three languages, the number-and-FİN journey, and QR login without
// JavaScript, its code decoded from a screenshot with zbarimg.
// --only runs just the tests whose names match REGEX.  Writes {"passed","failed","tests"} to --out,
// prints one line per test and a closing "N passed, N failed" line, and exits
// non-zero when anything failed.  Needs `npm ci` in tests/browser first.

import { execFileSync, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import crypto from 'node:crypto';
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
  console.error('usage: node tests/browser/run.mjs --bin PATH_TO_pencere --out RESULT.json [--screenshots DIR] [--catalog DIR] [--only REGEX]');
  process.exit(2);
}

const opts = {};
{
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const m = /^--(bin|out|screenshots|catalog|only)(?:=(.*))?$/.exec(a);
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

async function startServer(tmp, extra = []) {
  if (!fs.existsSync(opts.bin)) throw new Error(`--bin ${opts.bin}: no such file (build it first)`);
  const port = await freePort();
  const rpPort = await freePort(); // the demo's example agency site (oidc)
  const dataDir = fs.mkdtempSync(path.join(tmp, 'data-'));
  const catalog = pickCatalog();
  const logPath = path.join(tmp, 'server.log');
  const log = fs.openSync(logPath, 'w');
  const child = spawn(path.resolve(opts.bin),
    ['demo', '--listen', `127.0.0.1:${port}`, '--data-dir', dataDir, '--catalog', catalog, '--log-level', 'info',
      '--example-rp', `127.0.0.1:${rpPort}`, ...extra],
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
  // once: the demo's exchange (registries behind two gateways) comes up
  // after the portal; the desk and registry prefill need it
  const contract = path.join(dataDir, 'demo-exchange.json');
  for (const until = Date.now() + 120000; !fs.existsSync(contract);) {
    if (exited !== null || Date.now() > until)
      throw new Error(`the demo's exchange did not come up (no ${contract}):\n${tail(logPath)}`);
    await sleep(100);
  }
  return {
    base, catalog, logPath, dataDir, rpPort,
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

function record(name, error, ms = null) {
  const ok = !error;
  const msg = error ? (error instanceof Error ? error.message : String(error)) : null;
  results.push({ name, ok, error: msg, ms });
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

async function test(name, fn, timeoutMs = TEST_TIMEOUT_MS) {
  if (opts.only && !new RegExp(opts.only).test(name)) return;
  const started = Date.now();   // the duration is kept in --out, to see where CI's time goes
  for (let attempt = 0; ; attempt++) {
    try {
      await withTimeout(Promise.resolve().then(fn), timeoutMs, name);
      record(name, null, Date.now() - started);
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

// ---- identity pages: logging in, accounts, the staff desks ----------------

/* The desk finds one person by FİN (or surname with card), never a list:
 * the demo's persons without an account (demo-persons.json) are used —
 * the first for a search, the next three for codes, the last for the
 * keyboard journey. */
const NEW_PASSWORD = 'yeni-parol-2026';
const CODE_RE = /^[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{2}$/;
const LOGIN_FORM = 'main form[action="/login"]';
const LOGOUT_BUTTON = 'header form[action="/logout"] button[type=submit]';

/* The demo's accounts: [{role, login, password, agency, fin}], from the
 * data folder of the server now running. */
let accountsCache = null;
function demoAccounts() {
  if (!accountsCache || accountsCache.dir !== server.dataDir) {
    const file = path.join(server.dataDir, 'demo-accounts.json');
    accountsCache = { dir: server.dataDir, list: JSON.parse(fs.readFileSync(file, 'utf8')) };
  }
  return accountsCache.list;
}

let personsCache = null;
function demoPersons() {
  if (!personsCache) {
    personsCache = JSON.parse(fs.readFileSync(path.join(server.dataDir, 'demo-persons.json'), 'utf8'));
  }
  return personsCache;
}

function account(role, i = 0) {
  const a = demoAccounts().filter((x) => x.role === role)[i];
  assert(a, `no ${role} #${i + 1} in demo-accounts.json`);
  return a;
}

/* RFC 6238 TOTP (HMAC-SHA1, 30-second steps, 6 digits) from a base32 key,
 * as an authenticator app computes it. */
function totp(key, unixSecs = Date.now() / 1000) {
  const alpha = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  const bytes = [];
  let acc = 0, bits = 0;
  for (const ch of key.replace(/[\s=]/g, '').toUpperCase()) {
    const v = alpha.indexOf(ch);
    if (v < 0) throw new Error(`"${ch}" is not base32 (key ${key})`);
    acc = ((acc << 5) | v) & 0xffff;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      bytes.push((acc >> bits) & 0xff);
    }
  }
  const msg = Buffer.alloc(8);
  msg.writeBigUInt64BE(BigInt(Math.floor(unixSecs / 30)));
  const mac = crypto.createHmac('sha1', Buffer.from(bytes)).update(msg).digest();
  const off = mac[19] & 0x0f;
  return String((mac.readUInt32BE(off) & 0x7fffffff) % 1000000).padStart(6, '0');
}

/* Console errors and uncaught exceptions of a page.  A page's own error
 * status (400, 401…) is reported as a console error; it is expected. */
function watchConsole(page) {
  const problems = [];
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    if (/^Failed to load resource/.test(m.text()) && m.location().url === page.url()) return;
    problems.push(`${m.text()} (${m.location().url})`);
  });
  page.on('pageerror', (e) => problems.push(e.message));
  return problems;
}

/* Do something that navigates (submit a form, follow a link); return the
 * response of the page it ends on. */
async function navBy(page, act) {
  const [resp] = await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), act()]);
  assert(resp, `no response after navigating to ${page.url()}`);
  return resp;
}

const submit = (page, form) => navBy(page, () => page.click(`${form} button[type=submit]`));

/* Press Tab until the focused element matches sel. */
async function tabTo(page, sel, max = 80) {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    if (await page.evaluate((s) => !!document.activeElement && document.activeElement.matches(s), sel)) return;
  }
  throw new Error(`${max} presses of Tab on ${page.url()} did not reach ${sel}`);
}

/* Log in through the real form (mouse and fill). */
async function logIn(page, acc) {
  await goto(page, '/login');
  await page.fill('#login', acc.login);
  await page.fill('#password', acc.password);
  const resp = await submit(page, LOGIN_FORM);
  const u = new URL(page.url());
  assert(resp.status() === 200 && u.pathname === '/account',
    `logging in as ${acc.login} ended on ${u.pathname}${u.search} with status ${resp.status()}`);
}

/* Log in with the certificate the demo's centre gave the account (its key
 * file), as a person does with the desktop helper: the page's challenge
 * signed by `pencere login-sign`, the answer pasted. */
async function certLogIn(page, acc, next = '/account') {
  assert(acc.cert_key && acc.cert, `${acc.login} has no demo certificate in demo-accounts.json`);
  await goto(page, `/login/certificate?next=${encodeURIComponent(next)}`);
  const cmd = await page.locator('main pre.command code').textContent();
  const m = /--host (\S+) --challenge (\S+)/.exec(cmd);
  assert(m, `no challenge in "${cmd}"`);
  const answer = execFileSync(path.resolve(opts.bin), ['login-sign', '--key', acc.cert_key, '--cert', acc.cert,
    '--host', m[1], '--challenge', m[2]], { encoding: 'utf8' });
  await page.fill('#answer', answer);
  const resp = await submit(page, 'main form[action="/login/certificate"]');
  assert(resp.status() === 200 && new URL(page.url()).pathname === next,
    `the certificate login of ${acc.login} ended on ${page.url()} with status ${resp.status()}`);
}

/* Some services ask for an e-signature (the catalogue's login level): a
 * citizen who applies logs in with the password, then with the
 * certificate, as the step-up page offers. */
async function logInToApply(page, acc) {
  await logIn(page, acc);
  await certLogIn(page, acc);
}

/* Log in with the keyboard only: Tab to each field, type, Enter. */
async function keyboardLogIn(page, acc) {
  await goto(page, '/login');
  await tabTo(page, '#login');
  await page.keyboard.type(acc.login);
  await tabTo(page, '#password', 5);
  await page.keyboard.type(acc.password);
  return navBy(page, () => page.keyboard.press('Enter'));
}

async function errorLinks(page) {
  return page.$$eval('.error-summary a', (as) => as.map((a) => ({ href: a.getAttribute('href'), text: a.textContent.trim() })));
}

/* The code on a code-issued page as seen (without the words for screen readers). */
async function shownCode(page) {
  return page.locator('main .code').evaluate((el) =>
    [...el.childNodes].filter((n) => n.nodeType === Node.TEXT_NODE).map((n) => n.textContent).join('').trim());
}

/* Issue a code at the registrar's desk to the n-th (from 0, modulo 3)
 * person of the codes' three, found by FİN; ends on the code-issued page. */
async function issueCode(page, n) {
  const fin = demoPersons()[1 + (n % 3)].fin;
  await goto(page, `/registrar?q=${encodeURIComponent(fin)}`);
  const fins = await page.$$eval('ul.people a', (as) => as.map((a) => a.getAttribute('href').split('/').pop()));
  assert(fins.length === 1 && fins[0] === fin, `the desk found ${JSON.stringify(fins)} for ${fin}`);
  await goto(page, `/registrar/persons/${fin}`);
  const resp = await submit(page, `main form[action="/registrar/persons/${fin}/code"]`);
  return { resp, fin };
}

/* The second account of two-step login: turned on by the two-step journey. */
let totpAccount = null;

function identityPages() {
  // role: whose account the page needs (null: nobody logged in)
  return [
    { kind: 'login', url: '/login' },
    {
      kind: 'login-error', status: 400,
      load: async (page) => { await goto(page, '/login'); return submit(page, LOGIN_FORM); },
      check: async (page) => {
        const l = await errorLinks(page);
        assert(l.length === 2, `error summary links: ${JSON.stringify(l)}`);
      },
    },
    {
      kind: 'login-wrong', status: 401,
      load: async (page) => {
        await goto(page, '/login');
        await page.fill('#login', 'no.such.account');
        await page.fill('#password', 'wrong-password-1');
        return submit(page, LOGIN_FORM);
      },
    },
    {
      kind: 'login-2fa',
      load: async (page) => {
        assert(totpAccount, 'no account with two-step login (the two-step journey turns it on)');
        await goto(page, '/login');
        await page.fill('#login', totpAccount.login);
        await page.fill('#password', totpAccount.password);
        return submit(page, LOGIN_FORM);
      },
      check: async (page) => {
        assert(new URL(page.url()).pathname === '/login', `ended on ${page.url()}`);
        assert(await page.locator('main form[action="/login/2fa"] #otp').count() === 1, 'no code field');
      },
    },
    { kind: 'activate', url: '/activate' },
    {
      kind: 'activate-error', status: 400,
      load: async (page) => {
        await goto(page, '/activate');
        await page.fill('#login', account('citizen').fin);
        await page.fill('#code', 'AAAA-BBBB-CC');
        await page.fill('#password', NEW_PASSWORD);
        await page.fill('#confirm', NEW_PASSWORD);
        return submit(page, 'main form[action="/activate"]');
      },
    },
    { kind: 'register', url: '/register' },
    { kind: 'reset', url: '/reset' },
    {
      kind: 'reset-sent',
      load: async (page) => {
        await goto(page, '/reset');
        await page.fill('#fin', account('citizen', 1).fin);
        await page.fill('#id_card', 'AZE00000000');
        return submit(page, 'main form[action="/reset"]');
      },
      check: async (page) => {
        assert(await page.locator('main a.button[href^="/activate?login="]').count() === 1, 'no link on to /activate');
      },
    },
    { kind: 'registrar', role: 'registrar', url: '/registrar' },
    {
      kind: 'registrar-search', role: 'registrar', url: () => `/registrar?q=${encodeURIComponent(demoPersons()[0].fin)}`,
      check: async (page) => assert(await page.locator('ul.people li').count() === 1, `not one person found for ${demoPersons()[0].fin}`),
    },
    // A citizen with an account: their "My data" then lists this look.
    { kind: 'registrar-person', role: 'registrar', url: () => `/registrar/persons/${account('citizen').fin}` },
    {
      kind: 'registrar-code', role: 'registrar',
      load: async (page, lang) => (await issueCode(page, LANGS.indexOf(lang))).resp,
      check: async (page) => {
        const code = await shownCode(page);
        assert(CODE_RE.test(code), `the code "${code}" is not like XXXX-XXXX-XX`);
      },
    },
    {
      kind: 'account', role: 'citizen', url: '/account',
      check: async (page) => {
        assert(await page.locator('main dl.facts').count() === 1, 'no personal data');
        assert(await page.locator('main table tbody tr').count() > 0, 'no rows in the access-log table');
      },
    },
    { kind: 'sessions', role: 'citizen', url: '/account/sessions' },
    { kind: 'account-2fa', role: 'citizen', url: '/account/2fa' },
    { kind: 'staff', role: 'agency_admin', url: () => `/agencies/${account('agency_admin').agency}/staff` },
    { kind: 'outbox', role: 'operator', url: '/operator/outbox' },
    { kind: 'audit', role: 'auditor', url: '/audit' },
    {
      kind: 'audit-verify', role: 'auditor', url: '/audit?verify=1',
      check: async (page) => assert(await page.locator('main .notice[role=status]').count() === 1, 'no "chain intact" notice'),
    },
  ];
}

async function identityPageChecks() {
  // One browser context per role, logged in once through the form.
  const sessions = new Map();
  const session = async (role, lang) => {
    let s = sessions.get(role || '');
    if (s && s.server !== server) { await s.ctx.close(); s = null; }
    if (!s) {
      const ctx = await newContext();
      const page = await ctx.newPage();
      s = { ctx, page, problems: watchConsole(page), loggedIn: !role, server };
      sessions.set(role || '', s);
    }
    await s.ctx.addCookies([{ name: 'lang', value: lang, url: base }]);
    if (!s.loggedIn) {
      await logIn(s.page, account(role));
      s.loggedIn = true;
    }
    return s;
  };
  try {
    for (const lang of LANGS) {
      for (const pg of identityPages()) {
        const who = pg.role ? ` (as ${pg.role})` : '';
        const status = pg.status || 200;
        let loaded = null;
        const load = async (s) => {
          s.problems.length = 0;
          if (pg.load) {
            const resp = await pg.load(s.page, lang);
            assert(resp.status() === status, `${pg.kind}: status ${resp.status()}, expected ${status}`);
          } else {
            await goto(s.page, typeof pg.url === 'function' ? pg.url() : pg.url, status);
          }
          loaded = s.page;
        };
        await test(`page ${pg.kind} [${lang}]: status, one h1, title, lang, no console errors${who}`, async () => {
          const s = await session(pg.role, lang);
          await load(s);
          const f = await pageFacts(s.page);
          assert(f.lang === lang, `<html lang="${f.lang}">, expected "${lang}"`);
          assert(f.h1.length === 1, `${f.h1.length} h1 elements: ${JSON.stringify(f.h1)}`);
          assert(f.h1[0].length > 0, 'the h1 is empty');
          assert(f.title.trim().length > 0, '<title> is empty');
          if (status >= 400) {
            // a form sent back with errors: "Error: …" title and a summary
            assert(await s.page.locator('.error-summary[role=alert] a[href^="#"]').count() > 0, 'no error summary with links');
            const err = await s.page.locator('.error-summary h2').textContent();
            assert(f.title.startsWith(err.trim()), `title "${f.title}" does not start with "${err.trim()}"`);
          }
          // the header: "log in", or a log-out button for the person logged in
          if (pg.role) assert(await s.page.locator(LOGOUT_BUTTON).count() === 1, 'no log-out button in the header');
          else assert(await s.page.locator('header a[href="/login"]').count() === 1, 'no "log in" link in the header');
          if (pg.check) await pg.check(s.page);
          assert(s.problems.length === 0, `console errors: ${s.problems.join(' | ')}`);
        });
        await test(`axe WCAG 2.1 AA ${pg.kind} [${lang}]${who}`, async () => {
          const s = await session(pg.role, lang);
          if (loaded !== s.page) await load(s);
          const v = await axeViolations(s.page);
          assert(v.length === 0, `${v.length} violation(s) on ${s.page.url()}:\n${v.join('\n')}`);
        });
      }
    }
  } finally {
    for (const s of sessions.values()) await s.ctx.close().catch(() => {});
  }
}

async function loginErrors() {
  await test('login errors: empty fields → error summary; its links move focus to the fields (keyboard)', async () => {
    const ctx = await newContext({ lang: 'en' });
    const page = await ctx.newPage();
    await goto(page, '/login');
    await tabTo(page, `${LOGIN_FORM} button[type=submit]`);
    const resp = await navBy(page, () => page.keyboard.press('Enter'));
    assert(resp.status() === 400, `status ${resp.status()}, expected 400`);
    const f = await pageFacts(page);
    assert(/^There is a problem: /.test(f.title), `title "${f.title}" does not start with the error`);
    const links = await errorLinks(page);
    assert(JSON.stringify(links.map((l) => l.href)) === '["#login","#password"]', `summary links: ${JSON.stringify(links)}`);
    for (const { href, text } of links) {
      const id = href.slice(1);
      const field = await page.evaluate((id) => {
        const i = document.getElementById(id);
        return {
          invalid: i.getAttribute('aria-invalid'),
          described: (i.getAttribute('aria-describedby') || '').split(' ')
            .map((x) => (document.getElementById(x) || { textContent: '' }).textContent.trim()),
        };
      }, id);
      assert(field.invalid === 'true', `#${id} is not aria-invalid`);
      assert(field.described.some((d) => d.includes(text)), `#${id} is not described by "${text}": ${JSON.stringify(field.described)}`);
      // Enter on the link moves focus to the field, its label in view.
      await page.locator(`.error-summary a[href="${href}"]`).focus();
      await page.keyboard.press('Enter');
      await page.waitForFunction((id) => document.activeElement && document.activeElement.id === id, id, { timeout: 3000 })
        .catch(() => { throw new Error(`Enter on the summary link ${href} did not focus #${id}`); });
      const seen = await page.evaluate((id) => {
        const r = document.querySelector(`label[for="${id}"]`).getBoundingClientRect();
        return r.top >= 0 && r.bottom <= innerHeight;
      }, id);
      assert(seen, `the label of #${id} is out of view after following ${href}`);
    }
    // A mouse click on a summary link does the same.
    await page.locator('#login').blur();
    await page.click('.error-summary a[href="#password"]');
    await page.waitForFunction(() => document.activeElement && document.activeElement.id === 'password', null, { timeout: 3000 })
      .catch(() => { throw new Error('a click on the summary link #password did not focus the field'); });
    await ctx.close();
  });
}

async function loginWrong() {
  await test('login: a wrong password and an unknown login get one and the same generic message', async () => {
    const ctx = await newContext({ lang: 'en' });
    const page = await ctx.newPage();
    const seen = [];
    for (const login of [account('citizen').login, 'no.such.account']) {
      await goto(page, '/login');
      await page.fill('#login', login);
      await page.fill('#password', 'wrong-password-1');
      const resp = await submit(page, LOGIN_FORM);
      assert(resp.status() === 401, `${login}: status ${resp.status()}, expected 401`);
      const links = await errorLinks(page);
      assert(links.length === 1, `${login}: ${links.length} messages in the summary: ${JSON.stringify(links)}`);
      assert(await page.locator('.error-message').count() === 1, `${login}: more than one message at the fields`);
      assert(await page.inputValue('#login') === login, `${login}: the login typed was not kept`);
      assert(await page.inputValue('#password') === '', `${login}: the password was sent back`);
      seen.push(links[0].text);
    }
    assert(seen[0] === seen[1], `different messages: ${JSON.stringify(seen)}`);
    assert(!/password is wrong|no such|not found|unknown/i.test(seen[0]), `the message tells which one: ${seen[0]}`);
    await ctx.close();
  });
}

async function activateWrongCode() {
  await test('activate: a wrong code → error summary linking to the code field, the code kept', async () => {
    const ctx = await newContext({ lang: 'az' });
    const page = await ctx.newPage();
    await goto(page, '/activate');
    await page.fill('#login', account('citizen').fin);
    await page.fill('#code', 'AAAA-BBBB-CC');
    await page.fill('#password', NEW_PASSWORD);
    await page.fill('#confirm', NEW_PASSWORD);
    const resp = await submit(page, 'main form[action="/activate"]');
    assert(resp.status() === 400, `status ${resp.status()}, expected 400`);
    const links = await errorLinks(page);
    assert(links.length === 1 && links[0].href === '#code', `summary links: ${JSON.stringify(links)}`);
    assert(await page.getAttribute('#code', 'aria-invalid') === 'true', '#code is not aria-invalid');
    assert(await page.inputValue('#code') === 'AAAA-BBBB-CC', 'the code typed was not kept');
    assert(await page.inputValue('#password') === '', 'the password was sent back');
    // the account's real password still works
    await ctx.close();
  });
}

async function registrarJourney() {
  await test('journey (keyboard): registrar finds a person, issues a code; the person activates, logs in, sees the look, logs out', async () => {
    const reg = account('registrar');
    const person = demoPersons()[4];
    // The registrar, in Azerbaijani.
    const rctx = await newContext({ lang: 'az' });
    const rp = await rctx.newPage();
    let resp = await keyboardLogIn(rp, reg);
    assert(resp.status() === 200 && new URL(rp.url()).pathname === '/account', `registrar login ended on ${rp.url()}`);
    assert(await rp.locator(LOGOUT_BUTTON).count() === 1, 'no log-out button for the registrar');
    await tabTo(rp, 'header a[href="/registrar"]');
    await navBy(rp, () => rp.keyboard.press('Enter'));
    assert(new URL(rp.url()).pathname === '/registrar', `the desk link went to ${rp.url()}`);
    await tabTo(rp, '#q');
    await rp.keyboard.type(person.fin.toLowerCase());
    await navBy(rp, () => rp.keyboard.press('Enter'));
    const hrefs = await rp.$$eval('ul.people a', (as) => as.map((a) => a.getAttribute('href')));
    const href = hrefs.find((h) => h.split('/').pop() === person.fin);
    assert(href && hrefs.length === 1, `the desk found ${JSON.stringify(hrefs)} for ${person.fin}`);
    const fin = href.split('/').pop();
    await tabTo(rp, `ul.people a[href="${href}"]`, 120);
    await navBy(rp, () => rp.keyboard.press('Enter'));
    assert(new URL(rp.url()).pathname === href, `the result link went to ${rp.url()}`);
    assert((await rp.locator('main dl.facts').textContent()).includes(fin), `the person page does not show ${fin}`);
    await tabTo(rp, `main form[action="${href}/code"] button[type=submit]`);
    resp = await navBy(rp, () => rp.keyboard.press('Enter'));
    assert(resp.status() === 200, `issuing the code: status ${resp.status()}`);
    const code = await shownCode(rp);
    assert(CODE_RE.test(code), `the code "${code}" is not like XXXX-XXXX-XX`);
    await rctx.close();

    // The person, in English, at home.
    const ctx = await newContext({ lang: 'en' });
    const page = await ctx.newPage();
    await goto(page, '/activate');
    for (const [sel, text] of [['#login', fin], ['#code', code], ['#password', NEW_PASSWORD], ['#confirm', NEW_PASSWORD]]) {
      await tabTo(page, sel, 40);
      await page.keyboard.type(text);
    }
    resp = await navBy(page, () => page.keyboard.press('Enter'));
    let u = new URL(page.url());
    assert(u.pathname === '/login' && u.searchParams.get('activated') === '1', `activation ended on ${page.url()} (${resp.status()})`);
    assert(await page.locator('main .notice[role=status]').count() === 1, 'no "password set" notice');
    resp = await keyboardLogIn(page, { login: fin.toLowerCase(), password: NEW_PASSWORD });
    u = new URL(page.url());
    assert(resp.status() === 200 && u.pathname === '/account', `the person's login ended on ${page.url()}`);
    assert((await page.locator('main dl.facts').textContent()).includes(fin), `"My data" does not show ${fin}`);
    const rows = await page.$$eval('main table tbody tr', (trs) => trs.map((tr) => tr.textContent));
    // the look is there with the role it was made in, never the staff member's login
    assert(rows.some((r) => r.includes('Registration-centre operator')), `no look by the desk in the access log: ${JSON.stringify(rows)}`);
    assert(!rows.some((r) => r.includes(reg.login)), `the access log names ${reg.login}: ${JSON.stringify(rows)}`);
    const name = (await page.locator('header a[href="/account"]').textContent()).trim();
    assert(name && name !== fin, `the header shows "${name}", not the person's name`);
    await tabTo(page, LOGOUT_BUTTON);
    await navBy(page, () => page.keyboard.press('Enter'));
    u = new URL(page.url());
    assert(u.pathname === '/login' && u.searchParams.get('out') === '1', `logging out ended on ${page.url()}`);
    await goto(page, '/account');
    assert(new URL(page.url()).pathname === '/login', `/account after logging out shows ${page.url()}`);
    await ctx.close();
  });
}

async function twoStepLogin() {
  await test('two-step login: turn on at /account/2fa (TOTP computed from the key shown), log out, log in in two steps', async () => {
    // RFC 6238 appendix B, SHA-1, T = 59: 94287082 → 287082
    assert(totp('GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ', 59) === '287082', 'the test\'s own TOTP is wrong');
    const acc = account('citizen', 1);
    const ctx = await newContext({ lang: 'en' });
    const page = await ctx.newPage();
    const problems = watchConsole(page);
    await logIn(page, acc);
    await goto(page, '/account/2fa');
    const key = (await page.locator('main code.key').first().textContent()).trim();
    assert(/^[A-Z2-7]{32}$/.test(key), `the key "${key}" is not 32 base32 characters`);
    const uri = await page.locator('main code.key').nth(1).textContent();
    assert(uri.includes(`secret=${key}`), `the otpauth URI does not carry the key: ${uri}`);
    await page.fill('#otp', totp(key));
    let resp = await submit(page, 'main form[action="/account/2fa"]');
    assert(resp.status() === 200 && new URL(page.url()).pathname === '/account/2fa', `turning on ended on ${page.url()} (${resp.status()})`);
    assert(await page.locator('main form input[name=off]').count() === 1, 'the page does not offer to turn it off');
    const v = await axeViolations(page);
    assert(v.length === 0, `axe on /account/2fa (on) [en]: ${v.length} violation(s):\n${v.join('\n')}`);
    totpAccount = acc;
    await navBy(page, () => page.click(LOGOUT_BUTTON));
    // Log in: the password, then the code.
    await goto(page, '/login');
    await page.fill('#login', acc.login);
    await page.fill('#password', acc.password);
    resp = await submit(page, LOGIN_FORM);
    assert(resp.status() === 200 && await page.locator('main form[action="/login/2fa"]').count() === 1,
      `the password step did not ask for the code (${resp.status()} ${page.url()})`);
    assert((await ctx.cookies(base)).every((c) => c.name !== 'pc_session' || !c.value), 'a session before the second step');
    // A wrong code first: the step is shown again with the error.
    const now = Date.now() / 1000;
    const valid = new Set([-1, 0, 1].map((d) => totp(key, now + d * 30)));
    let wrong = Number(totp(key, now));
    do wrong = (wrong + 1) % 1000000; while (valid.has(String(wrong).padStart(6, '0')));
    await page.fill('#otp', String(wrong).padStart(6, '0'));
    resp = await submit(page, 'main form[action="/login/2fa"]');
    assert(resp.status() === 401, `a wrong code: status ${resp.status()}, expected 401`);
    const links = await errorLinks(page);
    assert(links.length === 1 && links[0].href === '#otp', `summary after a wrong code: ${JSON.stringify(links)}`);
    await page.fill('#otp', totp(key));
    resp = await submit(page, 'main form[action="/login/2fa"]');
    assert(resp.status() === 200 && new URL(page.url()).pathname === '/account', `the second step ended on ${page.url()} (${resp.status()})`);
    assert(await page.locator(LOGOUT_BUTTON).count() === 1, 'not logged in after the second step');
    assert(problems.length === 0, `console errors: ${problems.join(' | ')}`);
    await ctx.close();
  });
}

async function logoutWithoutJs() {
  await test('no JavaScript: the log-out button in the header logs out and ends the session', async () => {
    const ctx = await newContext({ lang: 'ru', javaScriptEnabled: false });
    const page = await ctx.newPage();
    await logIn(page, account('citizen'));
    const token = (await ctx.cookies(base)).find((c) => c.name === 'pc_session');
    assert(token && token.httpOnly, `session cookie: ${JSON.stringify(token)}`);
    const form = page.locator('header form[action="/logout"]');
    assert(await form.getAttribute('method') === 'post', 'the log-out form is not a POST');
    assert(await form.locator('input[name=csrf]').count() === 1, 'the log-out form has no CSRF field');
    await navBy(page, () => page.click(LOGOUT_BUTTON));
    const u = new URL(page.url());
    assert(u.pathname === '/login' && u.searchParams.get('out') === '1', `logging out ended on ${page.url()}`);
    assert(await page.locator('header a[href="/login"]').count() === 1, 'the header does not offer to log in');
    assert(!(await ctx.cookies(base)).some((c) => c.name === 'pc_session' && c.value), 'the session cookie is still there');
    // The old token is revoked on the server, not just forgotten by the browser.
    await ctx.addCookies([{ name: 'pc_session', value: token.value, url: base, httpOnly: true }]);
    await goto(page, '/account');
    assert(new URL(page.url()).pathname === '/login', `the old session still opens /account (${page.url()})`);
    await ctx.close();
  });
}

/* Elements sticking out past the right edge of a narrow screen. */
async function horizontalOverflow(page, width) {
  return page.evaluate((width) => {
    const over = [...document.querySelectorAll('body *')]
      .filter((e) => e.getBoundingClientRect().right > width || e.scrollWidth > e.clientWidth + 1)
      .map((e) => e.tagName.toLowerCase() + (e.className ? '.' + String(e.className).split(' ')[0] : ''));
    return { sw: document.scrollingElement.scrollWidth, over: over.slice(0, 5) };
  }, width);
}

const MOBILE = { viewport: { width: 360, height: 640 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 };

async function identityMobile() {
  const cases = [
    ['login', null, (page) => goto(page, '/login')],
    ['login with errors', null, async (page) => { await goto(page, '/login'); await submit(page, LOGIN_FORM); }],
    ['account', 'citizen', (page) => goto(page, '/account')],
    ['registrar', 'registrar', (page) => goto(page, `/registrar?q=${encodeURIComponent(demoPersons()[0].fin)}`)],
    ['registrar-person', 'registrar', (page) => goto(page, `/registrar/persons/${account('citizen').fin}`)],
    ['sessions', 'citizen', (page) => goto(page, '/account/sessions')],
    ['account-2fa', 'citizen', (page) => goto(page, '/account/2fa')],
    ['staff', 'agency_admin', (page) => goto(page, `/agencies/${account('agency_admin').agency}/staff`)],
    ['outbox', 'operator', (page) => goto(page, '/operator/outbox')],
    ['audit', 'auditor', (page) => goto(page, '/audit')],
  ];
  for (const [kind, role, load] of cases) {
    await test(`mobile 360x640 ${kind}: no horizontal scrolling (az, en, ru)`, async () => {
      const bad = [];
      const ctx = await newContext(MOBILE);
      const page = await ctx.newPage();
      if (role) await logIn(page, account(role));
      for (const lang of LANGS) {
        await ctx.addCookies([{ name: 'lang', value: lang, url: base }]);
        await load(page);
        const w = await horizontalOverflow(page, 360);
        if (w.sw > 360) bad.push(`[${lang}] scrollWidth ${w.sw} (wide: ${w.over.join(', ')})`);
      }
      await ctx.close();
      assert(bad.length === 0, bad.join('\n'));
    });
  }
  await test('mobile 360x640 login with errors: following a summary link shows the field and its label', async () => {
    const ctx = await newContext({ ...MOBILE, lang: 'ru' });
    const page = await ctx.newPage();
    await goto(page, '/login');
    await submit(page, LOGIN_FORM);
    await page.locator('.error-summary a[href="#password"]').focus();
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.activeElement && document.activeElement.id === 'password', null, { timeout: 3000 });
    const r = await page.evaluate(() => {
      const l = document.querySelector('label[for="password"]').getBoundingClientRect();
      const i = document.getElementById('password').getBoundingClientRect();
      return { label: [l.top, l.bottom], input: [i.top, i.bottom], h: innerHeight };
    });
    assert(r.label[0] >= 0 && r.input[1] <= r.h, `label ${r.label}, input ${r.input}, screen height ${r.h}`);
    await ctx.close();
  });
}

async function identityScreenshots() {
  if (!opts.screenshots) return;
  await test(`screenshots of the identity pages to ${opts.screenshots}`, async () => {
    fs.mkdirSync(opts.screenshots, { recursive: true });
    const sizes = [['desktop', { viewport: { width: 1280, height: 900 } }], ['mobile', MOBILE]];
    for (const lang of ['az', 'ru']) {
      for (const [sname, size] of sizes) {
        const shot = (page, name) => page.screenshot({ path: path.join(opts.screenshots, `${sname}-${name}-${lang}.png`), fullPage: true });
        const ctx = await newContext({ ...size, lang });
        const page = await ctx.newPage();
        await goto(page, '/login');
        await submit(page, LOGIN_FORM);
        await shot(page, 'login-errors');
        await logIn(page, account('citizen'));
        await shot(page, 'account');
        await navBy(page, () => page.click(LOGOUT_BUTTON));
        await logIn(page, account('registrar'));
        await goto(page, `/registrar/persons/${account('citizen').fin}`);
        await shot(page, 'registrar-person');
        await issueCode(page, LANGS.indexOf(lang));
        await shot(page, 'code-issued');
        await ctx.close();
      }
    }
  });
}

// ---- single sign-on for agencies' sites (oidc): consent, logout, the operator's registry ----

/* The demo's example site: its client id and its portal-side URLs. */
function oidcSite() {
  const rp = `http://127.0.0.1:${server.rpPort}`;
  return { rp, client: `tax-cabinet-${server.rpPort}` };
}

function oidcPages() {
  const consentUrl = () => {
    const { rp, client } = oidcSite();
    const q = new URLSearchParams({
      response_type: 'code', client_id: client, redirect_uri: `${rp}/callback`, scope: 'openid profile email',
      state: 'browser-test', code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
      code_challenge_method: 'S256', prompt: 'consent',
    });
    return `/oidc/authorize?${q}`;
  };
  return [
    {
      kind: 'oidc-consent', role: 'citizen', url: consentUrl,
      check: async (page) => {
        assert(await page.locator('main ul.claims li').count() >= 3, 'the claims are not listed');
        assert(await page.locator('main form button[name=decision]').count() === 2, 'no allow and deny buttons');
      },
    },
    { kind: 'oidc-logout-confirm', role: 'citizen', url: '/oidc/logout' },
    {
      // after the journey below, the citizen has let the example site in
      kind: 'oidc-sites', role: 'citizen', url: '/account/sites',
      check: async (page) => assert(await page.locator('main form[action$="/withdraw"] button').count() === 1,
        'the example site is not listed with a withdraw button'),
    },
    { kind: 'oidc-bad-request', role: null, url: '/oidc/authorize?client_id=no-such-site', status: 400 },
    { kind: 'oidc-clients', role: 'operator', url: '/operator/oidc-clients' },
    {
      kind: 'oidc-clients-error', role: 'operator', status: 400,
      load: async (page) => {
        await goto(page, '/operator/oidc-clients');
        await page.fill('#name_az', 'Sınaq');
        await page.fill('#redirect_uris', 'http://evil.example/cb');
        return submit(page, 'main form[action="/operator/oidc-clients"]');
      },
      check: async (page) => assert(await page.locator('[aria-invalid=true]').count() > 0, 'no field marked invalid'),
    },
  ];
}

async function oidcPageChecks() {
  for (const lang of LANGS) {
    for (const pg of oidcPages()) {
      const who = pg.role ? ` (as ${pg.role})` : '';
      await test(`page ${pg.kind} [${lang}]: status, one h1, lang, axe WCAG 2.1 AA${who}`, async () => {
        const ctx = await newContext({ lang });
        try {
          const page = await ctx.newPage();
          const problems = watchConsole(page);
          if (pg.role) await logIn(page, account(pg.role));
          if (pg.load) {
            const resp = await pg.load(page);
            assert(resp.status() === pg.status, `${pg.kind}: status ${resp.status()}, expected ${pg.status}`);
          } else {
            await goto(page, typeof pg.url === 'function' ? pg.url() : pg.url, pg.status || 200);
          }
          const f = await pageFacts(page);
          assert(f.lang === lang, `<html lang="${f.lang}">, expected "${lang}"`);
          assert(f.h1.length === 1 && f.h1[0].length > 0, `h1 elements: ${JSON.stringify(f.h1)}`);
          if (pg.check) await pg.check(page);
          const v = await axeViolations(page);
          assert(v.length === 0, `${v.length} violation(s) on ${page.url()}:\n${v.join('\n')}`);
          assert(problems.length === 0, `console errors: ${problems.join(' | ')}`);
        } finally {
          await ctx.close();
        }
      });
    }
  }
}

async function oidcJourney() {
  await test('no JavaScript: sign in to the example agency site through the portal, and out again with it', async () => {
    const { rp } = oidcSite();
    const ctx = await newContext({ lang: 'en', javaScriptEnabled: false });
    try {
      const page = await ctx.newPage();
      const citizen = account('citizen');
      await page.goto(`${rp}/`, { waitUntil: 'load' });
      await navBy(page, () => page.click('#login'));
      assert(new URL(page.url()).pathname === '/login', `the site did not send us to log in: ${page.url()}`);
      await page.fill('#login', citizen.login);
      await page.fill('#password', citizen.password);
      await submit(page, LOGIN_FORM);
      if (await page.locator('main form button[value=allow]').count()) {
        await page.locator('main form button[value=allow]').click();
        await page.waitForURL(`${rp}/`, { timeout: 10000 }); // the page after the form moves on by itself
      } else {
        await page.waitForURL(`${rp}/`, { timeout: 10000 });
      }
      assert(await page.locator('#who').count() === 1, `not signed in at the site: ${await page.content()}`);
      await page.click('#logout');
      await page.waitForURL(`${rp}/`, { timeout: 10000 });
      assert(await page.locator('#login').count() === 1, 'the site still shows the person');
      await goto(page, '/account');
      assert(new URL(page.url()).pathname === '/login', 'the portal session outlived the logout');
    } finally {
      await ctx.close();
    }
  });
}

// ---- electronic applications: the citizen's flow and the back office ------

const APPLY_SERVICES = ['eesmn-vemtas', 'din-id-card-replacement', 'eesmn-labour-contract-registration',
  'emdk-real-estate-extract', 'msk-online-appeal', 'rytn-imei-registration', 'din-driving-licence',
  'didk-diaspora-e-appeal'];
const REF_RE = /^AZ-\d{4}-\d{8}$/;
const PAGE_RE = /^\/applications\/([^/]+)\/page\/([^/]+)$/;
const CHECK_RE = /^\/applications\/([^/]+)\/check$/;
const CONTINUE = 'main form button[type=submit]:not([name])';
const APPLY_TIMEOUT_MS = 60000;

/* References of the applications sent by the flows, per service (the officer
 * tests decide them). */
const sentRefs = new Map();

const formCache = new Map();
async function formOf(service) {
  if (!formCache.has(service)) {
    const r = await fetch(`${base}/api/v1/services/${service}/form`);
    assert(r.status === 200, `GET /api/v1/services/${service}/form: ${r.status}`);
    formCache.set(service, await r.json());
  }
  return formCache.get(service);
}

/* Small valid files for file questions: a PDF written here, a PNG and a JPEG
 * drawn by Chromium on a canvas. */
let sampleFiles = null;
function tinyPdf() {
  const objs = ['<< /Type /Catalog /Pages 2 0 R >>', '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 100] /Resources << >> >>'];
  let out = '%PDF-1.4\n';
  const offs = [];
  objs.forEach((o, i) => { offs.push(out.length); out += `${i + 1} 0 obj\n${o}\nendobj\n`; });
  const xref = out.length;
  out += `xref\n0 ${objs.length + 1}\n0000000000 65535 f \n${offs.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`
    + `trailer\n<< /Size ${objs.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}
async function ensureSampleFiles() {
  if (sampleFiles) return sampleFiles;
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  const [png, jpeg] = await page.evaluate(() => {
    const c = document.createElement('canvas');
    c.width = 120; c.height = 160;
    const g = c.getContext('2d');
    g.fillStyle = '#dbe7f3'; g.fillRect(0, 0, 120, 160);
    g.fillStyle = '#00566b'; g.beginPath(); g.arc(60, 60, 30, 0, 7); g.fill(); g.fillRect(20, 100, 80, 60);
    return [c.toDataURL('image/png'), c.toDataURL('image/jpeg', 0.9)];
  });
  await ctx.close();
  const buf = (u) => Buffer.from(u.split(',')[1], 'base64');
  sampleFiles = { 'application/pdf': tinyPdf(), 'image/png': buf(png), 'image/jpeg': buf(jpeg) };
  return sampleFiles;
}

const MIME_BY_EXT = { pdf: 'application/pdf', jpg: 'image/jpeg', jpeg: 'image/jpeg', png: 'image/png' };
const EXT_BY_MIME = { 'application/pdf': 'pdf', 'image/jpeg': 'jpg', 'image/png': 'png' };

/* The file to upload for a file question: its example's name, of a type the
 * question accepts. */
function fileFor(q, example) {
  const accept = q.accept || Object.keys(EXT_BY_MIME);
  let name = String(example || 'document.pdf');
  let mime = MIME_BY_EXT[name.split('.').pop().toLowerCase()];
  if (!accept.includes(mime)) {
    mime = accept[0];
    name = `${name.replace(/\.[^.]*$/, '')}.${EXT_BY_MIME[mime]}`;
  }
  return { name, mimeType: mime, buffer: sampleFiles[mime] };
}

/* A date bound of a form ("today", "YYYY-MM-DD", "+30d", "-120y") as a day. */
function dateBound(spec, today) {
  if (!spec) return null;
  if (spec === 'today') return today;
  if (/^\d{4}-\d{2}-\d{2}$/.test(spec)) return spec;
  const m = /^([+-])(\d+)([yd])$/.exec(spec);
  if (!m) return null;
  const d = new Date(`${today}T00:00:00Z`);
  const n = Number(m[2]) * (m[1] === '-' ? -1 : 1);
  if (m[3] === 'y') d.setUTCFullYear(d.getUTCFullYear() + n); else d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

/* A date example that has fallen outside a window relative to today (a
 * start date "within 30 days") is moved into it, and said so once. */
const staleDates = new Set();
function dateAnswer(q, example) {
  const today = new Date().toISOString().slice(0, 10);
  const lo = dateBound(q.not_before, today), hi = dateBound(q.not_after, today);
  if ((!lo || example >= lo) && (!hi || example <= hi)) return example;
  let v = today;
  if (lo && v < lo) v = lo;
  if (hi && v > hi) v = hi;
  if (!staleDates.has(q.id)) {
    staleDates.add(q.id);
    console.log(`# the example ${example} of date question ${q.id} is outside ${q.not_before || ''}..${q.not_after || ''} today; used ${v}`);
  }
  return v;
}

/* The pages a citizen answering with the examples goes through. */
function expectedPages(form) {
  const eq = (x, y) => JSON.stringify(x) === JSON.stringify(y);
  const shown = (p, ans) => {
    const c = p.show_if;
    if (!c) return true;
    const a = ans[c.question];
    if (c.answered) return a !== undefined && a !== null && a !== '';
    if (a === undefined) return false;
    if ('equals' in c) return eq(a, c.equals) || (Array.isArray(a) && a.length > 0 && eq(a[0], c.equals));
    return (c.in || []).some((v) => eq(a, v));
  };
  const ans = {}, out = [];
  for (const p of form.pages) {
    if (!shown(p, ans)) continue;
    out.push(p.id);
    for (const q of p.questions) ans[q.id] = q.example;
  }
  return out;
}

async function fillQuestion(page, q, name, example) {
  const sel = `main form [name="${name}"]`;
  if (example === undefined || example === null) return;
  // once: a registry's answer is shown read-only (the citizen does not type it)
  if (q.type !== 'choice' && q.type !== 'file' && await page.locator(`${sel}[readonly]`).count() > 0) return;
  switch (q.type) {
    case 'choice':
      for (const v of Array.isArray(example) ? example : [example]) await page.check(`${sel}[value="${v}"]`);
      return;
    case 'file': {
      const accept = await page.getAttribute(sel, 'accept');
      const want = (q.accept || Object.keys(EXT_BY_MIME)).join(',');
      assert(accept === want, `file question ${name}: the picker accepts "${accept}", the question "${want}"`);
      await page.setInputFiles(sel, fileFor(q, example));
      return;
    }
    case 'date':
      await page.fill(sel, dateAnswer(q, String(example)));
      return;
    default:
      await page.fill(sel, String(example));
  }
}

/* A repeating group: "Add another" when it has no item yet, then the first
 * item from the example. */
async function fillGroup(page, q, onAdded) {
  const item = (Array.isArray(q.example) ? q.example : [])[0] || {};
  if (await page.locator(`main form [name="${q.id}[0].${q.questions[0].id}"]`).count() === 0) {
    const resp = await navBy(page, () => page.click(`main form button[name="_add"][value="${q.id}"]`));
    assert(resp.status() === 200, `"Add another" in ${q.id}: status ${resp.status()}`);
    assert(await page.locator(`main form [name="${q.id}[0].${q.questions[0].id}"]`).count() > 0,
      `"Add another" in ${q.id} showed no item`);
    if (onAdded) await onAdded();
  }
  for (const iq of q.questions) await fillQuestion(page, iq, `${q.id}[0].${iq.id}`, item[iq.id]);
}

async function errorTexts(page) {
  return (await errorLinks(page)).map((l) => `${l.href} ${l.text}`).join('; ');
}

/* A citizen (already logged in on page) applies for a service: the start
 * page, every page the server shows filled from the form's examples, check
 * your answers, send.  axe-core runs on each page (violations collected,
 * not thrown, so one run shows them all); onPage(kind) is called on each
 * (kind: the page id, "<id>+item" after "Add another", "check", "sent"). */
async function applyJourney(page, service, { lang = 'az', axe = true, until = 'sent', onPage = null, guest = false } = {}) {
  await ensureSampleFiles();
  const form = await formOf(service);
  const violations = [];
  const visited = [];
  const look = async (kind) => {
    const f = await pageFacts(page);
    assert(f.lang === lang, `${kind}: <html lang="${f.lang}">, expected "${lang}"`);
    assert(f.h1.length === 1 && f.h1[0].length > 0, `${kind}: h1 elements ${JSON.stringify(f.h1)}`);
    assert(f.title.trim().length > 0, `${kind}: <title> is empty`);
    if (axe) for (const v of await axeViolations(page)) violations.push(`${kind} (${f.path}): ${v}`);
    if (onPage) await onPage(kind);
  };
  await goto(page, `/services/${service}/start`);
  await look('start');
  if (guest) { /* nologin: not logged in, a service of level none: the page before the first draft */
    await navBy(page, () => page.click(`main a[href="/services/${service}/apply"]`));
    await look('guest-start');
  }
  let resp = await submit(page, `main form[action="/services/${service}/apply"]`);
  let draft = null;
  for (;;) {
    const m = PAGE_RE.exec(new URL(page.url()).pathname);
    if (!m) break;
    assert(resp.status() === 200, `${page.url()}: status ${resp.status()}${resp.status() === 400 ? `, errors: ${await errorTexts(page)}` : ''}`);
    assert(visited.length < 40, `more than 40 pages: ${visited.join(' → ')}`);
    const pid = m[2];
    draft = m[1];
    const pg = form.pages.find((p) => p.id === pid);
    assert(pg, `the server showed page "${pid}", which the form does not have`);
    visited.push(pid);
    await look(pid);
    for (const q of pg.questions) {
      if (q.type === 'group') await fillGroup(page, q, () => look(`${pid}+item`));
      else await fillQuestion(page, q, q.id, q.example);
    }
    resp = await navBy(page, () => page.click(CONTINUE));
  }
  const expected = expectedPages(form);
  assert(JSON.stringify(visited) === JSON.stringify(expected),
    `pages shown: ${visited.join(' → ')}\n     expected:    ${expected.join(' → ')}`);
  const cm = CHECK_RE.exec(new URL(page.url()).pathname);
  assert(cm && resp.status() === 200, `after the last page: ${page.url()} (${resp.status()})`);
  assert(cm[1] === draft, `check answers of ${cm[1]}, the draft is ${draft}`);
  const nq = form.pages.filter((p) => visited.includes(p.id)).reduce((n, p) => n + p.questions.length, 0);
  const rows = await page.locator('main dl.summary dt').count();
  assert(rows === nq, `check answers lists ${rows} answers, ${nq} questions were shown`);
  const changes = await page.$$eval('main dl.summary a.change', (as) => as.map((a) => a.getAttribute('href')));
  assert(changes.length === nq && changes.every((h) => PAGE_RE.test(h)), `change links: ${JSON.stringify(changes)}`);
  await look('check');
  if (until === 'check') return { draft, violations, visited };
  if (guest) return { draft, violations, visited };
  resp = await submit(page, 'main form[action$="/submit"]');
  const u = new URL(page.url());
  assert(resp.status() === 200 && u.searchParams.get('sent') === '1', `sending ended on ${page.url()} (${resp.status()})`);
  const ref = (await page.locator('main .panel .code').textContent()).trim();
  assert(REF_RE.test(ref), `the reference "${ref}" is not like AZ-YYYY-NNNNNNNN`);
  assert(u.pathname === `/applications/${ref}`, `the confirmation is at ${u.pathname}, the reference is ${ref}`);
  await look('sent');
  return { draft, ref, violations, visited };
}

async function applyFlows() {
  const runs = APPLY_SERVICES.map((s) => [s, 'az']).concat([['din-id-card-replacement', 'en'], ['din-id-card-replacement', 'ru']]);
  const pages = new Map();
  for (const [service, lang] of runs) {
    await test(`apply ${service} [${lang}]: start, every page filled from the examples, check answers, send → AZ-YYYY-NNNNNNNN; axe on each page`, async () => {
      const ctx = await newContext({ lang });
      try {
        const page = await ctx.newPage();
        const problems = watchConsole(page);
        await logInToApply(page, account('citizen'));
        const r = await applyJourney(page, service, { lang });
        if (lang === 'az') sentRefs.set(service, r.ref);
        pages.set(`${service} [${lang}]`, r.visited.length + 3);
        assert(problems.length === 0, `console errors: ${problems.join(' | ')}`);
        assert(r.violations.length === 0, `${r.violations.length} axe violation(s):\n${r.violations.join('\n')}`);
      } finally {
        await ctx.close();
      }
    }, APPLY_TIMEOUT_MS);
  }
  if (pages.size) console.log(`# axe ran on ${[...pages.values()].reduce((a, b) => a + b, 0)} application pages`);
}

/* A reference of a sent application of the service, from the flows above or
 * (when --only left them out) sent now without the checks. */
async function refFor(service) {
  if (sentRefs.has(service)) return sentRefs.get(service);
  const ctx = await newContext({ lang: 'az' });
  const page = await ctx.newPage();
  await logInToApply(page, account('citizen'));
  const r = await applyJourney(page, service, { axe: false });
  await ctx.close();
  sentRefs.set(service, r.ref);
  return r.ref;
}

/* Start a fresh draft of a service; returns its id (the page shown is its first page). */
async function newDraft(page, service) {
  await goto(page, `/services/${service}/start`);
  await submit(page, `main form[action="/services/${service}/apply"]`);
  const m = PAGE_RE.exec(new URL(page.url()).pathname);
  assert(m, `starting ${service} ended on ${page.url()}`);
  return m[1];
}

/* Follow each link of the error summary with the keyboard: the target must
 * exist and get the focus, with its label or legend in view. */
async function followErrorLinks(page) {
  const bad = [];
  for (const { href } of await errorLinks(page)) {
    const id = decodeURIComponent(href.slice(1));
    if (!await page.evaluate((id) => !!document.getElementById(id), id)) {
      bad.push(`${href}: no element with this id`);
      continue;
    }
    await page.evaluate(() => document.activeElement && document.activeElement.blur());
    await page.locator(`.error-summary a[href="${href}"]`).focus();
    await page.keyboard.press('Enter');
    const ok = await page.waitForFunction((id) => document.activeElement && document.activeElement.id === id, id, { timeout: 3000 })
      .then(() => true, () => false);
    if (!ok) { bad.push(`${href}: Enter did not move focus to the field`); continue; }
    // the words that say what to answer: a radio's legend, else the label
    const seen = await page.evaluate((id) => {
      const el = document.getElementById(id);
      const fs = /^(radio|checkbox)$/.test(el.type) && el.closest('fieldset');
      const words = fs ? fs.querySelector('legend') : document.querySelector(`label[for="${CSS.escape(id)}"]`) || el;
      const r = words.getBoundingClientRect(), f = el.getBoundingClientRect();
      return r.top >= 0 && r.bottom <= innerHeight && f.bottom <= innerHeight;
    }, id);
    if (!seen) bad.push(`${href}: the field or its label (legend) is out of view`);
  }
  return bad;
}

async function applyErrors() {
  await test('apply errors: a page of radios sent empty → error summary; its link moves focus to the first radio; axe clean', async () => {
    const ctx = await newContext({ lang: 'az' });
    try {
      const page = await ctx.newPage();
      await logInToApply(page, account('citizen'));
      await newDraft(page, 'din-id-card-replacement');
      const title = await page.title();
      const resp = await navBy(page, () => page.click(CONTINUE));
      assert(resp.status() === 400, `status ${resp.status()}, expected 400`);
      const f = await pageFacts(page);
      const err = (await page.locator('.error-summary h2').textContent()).trim();
      assert(f.title.startsWith(err) && f.title.includes(title), `title "${f.title}" is not "${err}: ${title}"`);
      const links = await errorLinks(page);
      assert(links.length === 1 && links[0].href === '#reason-0', `summary links: ${JSON.stringify(links)}`);
      const described = await page.evaluate(() => {
        const fs = document.getElementById('reason-0').closest('fieldset');
        return (fs.getAttribute('aria-describedby') || '').split(' ').map((x) => (document.getElementById(x) || { textContent: '' }).textContent.trim());
      });
      assert(described.some((d) => d === links[0].text), `the fieldset is not described by "${links[0].text}": ${JSON.stringify(described)}`);
      const bad = await followErrorLinks(page);
      assert(bad.length === 0, bad.join('\n'));
      const v = await axeViolations(page);
      assert(v.length === 0, `${v.length} axe violation(s):\n${v.join('\n')}`);
    } finally {
      await ctx.close();
    }
  });
  await test('apply errors: an empty item of a repeating group → one summary link per field, each moves focus to its field; axe clean', async () => {
    const ctx = await newContext({ lang: 'az' });
    try {
      const page = await ctx.newPage();
      await logInToApply(page, account('citizen'));
      const draft = await newDraft(page, 'eesmn-vemtas');
      await goto(page, `/applications/${draft}/page/family-members`);
      await navBy(page, () => page.click('main form button[name="_add"][value="family_members"]'));
      const resp = await navBy(page, () => page.click(CONTINUE));
      assert(resp.status() === 400, `status ${resp.status()}, expected 400`);
      const form = await formOf('eesmn-vemtas');
      const group = form.pages.find((p) => p.id === 'family-members').questions[0];
      const required = group.questions.filter((q) => q.required).map((q) => q.id);
      const links = await errorLinks(page);
      assert(links.length === required.length, `${links.length} summary links for ${required.length} required fields: ${JSON.stringify(links)}`);
      const bad = await followErrorLinks(page);
      // the answers' fields are marked and described
      const unmarked = await page.evaluate(() => [...document.querySelectorAll('.field-error')]
        .filter((d) => !d.querySelector('.error-message')).length);
      if (unmarked) bad.push(`${unmarked} field(s) marked as wrong without a message`);
      const v = await axeViolations(page);
      assert(bad.length === 0 && v.length === 0, [...bad, ...v].join('\n'));
    } finally {
      await ctx.close();
    }
  });
}

async function applyFileError() {
  await test('apply errors: a file of a type the question does not take → error summary linking to the file field; axe clean', async () => {
    const ctx = await newContext({ lang: 'az' });
    try {
      const page = await ctx.newPage();
      await logInToApply(page, account('citizen'));
      await ensureSampleFiles();
      const draft = await newDraft(page, 'din-id-card-replacement');
      await goto(page, `/applications/${draft}/page/photo`);
      await page.setInputFiles('main form [name="photo"]', { name: 'photo.pdf', mimeType: 'application/pdf', buffer: sampleFiles['application/pdf'] });
      const resp = await navBy(page, () => page.click(CONTINUE));
      assert(resp.status() === 400, `a PDF for a photo: status ${resp.status()}, expected 400`);
      const links = await errorLinks(page);
      assert(links.length === 1 && links[0].href === '#photo', `summary links: ${JSON.stringify(links)}`);
      assert(await page.getAttribute('#photo', 'aria-invalid') === 'true', '#photo is not aria-invalid');
      const bad = await followErrorLinks(page);
      const v = await axeViolations(page);
      assert(bad.length === 0 && v.length === 0, [...bad, ...v].join('\n'));
    } finally {
      await ctx.close();
    }
  });
}

function officerOf(agency) {
  const a = demoAccounts().find((x) => x.role === 'officer' && x.agency === agency);
  assert(a, `no officer of ${agency} in demo-accounts.json`);
  return a;
}

async function agencyOf(service) {
  const r = await fetch(`${base}/api/v1/services/${service}`);
  assert(r.status === 200, `GET /api/v1/services/${service}: ${r.status}`);
  const j = await r.json();
  assert(j.agency && j.agency.id, `no agency in /api/v1/services/${service}`);
  return j.agency.id;
}

async function officerJourney(service) {
  await test(`officer and citizen ${service}: register, review, ask for information; the citizen answers; approve; the citizen sees the decision; axe on /office, the case, /applications and the application`, async () => {
    const ref = await refFor(service);
    const agency = await agencyOf(service);
    const violations = [];
    const axeOn = async (page, kind) => { for (const v of await axeViolations(page)) violations.push(`${kind} (${new URL(page.url()).pathname}): ${v}`); };
    const octx = await newContext({ lang: 'az' });
    const cctx = await newContext({ lang: 'az' });
    try {
      const op = await octx.newPage();
      const cp = await cctx.newPage();
      const problems = [...[op, cp].map(watchConsole)];
      await logIn(op, officerOf(agency));
      await logInToApply(cp, account('citizen'));
      const status = async (page) => (await page.locator('main dl.facts .tag').first().textContent()).trim();

      await goto(op, '/office');
      assert((await pageFacts(op)).h1.length === 1, 'not one h1 on /office');
      await axeOn(op, '/office');
      const link = op.locator(`main table a[href="/office/cases/${ref}"]`);
      assert(await link.count() === 1, `${ref} is not in the inbox of ${agency}`);
      await navBy(op, () => link.click());
      assert(new URL(op.url()).pathname === `/office/cases/${ref}`, `the inbox link went to ${op.url()}`);
      assert(await status(op) === 'Göndərilib', `the new case is "${await status(op)}"`);
      await axeOn(op, 'case');

      const act = async (action, note, expect) => {
        if (note !== undefined) await op.fill('#note', note);
        const resp = await navBy(op, () => op.click(`main form[action="/office/cases/${ref}/act"] button[name=action][value=${action}]`));
        assert(resp.status() === 200 && new URL(op.url()).searchParams.get('done') === '1',
          `${action}: ended on ${op.url()} (${resp.status()})`);
        assert(await op.locator('main .notice[role=status]').count() === 1, `${action}: no "done" notice`);
        const s = await status(op);
        assert(s === expect, `after ${action} the case is "${s}", expected "${expect}"`);
      };
      await act('assign_to_me', undefined, 'Göndərilib');
      await act('register', undefined, 'Qeydə alınıb');
      await act('start_review', undefined, 'Baxılır');
      // asking for information needs a note
      const noNote = await navBy(op, () => op.click(`main form button[name=action][value=request_info]`));
      assert(noNote.status() === 400, `request_info without a note: status ${noNote.status()}, expected 400`);
      const links = await errorLinks(op);
      assert(links.length === 1 && links[0].href === '#note' && links[0].text === 'Bu addım üçün qeyd yazın',
        `request_info without a note: summary links ${JSON.stringify(links)}`);
      assert(await op.getAttribute('#note', 'aria-invalid') === 'true', 'the note field is not aria-invalid');
      assert(await status(op) === 'Baxılır', `the case is "${await status(op)}" after a step without a note`);
      const bad = await followErrorLinks(op);
      assert(bad.length === 0, bad.join('\n'));
      await axeOn(op, 'case (a note missing)');
      const question = 'Zəhmət olmasa, ərizədəki telefon nömrəsini təsdiq edin.';
      await act('request_info', question, 'Əlavə məlumat istənilib');
      await axeOn(op, 'case (info requested)');

      // The citizen finds the request in "My applications" and answers it.
      await goto(cp, '/applications');
      await axeOn(cp, '/applications');
      const row = cp.locator('main table tr', { has: cp.locator(`a[href="/applications/${ref}"]`) });
      assert(await row.count() === 1, `${ref} is not in "My applications"`);
      assert((await row.locator('.tag').textContent()).trim() === 'Əlavə məlumat istənilib', `"My applications" shows ${await row.locator('.tag').textContent()}`);
      await navBy(cp, () => row.locator('a').click());
      assert(await status(cp) === 'Əlavə məlumat istənilib', `the application shows "${await status(cp)}"`);
      assert((await cp.locator('main .timeline').textContent()).includes(question), 'the officer\'s question is not shown to the citizen');
      await axeOn(cp, 'application (info requested)');
      const answer = 'Nömrə düzgündür: +994551234567.';
      await cp.fill('#note', answer);
      let resp = await submit(cp, `main form[action="/applications/${ref}/respond"]`);
      assert(resp.status() === 200 && new URL(cp.url()).pathname === `/applications/${ref}`, `answering ended on ${cp.url()} (${resp.status()})`);
      assert(await status(cp) === 'Cavab verilib', `after answering the application is "${await status(cp)}"`);

      // The officer reads the answer and approves.
      await goto(op, `/office/cases/${ref}`);
      assert(await status(op) === 'Cavab verilib', `the officer sees "${await status(op)}"`);
      assert((await op.locator('main .timeline').textContent()).includes(answer), 'the citizen\'s answer is not shown to the officer');
      await act('start_review', undefined, 'Baxılır');
      const decision = 'Ərizə təsdiq edildi. Yeni sənədi 10 iş günü ərzində seçdiyiniz mərkəzdən ala bilərsiniz.';
      await act('approve', decision, 'Təsdiq edilib');
      await axeOn(op, 'case (approved)');

      // The citizen sees the decision.
      await goto(cp, `/applications/${ref}`);
      assert(await status(cp) === 'Təsdiq edilib', `the citizen sees "${await status(cp)}"`);
      assert((await cp.locator('main dl.facts').first().textContent()).includes(decision), 'the decision text is not shown to the citizen');
      await axeOn(cp, 'application (approved)');
      await goto(cp, '/applications');
      assert((await cp.locator('main table tr', { has: cp.locator(`a[href="/applications/${ref}"]`) }).locator('.tag').textContent()).trim() === 'Təsdiq edilib',
        '"My applications" does not show "Təsdiq edilib"');
      const p = problems.flat();
      assert(p.length === 0, `console errors: ${p.join(' | ')}`);
      assert(violations.length === 0, `${violations.length} axe violation(s):\n${violations.join('\n')}`);
    } finally {
      await octx.close();
      await cctx.close();
    }
  }, APPLY_TIMEOUT_MS);
}

async function applyMobile() {
  await test('mobile 360x640 applications: a question page with a group item, check answers, /office, a case: no horizontal scrolling (az, en, ru)', async () => {
    const bad = [];
    const measure = async (page, kind, load) => {
      for (const lang of LANGS) {
        await page.context().addCookies([{ name: 'lang', value: lang, url: base }]);
        await load();
        const w = await horizontalOverflow(page, 360);
        if (w.sw > 360) bad.push(`${kind} [${lang}]: scrollWidth ${w.sw} (wide: ${w.over.join(', ')})`);
      }
    };
    const ctx = await newContext({ ...MOBILE, lang: 'az' });
    const octx = await newContext({ ...MOBILE, lang: 'az' });
    try {
      const page = await ctx.newPage();
      await logInToApply(page, account('citizen'));
      const { draft } = await applyJourney(page, 'eesmn-vemtas', { axe: false, until: 'check' });
      await measure(page, 'group page', () => goto(page, `/applications/${draft}/page/family-members`));
      await measure(page, 'check answers', () => goto(page, `/applications/${draft}/check`));
      const ref = await refFor('eesmn-vemtas');
      await measure(page, 'application', () => goto(page, `/applications/${ref}`));
      await measure(page, 'my applications', () => goto(page, '/applications'));
      const op = await octx.newPage();
      await logIn(op, officerOf('eesmn'));
      await measure(op, '/office', () => goto(op, '/office'));
      await measure(op, 'case', () => goto(op, `/office/cases/${ref}`));
    } finally {
      await ctx.close();
      await octx.close();
    }
    assert(bad.length === 0, bad.join('\n'));
  }, APPLY_TIMEOUT_MS);
}

async function applyScreenshots() {
  if (!opts.screenshots) return;
  await test(`screenshots of the application pages to ${opts.screenshots}`, async () => {
    fs.mkdirSync(opts.screenshots, { recursive: true });
    const sizes = [['desktop', { viewport: { width: 1280, height: 900 } }], ['mobile', MOBILE]];
    for (const [sname, size] of sizes) {
      const shot = (page, name) => page.screenshot({ path: path.join(opts.screenshots, `${sname}-apply-${name}-az.png`), fullPage: true });
      const ctx = await newContext({ ...size, lang: 'az' });
      const page = await ctx.newPage();
      await logInToApply(page, account('citizen'));
      const wanted = { 'your-status': 'radios', 'family-members+item': 'group', check: 'check', sent: 'confirmation' };
      const { ref } = await applyJourney(page, 'eesmn-vemtas', {
        axe: false, onPage: async (kind) => { if (wanted[kind]) await shot(page, wanted[kind]); },
      });
      await newDraft(page, 'din-id-card-replacement');
      await navBy(page, () => page.click(CONTINUE));
      await shot(page, 'errors');
      await goto(page, `/applications/${ref}`);
      await shot(page, 'application');
      const op = await ctx.newPage();
      await navBy(page, () => page.click(LOGOUT_BUTTON));
      await logIn(op, officerOf('eesmn'));
      await goto(op, '/office');
      await shot(op, 'office');
      await goto(op, `/office/cases/${ref}`);
      await shot(op, 'case');
      await ctx.close();
    }
  }, APPLY_TIMEOUT_MS);
}

// ---- logging in with the phone (src/web/login_mobile.c, docs/mobile.md) ----
// A CA role hosting the mobile-signature service and a second demo portal
// that uses it (--mid-url); `pencere phone` is the demo citizen's phone.

const PIN1 = '1234';
const bin = (...args) => execFileSync(path.resolve(opts.bin), args, { encoding: 'utf8' });

async function startCa(tmp) {
  const dir = fs.mkdtempSync(path.join(tmp, 'ca-'));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  bin('ca', 'init', '--data-dir', path.join(dir, 'ca'), '--public-url', url);
  const keyFile = bin('ca', 'add-client', '--data-dir', path.join(dir, 'ca'), '--id', 'portal').trim();
  const chain = path.join(dir, 'chain.pem');
  fs.writeFileSync(chain, fs.readFileSync(path.join(dir, 'ca/certs/ca.pem'), 'utf8') +
    fs.readFileSync(path.join(dir, 'ca/certs/root.pem'), 'utf8'));
  const log = fs.openSync(path.join(dir, 'ca.log'), 'w');
  const child = spawn(path.resolve(opts.bin), ['ca', 'serve', '--data-dir', path.join(dir, 'ca'), '--db',
    path.join(dir, 'ca.db'), '--listen', `127.0.0.1:${port}`], { stdio: ['ignore', log, log] });
  fs.closeSync(log);
  for (let i = 0; ; i++) {
    try { if ((await fetch(`${url}/healthz`)).status === 200) break; } catch { /* not yet */ }
    assert(i < 300, 'the CA role did not start');
    await sleep(100);
  }
  return {
    url, dir, keyFile, chain, secret: fs.readFileSync(keyFile, 'utf8').trim(),
    stop: () => new Promise((r) => { child.once('exit', r); child.kill('SIGTERM'); }),
  };
}

/* The desk binds a SIM, as the registration centre does (RA-signed). */
async function midEnrol(ca, number, fin, name, sim) {
  const body = JSON.stringify({ phoneNumber: number, nationalIdentityNumber: fin, name, sim });
  const ts = Math.floor(Date.now() / 1000);
  const target = '/mid/v1/enrolments';
  const msg = `PC1\nPOST\n${target}\n${ts}\ndesk\nregistrar\n\n\n\n${crypto.createHash('sha256').update(body).digest('hex')}`;
  const sig = crypto.createHmac('sha256', Buffer.from(ca.secret, 'hex')).update(msg).digest('base64url');
  const r = await fetch(ca.url + target, { method: 'POST', body, headers: {
    Authorization: `PC-HMAC-SHA256 client=portal, ts=${ts}, sig=${sig}`, 'Content-Type': 'application/json',
    'X-Pencere-Actor': 'desk', 'X-Pencere-Actor-Role': 'registrar' } });
  assert(r.status === 201, `enrolment: ${r.status} ${await r.text()}`);
}

/* The waiting pages reload every 2 s (Refresh), sooner than axe may
 * finish on a busy machine: axe looks at the same page in a second
 * context with the same cookies (and script, which axe needs) whose copy
 * comes without the header. */
async function axeWithoutReload(ctx, url) {
  const other = await newContext();
  await other.addCookies(await ctx.cookies());
  const page = await other.newPage();
  await page.route((u) => u.pathname === new URL(url).pathname, async (route) => {
    const resp = await route.fetch();
    const headers = { ...resp.headers() };
    delete headers.refresh;
    await route.fulfill({ response: resp, headers });
  });
  await page.goto(url, { waitUntil: 'load' });
  const v = await axeViolations(page);
  const facts = { code: await page.textContent('#verification-code').catch(() => null) };
  await other.close();
  return { v, ...facts };
}

/* What is read off a waiting page is read again when a reload came in
 * between. */
async function betweenReloads(fn) {
  for (let i = 0; ; i++) {
    try {
      return await fn();
    } catch (e) {
      if (i >= 4 || !/context was destroyed|navigation|detached/i.test(e.message)) throw e;
      await sleep(200);
    }
  }
}

/* A CA role with the mobile-signature service, a demo portal that uses
 * it (on catalog when given; base points at it meanwhile) and a phone
 * whose SIM the desk bound to number and the demo citizen: run gets
 * { ca, citizen, phone, number }, phone(...) being `pencere phone`. */
async function withMidPortal(number, catalog, run) {
  const ca = await startCa(tmpDir);
  const savedCatalog = opts.catalog;
  if (catalog) opts.catalog = catalog;
  let portal;
  try {
    portal = await startServer(tmpDir, ['--mid-url', ca.url, '--mid-client-key', ca.keyFile, '--mid-trust', ca.chain]);
  } finally {
    opts.catalog = savedCatalog;
  }
  const saved = base;
  base = portal.base;
  const sim = path.join(ca.dir, 'sim');
  const phone = (...args) => bin('phone', args[0], '--dir', sim, '--url', ca.url, ...args.slice(1));
  try {
    const citizen = JSON.parse(fs.readFileSync(path.join(portal.dataDir, 'demo-accounts.json'), 'utf8'))
      .filter((a) => a.role === 'citizen')[0];
    const text = bin('phone', 'init', '--dir', sim, '--phone', number, '--pin1', PIN1, '--pin2', '12345', '--puk', '87654321');
    await midEnrol(ca, number, citizen.fin, 'Demo', text);
    await run({ ca, citizen, phone, number });
  } finally {
    base = saved;
    await portal.stop();
    await ca.stop();
  }
}

async function mobileLogin() {
  if (opts.only && !new RegExp(opts.only).test('mobile:')) return;
  await withMidPortal('+994501112233', null, async ({ ca, citizen, phone, number }) => {
    await test('mobile: the login pages with the phone pass axe in az, en and ru', async () => {
      for (const lang of LANGS) {
        const ctx = await newContext({ lang });
        const page = await ctx.newPage();
        for (const url of ['/login', '/login/mobile']) {
          await goto(page, url);
          const v = await axeViolations(page);
          assert(v.length === 0, `${url} (${lang}):\n${v.join('\n')}`);
        }
        await submit(page, 'main form[action="/login/mobile"]'); // empty: both fields named
        const v = await axeViolations(page);
        assert(v.length === 0, `errors (${lang}):\n${v.join('\n')}`);
        assert((await errorLinks(page)).length === 2, 'two errors expected');
        await ctx.close();
      }
    });

    await test('mobile: number and FİN, the same code on the page and the phone, Continue', async () => {
      const ctx = await newContext();
      const page = await ctx.newPage();
      await goto(page, '/login/mobile');
      await page.fill('#phone', '+994 50 111 22 33');
      await page.fill('#fin', citizen.fin.toLowerCase());
      await submit(page, 'main form[action="/login/mobile"]');
      assert(new URL(page.url()).pathname === '/login/mobile/wait', `at ${page.url()}`);
      const { v, code } = await axeWithoutReload(ctx, page.url());
      assert(v.length === 0, `waiting page:\n${v.join('\n')}`);
      assert(/^\d{4}$/.test(code.trim()), `code ${code}`);
      const req = phone('requests').trim().split('\t');
      assert(req[2] === code.trim(), `page ${code}, phone ${req[2]}`);
      phone('approve', '--pin', PIN1, req[0]);
      await submit(page, 'main form[action="/login/mobile/wait"]');
      assert(new URL(page.url()).pathname === '/account', `after Continue: ${page.url()}`);
      await ctx.close();
    });

    await test('mobile: QR login without JavaScript, the code read from a screenshot, the page continues by itself', async () => {
      const ctx = await newContext({ javaScriptEnabled: false, lang: 'en' });
      const page = await ctx.newPage();
      await goto(page, '/login');
      await submit(page, 'main form[action="/login/qr"]');
      const { v } = await axeWithoutReload(ctx, page.url());
      assert(v.length === 0, `QR page:\n${v.join('\n')}`);
      const shot = path.join(ca.dir, 'qr.png');
      await betweenReloads(() => page.screenshot({ path: shot })); // the whole page, as a camera sees it
      const decoded = execFileSync('zbarimg', ['--raw', '-q', shot], { encoding: 'utf8' }).trim();
      const typed = (await betweenReloads(() => page.textContent('#qr-code'))).trim().replace(/-/g, '');
      assert(decoded === `PCQR1:${typed}`, `zbarimg read ${decoded}, the page shows ${typed}`);
      const req = phone('scan', decoded).trim().split('\t');
      phone('approve', '--pin', PIN1, req[0]);
      await page.waitForURL(/\/account$/, { timeout: 15000 }); // the Refresh header, no script
      await ctx.close();
    });
  });
}

// ---- signing an application with the mobile signature (src/web/sign_mobile.c) ----
// A portal like mobileLogin's whose catalogue's eesmn-vemtas asks for the
// applicant's signature: the check page's mobile way, the waiting page
// (same code as the phone) and a refusal brought back to the check page,
// in az, en and ru, each through axe.

async function mobileSigning() {
  if (opts.only && !new RegExp(opts.only).test('mobile signing:')) return;
  const service = 'eesmn-vemtas';
  const dir = fs.mkdtempSync(path.join(tmpDir, 'signing-'));
  fs.cpSync(pickCatalog(), path.join(dir, 'catalog'), { recursive: true });
  fs.cpSync(path.resolve(pickCatalog(), '../forms'), path.join(dir, 'forms'), { recursive: true });
  const formPath = path.join(dir, 'forms', `${service}.json`);
  fs.writeFileSync(formPath, JSON.stringify({ ...JSON.parse(fs.readFileSync(formPath, 'utf8')), signature: 'required' }));
  await withMidPortal('+994501114455', path.join(dir, 'catalog'), async ({ citizen, phone, number }) => {
    await test('mobile signing: the check page, the waiting page and a refusal on the phone pass axe in az, en and ru', async () => {
      const ctx = await newContext();
      const page = await ctx.newPage();
      await logInToApply(page, citizen);
      const { draft } = await applyJourney(page, service, { axe: false, until: 'check' });
      const check = `/applications/${draft}/check`;
      for (const lang of LANGS) {
        await ctx.addCookies([{ name: 'lang', value: lang, url: base }]);
        await goto(page, check);
        let v = await axeViolations(page);
        assert(v.length === 0, `check page (${lang}):\n${v.join('\n')}`);
        await page.fill('#mid-phone', number);
        await submit(page, `main form[action="/applications/${draft}/sign/mobile"]`);
        assert(new URL(page.url()).pathname === `/applications/${draft}/sign/mobile`, `at ${page.url()}`);
        const w = await axeWithoutReload(ctx, page.url());
        assert(w.v.length === 0, `waiting page (${lang}):\n${w.v.join('\n')}`);
        const req = phone('requests').trim().split('\t');
        assert(req[1] === 'signature' && req[2] === w.code.trim(), `page ${w.code}, phone ${req}`);
        phone('refuse', req[0]);
        await page.waitForURL((u) => u.searchParams.get('sign') === 'mobile-cancelled', { timeout: 15000 }); // Refresh, no script
        assert(await page.locator('main .error-summary[role=alert]').count() === 1, 'the refusal is not shown');
        v = await axeViolations(page);
        assert(v.length === 0, `refusal (${lang}):\n${v.join('\n')}`);
      }
      await ctx.close();
    });
  });
}

// ---- participation: polls and the online queue ----------------------------

/* A centre open all day with a few people called (through the JSON API, as
 * the desk's app would); a citizen votes, books, moves and cancels through
 * the forms with JavaScript off; every page in every language passes axe;
 * the hall's public display shows the tickets, refreshing itself. */
/* A call of the JSON API (a bearer token or none); its answer, which must be a success. */
async function apiJson(method, url, body, token) {
  const r = await fetch(base + url, {
    method, body: body === undefined ? undefined : JSON.stringify(body),
    headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
  });
  const text = await r.text();
  assert(r.ok, `${method} ${url}: ${r.status} ${text}`);
  return text ? JSON.parse(text) : {};
}

async function participationPages() {
  const api = apiJson;
  const token = async (role) => {
    const a = demoAccounts().filter((x) => x.role === role && (x.agency === null || x.agency === 'din'))[0];
    return (await api('POST', '/api/v1/auth/password', { login: a.login, password: a.password })).token;
  };
  await test('participation: a centre with people called (setup through the API)', async () => {
    const op = await token('operator');
    const off = await token('officer');
    const centre = (await api('GET', '/api/v1/queue/centres')).items[0];
    const service = centre.counters[2].service;
    await api('POST', '/api/v1/queue/centres/hall', {
      agency: 'din', name: { az: 'Zal', en: 'Hall', ru: 'Зал' }, address: { az: '', en: '', ru: '' },
      slot_minutes: 5, utc_offset: 240, counters: [service, service], hours: Array(7).fill([0, 1440]),
    }, op);
    const day = new Date(Date.now() + 4 * 3600e3).toISOString().slice(0, 10);
    const soon = new Date(Date.now() + 120e3).toISOString().slice(0, 19) + 'Z';
    const slots = (await api('GET', `/api/v1/queue/slots?centre=hall&service=${service}&date=${day}`)).items
      .filter((s) => s.free && s.start > soon).slice(0, 3);
    for (let i = 0; i < slots.length; i++) {
      const b = await api('POST', '/api/v1/queue/bookings', { slot: slots[i].id, name: 'Ad', phone: `+99450777000${i}` });
      await api('POST', '/api/v1/queue/centres/hall/check-in', { code: b.code }, off);
      if (i < 2) await api('POST', '/api/v1/queue/centres/hall/call', { counter: 1 + i }, off);
    }
  });
  const demo = () => JSON.parse(fs.readFileSync(path.join(server.dataDir, 'demo-participation.json'), 'utf8'));
  // the citizen's way through the forms, JavaScript off: vote, book, move, cancel; the officer's desk
  await test('participation: vote, book, move and cancel through the pages without JavaScript', async () => {
    const d = demo();
    const ctx = await newContext({ javaScriptEnabled: false });
    try {
      const page = await ctx.newPage();
      // not the second citizen: the two-step login test left a second factor on that account
      await logIn(page, account('representative'));
      await goto(page, `/polls/${d.poll}`);
      await page.check('input[name=option][value="1"]');
      let resp = await navBy(page, () => page.click('form[action$="/vote"] button[type=submit]'));
      assert(resp.status() === 200 && /[0-9a-f]{32}/.test(await page.textContent('.code')), 'no receipt');
      await goto(page, `/polls/${d.poll}`);
      assert(await page.locator('form[action$="/vote"]').count() === 0, 'the vote form is offered again');
      await goto(page, `/queue/centres/${d.centre}?service=${d.service}&date=${d.date}`);
      await page.locator('input[name=slot]').first().check();
      resp = await navBy(page, () => page.click('form[action="/queue/book"] button[type=submit]'));
      assert(resp.status() === 200 && /\/queue\/bookings\/[A-Z2-9]{8}$/.test(new URL(page.url()).pathname), page.url());
      const booking = new URL(page.url()).pathname;
      await navBy(page, () => page.click('a[href*="move="]'));
      await page.locator('input[name=slot]').nth(2).check();
      resp = await navBy(page, () => page.click('form[action$="/move"] button[type=submit]'));
      assert(resp.status() === 200 && new URL(page.url()).pathname === booking, `moved to ${page.url()}`);
      resp = await navBy(page, () => page.click('form[action$="/cancel"] button[type=submit]'));
      assert(resp.status() === 200 && await page.locator('form[action$="/cancel"]').count() === 0, 'not cancelled');
      await goto(page, '/queue/bookings');
      assert(await page.locator(`a[href="${booking}"]`).count() === 1, 'the visit is not in "my visits"');
    } finally { await ctx.close(); }
  });
  await test('participation: book and cancel without logging in (a service without login), no JavaScript', async () => {
    const d = demo();
    const ctx = await newContext({ javaScriptEnabled: false });
    try {
      const page = await ctx.newPage();
      await goto(page, `/queue/centres/${d.centre}?service=${d.service_without_login}&date=${d.date}`);
      await page.locator('input[name=slot]').first().check();
      await page.fill('#name', 'Aysel Quliyeva');
      await page.fill('#phone', '+994551112233');
      let resp = await navBy(page, () => page.click('form[action="/queue/book"] button[type=submit]'));
      assert(resp.status() === 200 && /^\/queue\/bookings\/[A-Z2-9]{8}$/.test(new URL(page.url()).pathname), page.url());
      resp = await navBy(page, () => page.click('form[action$="/cancel"] button[type=submit]'));
      assert(resp.status() === 200 && await page.locator('form[action$="/cancel"]').count() === 0, 'not cancelled');
    } finally { await ctx.close(); }
  });
  // ratings and complaints through the pages: a citizen rates and complains, the operator publishes the
  // comment, an officer of the agency answers the complaint
  let complaint = null;
  await test('participation: rate, comment, complain; moderate; answer, through the pages without JavaScript', async () => {
    const d = demo();
    const ctx = await newContext({ javaScriptEnabled: false });
    try {
      const page = await ctx.newPage();
      await logIn(page, account('citizen'));
      await goto(page, `/services/${d.service}/feedback`);
      await page.check('#rate-4');
      await page.fill('#fb-comment', 'Sürətli və nəzakətli.');
      let resp = await navBy(page, () => page.click('form[action$="/feedback"] button[type=submit]'));
      assert(resp.status() === 200 && new URL(page.url()).search === '?thanks=1', page.url());
      await page.selectOption('#c-kind', 'delay');
      await page.fill('#c-text', 'Cavab gecikir.');
      resp = await navBy(page, () => page.click('form[action="/complaints"] button[type=submit]'));
      complaint = new URL(page.url()).pathname;
      assert(resp.status() === 200 && /^\/complaints\/SK-/.test(complaint), page.url());
    } finally { await ctx.close(); }
    for (const [role, url, form] of [['operator', '/operator/feedback', 'form[action^="/operator/feedback/"]'],
      ['officer', complaint, 'form[action$="/answer"]']]) {
      const c2 = await newContext({ javaScriptEnabled: false });
      try {
        const page = await c2.newPage();
        await logIn(page, account(role));
        await goto(page, url);
        if (role === 'officer') await page.fill('#c-answer', 'Baxılır, 3 gün ərzində.');
        const resp = await navBy(page, () => page.click(`${form} button[type=submit]`));
        assert(resp.status() === 200, `${url}: ${resp.status()}`);
        if (role === 'officer') assert((await page.textContent('main')).includes('3 gün'), 'no answer shown');
      } finally { await c2.close(); }
    }
  }, 90000);
  for (const lang of LANGS) {
    await test(`feedback pages [${lang}]: lang, one h1, axe (a service's ratings, complaints, a complaint, moderation)`, async () => {
      const d = demo();
      for (const [role, url] of [[null, `/services/${d.service}/feedback`], ['citizen', `/services/${d.service}/feedback`],
        [null, `/services/${d.service}`], // the catalogue's page with its ratings and published comments
        ['citizen', '/complaints'], ['citizen', complaint], ['operator', '/operator/feedback']]) {
        const ctx = await newContext({ lang });
        try {
          const page = await ctx.newPage();
          if (role) await logIn(page, account(role));
          await ctx.addCookies([{ name: 'lang', value: lang, url: base }]);
          await goto(page, url);
          const f = await pageFacts(page);
          assert(f.lang === lang && f.h1.length === 1, `${url}: lang ${f.lang}, ${f.h1.length} h1`);
          const v = await axeViolations(page);
          assert(v.length === 0, `${url} (${role || 'anonymous'}) axe:\n  ${v.join('\n  ')}`);
        } finally { await ctx.close(); }
      }
    }, 120000);
  }
  let survey = null;
  const t = (az, en, ru) => ({ az, en, ru });
  // a survey of the demo's service open for an hour: a choice and a number (its id)
  const newSurvey = async (title) => {
    const now = Math.floor(Date.now() / 1000);
    return (await api('POST', '/api/v1/surveys', {
      service: demo().service, title, anonymous: true,
      opens_at: now, closes_at: now + 3600, pages: [{ id: 'p', title: t('Ziyarət', 'Visit', 'Визит'), questions: [
        { id: 'ok', type: 'choice', required: true, example: 'yes', label: t('Razı qaldınız?', 'Satisfied?', 'Довольны?'),
          options: [{ value: 'yes', label: t('Bəli', 'Yes', 'Да') }, { value: 'no', label: t('Xeyr', 'No', 'Нет') }] },
        { id: 'min', type: 'number', example: 5, label: t('Gözləmə (dəq.)', 'Wait (min)', 'Ожидание (мин)') }] }],
    }, await token('operator'))).id;
  };
  await test('participation: a survey answered twice (setup through the API)', async () => {
    survey = await newSurvey(t('Məmnunluq', 'Satisfaction', 'Удовлетворённость'));
    for (let i = 0; i < 2; i++) {
      // two people without a second factor: the first citizen and the representative
      const c = i ? account('representative') : account('citizen');
      const tok = (await api('POST', '/api/v1/auth/password', { login: c.login, password: c.password })).token;
      await api('POST', `/api/v1/surveys/${survey}/responses`, { answers: { ok: i ? 'no' : 'yes', min: 5 + i } }, tok);
    }
  });
  for (const lang of LANGS) {
    await test(`page survey results [${lang}]: SVG chart with a text table, lang, h1, axe`, async () => {
      assert(survey, 'no survey');
      const ctx = await newContext({ lang });
      try {
        const page = await ctx.newPage();
        await logIn(page, account('operator'));
        await ctx.addCookies([{ name: 'lang', value: lang, url: base }]);
        await goto(page, `/surveys/${survey}/results`);
        const f = await pageFacts(page);
        assert(f.lang === lang && f.h1.length === 1, `lang ${f.lang}, ${f.h1.length} h1`);
        assert(await page.locator('svg[role=img] title').count() === 1, 'no chart with a title');
        assert(await page.locator('table tbody tr').count() === 2, 'no table of the counts');
        const v = await axeViolations(page);
        assert(v.length === 0, `axe:\n  ${v.join('\n  ')}`);
      } finally { await ctx.close(); }
    }, 60000);
  }
  // answering a survey (participation2): the form as an application's, and after a post with errors (the
  // page has no script; axe needs the browser's, so JavaScript stays on here: the system test posts without it)
  let unanswered = null; // one the demo's citizens have not answered: its form is shown
  await test('participation: a survey nobody answered (setup through the API)', async () => {
    unanswered = await newSurvey(t('Növbə', 'The queue', 'Очередь'));
  });
  for (const lang of LANGS) {
    await test(`page survey answer [${lang}]: lang, h1, axe; errors with their summary, axe`, async () => {
      assert(unanswered, 'no survey');
      const ctx = await newContext({ lang });
      try {
        const page = await ctx.newPage();
        await logIn(page, account('citizen'));
        await ctx.addCookies([{ name: 'lang', value: lang, url: base }]);
        await goto(page, `/surveys/${unanswered}`);
        let f = await pageFacts(page);
        assert(f.lang === lang && f.h1.length === 1, `lang ${f.lang}, ${f.h1.length} h1`);
        assert(await page.locator('input[name=ok]').count() === 2, 'no choice of the survey');
        let v = await axeViolations(page);
        assert(v.length === 0, `axe:\n  ${v.join('\n  ')}`);
        await page.fill('#min', '99999');
        const resp = await navBy(page, () => page.click('form[action^="/surveys/"] button[type=submit]'));
        assert(resp.status() === 400, `post: ${resp.status()}`);
        assert(await page.locator('.error-summary a[href="#ok-0"]').count() === 1, 'no error summary');
        f = await pageFacts(page);
        assert(f.lang === lang && f.h1.length === 1, `errors: lang ${f.lang}, ${f.h1.length} h1`);
        v = await axeViolations(page);
        assert(v.length === 0, `errors axe:\n  ${v.join('\n  ')}`);
      } finally { await ctx.close(); }
    }, 60000);
  }
  for (const lang of LANGS) {
    await test(`participation pages [${lang}]: lang, one h1, axe (polls, a poll, centres, slots, booking, desk)`, async () => {
      const d = demo();
      for (const [role, url] of [[null, '/polls'], [null, `/polls/${d.poll}`], [null, '/queue'],
        ['citizen', `/queue/centres/${d.centre}?service=${d.service}&date=${d.date}`], ['citizen', `/polls/${d.poll}`],
        ['citizen', '/queue/bookings'], [null, `/queue/centres/${d.centre}?service=${d.service_without_login}&date=${d.date}`],
        ['officer', '/queue/centres/hall/desk']]) {
        const ctx = await newContext({ lang });
        try {
          const page = await ctx.newPage();
          if (role) await logIn(page, account(role));
          await ctx.addCookies([{ name: 'lang', value: lang, url: base }]);
          await goto(page, url);
          const f = await pageFacts(page);
          assert(f.lang === lang, `${url}: <html lang="${f.lang}">`);
          assert(f.h1.length === 1, `${url}: ${f.h1.length} h1`);
          const v = await axeViolations(page);
          assert(v.length === 0, `${url} (${role || 'anonymous'}) axe:\n  ${v.join('\n  ')}`);
        } finally { await ctx.close(); }
      }
    }, 120000); // six pages, three of them after a log-in (Argon2)
    await test(`page queue display [${lang}]: no JavaScript, lang, h1, tickets, Refresh, axe`, async () => {
      const ctx = await newContext({ lang, javaScriptEnabled: false });
      try {
        const page = await ctx.newPage();
        const resp = await goto(page, '/queue/centres/hall/display');
        assert(/^\d+$/.test(resp.headers()['refresh'] || ''), `Refresh header: ${resp.headers()['refresh']}`);
        const f = await pageFacts(page);
        assert(f.lang === lang, `<html lang="${f.lang}">`);
        assert(f.h1.length === 1, `${f.h1.length} h1`);
        const rows = await page.locator('table tbody tr').count();
        assert(rows >= 2, `${rows} rows of called tickets`);
      } finally { await ctx.close(); }
      // axe needs scripts in the page's own context
      const ctx2 = await newContext({ lang });
      try {
        const page = await ctx2.newPage();
        await goto(page, '/queue/centres/hall/display');
        const v = await axeViolations(page);
        assert(v.length === 0, `axe:\n  ${v.join('\n  ')}`);
      } finally { await ctx2.close(); }
    });
  }
}

// ---- evaluation campaigns and the registry kept by the operator (campaigns) ----

/* An evaluator makes a campaign through the forms with JavaScript off
 * (create, pick two services, answer every question group, ask for
 * review; a bad link sends the group back with an error summary), a
 * second evaluator agrees, the report shows in every language and to the
 * agency's officer; the operator keeps the registry of approved
 * e-services.  Every page: one h1, axe WCAG 2.1 AA. */
async function campaignPages() {
  /* axe needs script: each page is looked at again in a context with
   * JavaScript and the same cookies (seer) */
  const seerOf = async (ctx) => {
    const seer = await newContext({ lang: 'en' });
    await seer.addCookies(await ctx.cookies());
    return { seer, page: await seer.newPage() };
  };
  const check = async (page, what, problems) => {
    const f = await pageFacts(page);
    if (f.h1.length !== 1) problems.push(`${what}: ${f.h1.length} h1`);
    for (const v of await axeViolations(page)) problems.push(`${what}: ${v}`);
  };
  const look = async (s, url, what, problems) => {
    await goto(s.page, url);
    await check(s.page, what, problems);
  };
  const LONG = 180000;
  let campaign = null, agencies = [];
  await test('campaigns: create, pick, answer every group (an error shown), ask for review; no JavaScript; axe clean', async () => {
    const ctx = await newContext({ javaScriptEnabled: false, lang: 'en' });
    let s = null;
    try {
      const page = await ctx.newPage();
      const problems = [];
      await logIn(page, account('evaluator', 0));
      s = await seerOf(ctx);
      await look(s, '/campaigns', 'list', problems);
      await s.page.fill('#from', '2026-13');
      let bad = await submit(s.page, 'main form[action="/campaigns"]');
      assert(bad.status() === 400 && await s.page.locator('main .error-summary a[href="#name"]').count() === 1, 'no error summary');
      await check(s.page, 'list with errors', problems);
      await goto(page, '/campaigns');
      await page.fill('#name', 'Browser campaign');
      await page.fill('#from', '2026-01');
      await page.fill('#to', '2026-06');
      let resp = await submit(page, 'main form[action="/campaigns"]');
      assert(resp.status() === 200 && /^\/campaigns\/[0-9a-f]{16}$/.test(new URL(page.url()).pathname), page.url());
      campaign = new URL(page.url()).pathname;
      for (const [i, model] of [[0, '4'], [1, '3']]) {
        await page.selectOption('#service', await page.locator('#service option').nth(i).getAttribute('value'));
        await page.selectOption('#model', model);
        resp = await submit(page, `main form[action="${campaign}/services"]`);
        assert(resp.status() === 200, `adding a service: ${resp.status()}`);
      }
      await look(s, campaign, 'campaign', problems);
      agencies = [...(await page.textContent('main table')).matchAll(/\((\w+); /g)].map((m) => m[1]);
      const groups = await page.locator(`main a[href^="${campaign}/"]`).evaluateAll((as) => as.map((a) => a.getAttribute('href')));
      assert(groups.length === 7 + 6, `question groups: ${groups.join(' ')}`);
      // a bad link: the group comes back with an error summary and what was typed
      await goto(s.page, groups[0]);
      await s.page.locator('input[type=radio][value=yes]').first().check();
      await s.page.fill('main input[type=url] >> nth=0', 'ftp://example.az/evidence');
      resp = await submit(s.page, `main form[action^="${groups[0]}?"]`);
      assert(resp.status() === 400, `a bad link: ${resp.status()}`);
      assert(await s.page.locator('main .error-summary').count() === 1, 'no error summary');
      assert(await s.page.locator('input[type=radio][value=yes]:checked').count() === 1, 'the answer typed was lost');
      await check(s.page, 'question group with an error', problems);
      await look(s, groups[0], 'question group', problems);
      for (const g of groups) {
        await goto(page, g);
        for (const r of await page.locator('input[type=radio][value=yes]').all()) await r.check();
        await page.fill('main textarea >> nth=0', 'Seen on the service\'s page');
        resp = await submit(page, `main form[action^="${g}?"]`);
        assert(resp.status() === 200 && new URL(page.url()).search === '?saved=1', `${g}: ${resp.status()} ${page.url()}`);
      }
      resp = await submit(page, `main form[action="${campaign}/submit"]`);
      assert(resp.status() === 200 && (await page.textContent('main')).includes('Waiting for review'), 'not submitted');
      assert(problems.length === 0, problems.join('\n'));
    } finally {
      if (s) await s.seer.close();
      await ctx.close();
    }
  }, LONG);
  await test('campaigns: a second evaluator agrees; the report in every language and for the agency; axe clean', async () => {
    assert(campaign, 'no campaign from the test before');
    const problems = [];
    const ctx = await newContext({ javaScriptEnabled: false, lang: 'en' });
    let s = null;
    try {
      const page = await ctx.newPage();
      await logIn(page, account('evaluator', 1));
      s = await seerOf(ctx);
      await look(s, campaign, 'review', problems);
      await goto(page, campaign);
      await page.check('#d-agree');
      const resp = await submit(page, `main form[action="${campaign}/review"]`);
      assert(resp.status() === 200 && (await page.textContent('main')).includes('Closed'), 'not closed');
      for (const lang of LANGS) {
        await goto(page, `${campaign}/report?lang=${lang}`);
        assert(await page.locator('main svg[role="img"]').count() >= 4, 'the report has no charts');
        await goto(s.page, `${campaign}/report?lang=${lang}`);
        const f = await pageFacts(s.page);
        if (f.lang !== lang) problems.push(`report: lang ${f.lang}`);
        await check(s.page, `report [${lang}]`, problems);
      }
    } finally {
      if (s) await s.seer.close();
      await ctx.close();
    }
    const officer = demoAccounts().find((x) => x.role === 'officer' && agencies.includes(x.agency));
    if (officer) {
      const octx = await newContext({ lang: 'en' });
      try {
        const page = await octx.newPage();
        await logIn(page, officer);
        await goto(page, `${campaign}/report`);
        assert(await page.locator('main svg').count() === 0, 'an agency sees the charts of all');
        await check(page, 'report for an agency', problems);
      } finally { await octx.close(); }
    }
    assert(problems.length === 0, problems.join('\n'));
  }, LONG);
  await test('campaigns: the operator keeps the registry of approved e-services; no JavaScript; axe clean', async () => {
    const problems = [];
    const ctx = await newContext({ javaScriptEnabled: false, lang: 'en' });
    let s = null;
    try {
      const page = await ctx.newPage();
      await logIn(page, account('operator'));
      s = await seerOf(ctx);
      await look(s, '/operator/approved', 'registry (empty)', problems);
      await goto(page, '/operator/approved');
      await page.fill('#number', '999');
      await page.fill('#date', '2026-02-01');
      let resp = await submit(page, 'main form[action="/operator/approved/decisions"]');
      assert(resp.status() === 200, `decision: ${resp.status()}`);
      await page.selectOption('#decision', { index: 1 });
      await page.fill('#name', 'Browser service');
      resp = await submit(page, 'main form[action="/operator/approved/entries"]');
      assert(resp.status() === 200, `entry: ${resp.status()}`);
      await page.fill('main form[action^="/operator/approved/entries/"] input[name=on_portal]', '2026-03-01');
      resp = await submit(page, 'main form[action^="/operator/approved/entries/"]');
      assert(resp.status() === 200, `mark: ${resp.status()}`);
      await look(s, '/operator/approved', 'registry', problems);
      await goto(page, '/evaluations/approved');
      assert((await page.textContent('main')).includes('As of 2026-03-01'), 'the kept rows make no table');
      await look(s, '/evaluations/approved', 'approved e-services', problems);
    } finally {
      if (s) await s.seer.close();
      await ctx.close();
    }
    assert(problems.length === 0, problems.join('\n'));
  }, LONG);
}

// ---- main ------------------------------------------------------------------

/* ---- the register of information systems (src/isreg, web/isreg_pages.c) ---- */

/* Public pages in every language, the operator's review with an error,
 * an officer's card form with an error: one h1, axe clean, no horizontal
 * scrolling at 360 px; screenshots when asked. */
async function isregPages() {
  const pages = [['isreg-list', '/information-systems'], ['isreg-search', '/information-systems?q=emlak'],
    ['isreg-stats', '/information-systems/stats'], ['isreg-system', '/information-systems/iamas']];
  for (const lang of LANGS) {
    await test(`register pages [${lang}]: one h1, lang, axe WCAG 2.1 AA, 360 px without sideways scrolling`, async () => {
      const problems = [];
      for (const [width, height] of [[1280, 900], [360, 640]]) {
        const ctx = await newContext({ lang, viewport: { width, height } });
        const page = await ctx.newPage();
        for (const [kind, url] of pages) {
          await goto(page, url, 200);
          const f = await pageFacts(page);
          if (f.lang !== lang) problems.push(`${kind}: lang ${f.lang}`);
          if (f.h1.length !== 1) problems.push(`${kind}: ${f.h1.length} h1`);
          const wide = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
          if (wide > 1) problems.push(`${kind} at ${width} px scrolls sideways by ${wide} px`);
          if (width === 1280) for (const v of await axeViolations(page)) problems.push(`${kind}: ${v}`);
          if (opts.screenshots && lang !== 'en') {
            fs.mkdirSync(opts.screenshots, { recursive: true });
            await page.screenshot({ path: path.join(opts.screenshots, `${width === 360 ? 'mobile' : 'desktop'}-${kind}-${lang}.png`), fullPage: true });
          }
        }
        await ctx.close();
      }
      assert(problems.length === 0, problems.join('\n'));
    });
  }
  await test('register: the operator returns a card without remarks → the field is marked (axe clean); with remarks → returned', async () => {
    const ctx = await newContext({ lang: 'az' });
    const page = await ctx.newPage();
    await logIn(page, account('operator'));
    // the demo's VEMTAS card waits for the operator
    await goto(page, '/information-systems/vemtas');
    let resp = await navBy(page, () => page.click('main form[action="/information-systems/vemtas/act"] button[value="return"]'));
    assert(resp.status() === 400, `status ${resp.status()}`);
    assert(await page.$('#remarks[aria-invalid="true"]'), 'the remarks field is not marked');
    const v = await axeViolations(page);
    assert(v.length === 0, v.join('\n'));
    await page.fill('#remarks', 'Hüquqi əsasın maddəsini göstərin');
    resp = await navBy(page, () => page.click('main form[action="/information-systems/vemtas/act"] button[value="return"]'));
    assert(resp.status() === 200 && new URL(page.url()).search === '?done=1', `ended on ${page.url()}`);
    assert((await page.textContent('main')).includes('Hüquqi əsasın maddəsini göstərin'), 'the remarks are not in the decisions');
    await ctx.close();
  });
  await test('register: an officer\'s card form: a bad date → error summary linking to the field, what was typed kept; axe clean', async () => {
    const ctx = await newContext({ lang: 'en' });
    const page = await ctx.newPage();
    await logIn(page, account('officer'));
    await goto(page, '/information-systems/new');
    await page.fill('#id', 'browser-test-system');
    await page.fill('#name_az', 'Brauzer sınağı');
    await page.fill('#started_on', '2015-02-30');
    const resp = await navBy(page, () => page.click('main form[action="/information-systems/new"] button[type=submit]'));
    assert(resp.status() === 400, `status ${resp.status()}`);
    assert(await page.inputValue('#name_az') === 'Brauzer sınağı', 'the name was not kept');
    const link = await page.$('.error-summary a');
    assert(link, 'no error summary link');
    await link.click();
    const focused = await page.evaluate(() => document.activeElement && document.activeElement.id);
    assert(focused, 'the summary link moved focus nowhere');
    const v = await axeViolations(page);
    assert(v.length === 0, v.join('\n'));
    await ctx.close();
  });
}

// ---- the certification centre in the portal (pki-portal) -----------------
// The demo runs its own CA; the portal is its RA client.  Pages: a
// citizen's certificates (and the form sent back with errors), the
// registration desk's issuance page, a sealed decision (after the officer
// journeys approved), and the public /verify page with its report — axe on
// each in az, en and ru; the verification also without JavaScript.

/* The sealed decision of the demo citizen's first approved application:
 * {ref, doc, sig} (bytes fetched with the citizen's session). */
async function sealedDecision() {
  const ctx = await newContext();
  try {
    const page = await ctx.newPage();
    await logIn(page, account('citizen'));
    await goto(page, '/applications');
    const refs = await page.locator('main table a[href^="/applications/"]').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
    for (const href of refs) {
      const r = await ctx.request.get(`${base}${href}/result/signature`);
      if (r.status() !== 200) continue;
      const doc = await ctx.request.get(`${base}${href}/result/document`);
      return { href, doc: await doc.body(), sig: await r.body() };
    }
    throw new Error(`no sealed decision among ${refs.length} applications`);
  } finally {
    await ctx.close();
  }
}

async function verifyUpload(page, files) {
  await goto(page, '/verify');
  await page.setInputFiles('#document', { name: 'decision.txt', mimeType: 'text/plain', buffer: files.doc });
  await page.setInputFiles('#signature', { name: 'decision.txt.p7s', mimeType: 'application/pkcs7-signature', buffer: files.sig });
  return submit(page, 'main form[action^="/verify"]');
}

async function certPages() {
  let sealed = null;
  await test('certification centre: an approved application carries a sealed decision (document and .p7s)', async () => {
    sealed = await sealedDecision();
    assert(sealed.sig.length > 500 && sealed.doc.includes('Qərar / Decision'), 'not a sealed decision');
  });
  const pages = [
    { kind: 'certificates', role: 'citizen', url: '/account/certificates' },
    {
      kind: 'certificates-error', role: 'citizen', status: 400,
      load: async (page) => {
        await goto(page, '/account/certificates');
        await page.fill('#csr', 'not a request');
        return submit(page, 'main form[action="/account/certificates/csr"]');
      },
      check: async (page) => assert(await page.locator('#csr-error').count() === 1, 'no error at the CSR field'),
    },
    { kind: 'desk-certificates', role: 'registrar', url: () => `/registrar/persons/${demoPersons()[0].fin}/certificates` },
    {
      kind: 'desk-certificates-error', role: 'registrar', status: 400,
      load: async (page) => {
        const url = `/registrar/persons/${demoPersons()[0].fin}/certificates`;
        await goto(page, url);
        await page.fill('#password', 'correct horse 1');
        await page.fill('#confirm', 'correct horse 1');
        return submit(page, `main form[action="${url}/p12"]`);     // the ID-card box not ticked
      },
      check: async (page) => {
        assert(await page.locator('#id_checked-p12-error').count() === 1, 'no error at the ID-card box');
        await page.click('.error-summary a[href="#id_checked-p12"]');
        assert(await page.evaluate(() => document.activeElement && document.activeElement.id) === 'id_checked-p12',
          'the summary link does not move focus to the box');
      },
    },
    {
      kind: 'verify-error', role: null, status: 400,
      load: async (page) => {
        await goto(page, '/verify');
        return submit(page, 'main form[action^="/verify"]');         // no files chosen
      },
      check: async (page) => assert(await page.locator('#document-error').count() === 1, 'no error at the document field'),
    },
    { kind: 'decision-sealed', role: 'citizen', url: () => `${sealed.href}/result`,
      check: async (page) => assert(await page.locator('main a[href$="/result/signature"]').count() === 1, 'no signature link') },
    { kind: 'verify', role: null, url: '/verify' },
    {
      kind: 'verify-report', role: null,
      load: (page) => verifyUpload(page, sealed),
      check: async (page) => assert(await page.locator('main section .notice[role=status]').count() === 1, 'no "valid" verdict'),
    },
  ];
  for (const lang of LANGS) {
    for (const pg of pages) {
      await test(`page ${pg.kind} [${lang}]: status, one h1, axe WCAG 2.1 AA${pg.role ? ` (as ${pg.role})` : ''}`, async () => {
        assert(sealed, 'no sealed decision to work with');
        const ctx = await newContext();
        try {
          await ctx.addCookies([{ name: 'lang', value: lang, url: base }]);
          const page = await ctx.newPage();
          const problems = watchConsole(page);
          if (pg.role) await logIn(page, account(pg.role));
          problems.length = 0;
          if (pg.load) {
            const resp = await pg.load(page);
            assert(resp.status() === (pg.status || 200), `status ${resp.status()}`);
          } else {
            await goto(page, typeof pg.url === 'function' ? pg.url() : pg.url, pg.status || 200);
          }
          const f = await pageFacts(page);
          assert(f.lang === lang && f.h1.length === 1 && f.title.trim(), `lang ${f.lang}, h1 ${JSON.stringify(f.h1)}`);
          if (pg.check) await pg.check(page);
          const v = await axeViolations(page);
          assert(v.length === 0, `${v.length} violation(s) on ${page.url()}:\n${v.join('\n')}`);
          if (!pg.status) assert(problems.length === 0, `console errors: ${problems.join(' | ')}`);
        } finally {
          await ctx.close();
        }
      });
    }
  }
  await test('no JavaScript: /verify uploads a document and its signature and shows the report', async () => {
    assert(sealed, 'no sealed decision to work with');
    const ctx = await newContext({ javaScriptEnabled: false });
    try {
      const page = await ctx.newPage();
      const resp = await verifyUpload(page, sealed);
      assert(resp.status() === 200, `status ${resp.status()}`);
      assert(await page.locator('main section .notice[role=status]').count() === 1, 'no "valid" verdict');
    } finally {
      await ctx.close();
    }
  });
}

// ---- logins: certificate login, step-up, "this login" (issue 10) --------

/* A service of the demo catalogue that asks for an e-signature. */
const E_SIGNATURE_SERVICE = 'rytn-licence-application';

async function loginsPages() {
  const pages = [
    // the demo has no certification centre: the page explains and says so
    { kind: 'certificate login', url: '/login/certificate', check: async (page) =>
      assert(await page.locator('main a[href="/login"]').count() === 1, 'no way back to the code-password login') },
    { kind: 'step-up', role: 'citizen', url: `/login/step-up?service=${E_SIGNATURE_SERVICE}`, check: async (page) =>
      assert(await page.locator(`main a[href="/services/${E_SIGNATURE_SERVICE}"]`).count() === 1, 'no link back to the service') },
    { kind: 'account, this login', role: 'citizen', url: '/account', check: async (page) =>
      assert(await page.locator('main dl.login-facts time').count() === 1, 'no "this login" with its time') },
  ];
  for (const lang of LANGS) {
    for (const pg of pages) {
      await test(`logins: ${pg.kind} [${lang}]: one h1, lang, axe WCAG 2.1 AA${pg.role ? ` (as ${pg.role})` : ''}`, async () => {
        const ctx = await newContext({ lang });
        try {
          const page = await ctx.newPage();
          const problems = watchConsole(page);
          if (pg.role) await logIn(page, account(pg.role));
          await goto(page, pg.url);
          const f = await pageFacts(page);
          assert(f.lang === lang && f.h1.length === 1, `lang ${f.lang}, h1 ${JSON.stringify(f.h1)}`);
          await pg.check(page);
          const v = await axeViolations(page);
          assert(v.length === 0, `${v.length} violation(s) on ${page.url()}:\n${v.join('\n')}`);
          assert(problems.length === 0, `console errors: ${problems.join(' | ')}`);
        } finally {
          await ctx.close();
        }
      });
    }
  }
  await test('logins: starting an e-signature service with a code-password session leads to the step-up page (the form post answers 303)', async () => {
    const ctx = await newContext({ lang: 'en' });
    try {
      const page = await ctx.newPage();
      await logIn(page, account('citizen'));
      const resp = await page.request.post(`${base}/services/${E_SIGNATURE_SERVICE}/apply`, {
        form: { csrf: await page.locator('input[name=csrf]').first().getAttribute('value') }, maxRedirects: 0 });
      assert(resp.status() === 303, `status ${resp.status()}`);
      assert(resp.headers().location === `/login/step-up?service=${E_SIGNATURE_SERVICE}`, `to ${resp.headers().location}`);
    } finally {
      await ctx.close();
    }
  });
}


// ---- nologin: applying without logging in, following the case with its code ----

const GUEST_SERVICE = 'msk-online-appeal';
const GUEST_CODE_RE = /^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/;

async function guestPages() {
  // axe-core needs JavaScript: the run without it walks the same way unchecked
  for (const [lang, js] of [['az', true], ['en', true], ['ru', true], ['az', false]]) {
    await test(`nologin [${lang}${js ? '' : ', no JavaScript'}]: ${GUEST_SERVICE} applied to without logging in (contact error, then the reference and the access code shown once), followed with them (wrong code, then the case)${js ? '; axe on every page' : ''}`, async () => {
      const ctx = await newContext({ lang, javaScriptEnabled: js });
      try {
        const page = await ctx.newPage();
        const problems = watchConsole(page);
        const r = await applyJourney(page, GUEST_SERVICE, { lang, guest: true, axe: js });
        const violations = r.violations;
        const check = async (kind) => {
          const f = await pageFacts(page);
          assert(f.lang === lang && f.h1.length === 1, `${kind}: lang ${f.lang}, ${f.h1.length} h1`);
          if (js) for (const v of await axeViolations(page)) violations.push(`${kind} (${f.path}): ${v}`);
        };
        // a contact that is neither an address nor a number: the summary links to the field
        await page.fill('main form [name="contact"]', 'nowhere');
        let resp = await submit(page, 'main form[action$="/submit"]');
        assert(resp.status() === 400, `a bad contact: status ${resp.status()}`);
        const links = await errorLinks(page);
        assert(links.length === 1 && links[0].href === '#contact', `error links ${JSON.stringify(links)}`);
        await check('contact-error');
        await page.fill('main form [name="contact"]', 'anar@example.az');
        resp = await submit(page, 'main form[action$="/submit"]');
        assert(resp.status() === 200, `sending: status ${resp.status()}`);
        const codes = (await page.locator('main strong.code').allTextContents()).map((t) => t.trim());
        assert(codes.length === 2 && REF_RE.test(codes[0]) && GUEST_CODE_RE.test(codes[1]), `shown: ${JSON.stringify(codes)}`);
        const [ref, code] = codes;
        await check('sent');
        // follow it: a wrong code first, then the right one
        await navBy(page, () => page.click('main a[href="/follow"]'));
        await check('follow');
        await page.fill('#reference', ref);
        await page.fill('#code', 'AAAA-BBBB-CCCC-DDDD');
        resp = await submit(page, 'main form[action="/follow"]');
        assert(resp.status() === 400, `a wrong code: status ${resp.status()}`);
        await check('follow-wrong');
        await page.fill('#code', code);
        resp = await submit(page, 'main form[action="/follow"]');
        assert(resp.status() === 200 && new URL(page.url()).pathname === `/applications/${ref}`, `followed to ${page.url()} (${resp.status()})`);
        await check('followed');
        assert(problems.length === 0, `console errors: ${problems.join(' | ')}`);
        assert(violations.length === 0, `${violations.length} axe violation(s):\n${violations.join('\n')}`);
      } finally {
        await ctx.close();
      }
    }, APPLY_TIMEOUT_MS);
  }
}


// ---- monitor: the published evaluation campaigns and the usage statistics ---

async function evaluationPages() {
  for (const lang of LANGS) {
    for (const url of ['/evaluations', '/evaluations/2014', '/evaluations/2014?agency=din', '/evaluations/live',
      '/evaluations/approved',
      '/services/eesmn-labour-contract-registration',
      '/statistics', '/statistics?from=2001-01&to=2001-02']) {
      await test(`evaluation ${url} [${lang}]: one h1, charts named and described, axe WCAG 2.1 AA`, async () => {
        const ctx = await newContext({ lang });
        const page = await ctx.newPage();
        await goto(page, url);
        const f = await pageFacts(page);
        assert(f.lang === lang && f.h1.length === 1, `lang ${f.lang}, ${f.h1.length} h1`);
        const charts = await page.$$eval('svg.chart', (svgs) => svgs.map((s) => {
          const ids = (s.getAttribute('aria-labelledby') || '').split(' ');
          return ids.map((id) => (document.getElementById(id)?.textContent || '').trim());
        }));
        if (url.startsWith('/evaluations/2014')) {
          assert(charts.length === 6, `${charts.length} charts, expected 6 (the report's diagrams 1-6)`);
          for (const [title, desc] of charts) assert(title && desc, `a chart without title or description`);
        }
        const v = await axeViolations(page);
        assert(v.length === 0, `${v.length} violation(s) on ${url}:\n${v.join('\n')}`);
        await ctx.close();
      });
    }
  }
  for (const url of ['/evaluations/2014', '/statistics']) {
    await test(`evaluation ${url} on a phone: no sideways scroll of the page`, async () => {
      const ctx = await newContext({ lang: 'az', ...MOBILE });
      const page = await ctx.newPage();
      await goto(page, '/services/din-id-card-replacement'); // some usage to show
      await goto(page, url);
      const o = await horizontalOverflow(page, 360);
      assert(o.sw <= 360, `page is ${o.sw}px wide: ${o.over.join(', ')}`);
      await ctx.close();
    });
  }
}

// ---- payments of fees (src/pay, the demo's emulator): the driving-licence fee -----

/* From the portal's "go to the bank" page (axe-checked) pay on the
 * emulator's card page (another origin: not the portal's page, so axe does
 * not run there); returns once back on the portal. */
const violationsOf = [];
async function payByCard(page, card, code) {
  assert(/^\/payments\/PAY-[0-9a-f]+\/go$/.test(new URL(page.url()).pathname), `not on the way to the bank: ${page.url()}`);
  violationsOf.push(...(await axeViolations(page)).map((v) => `to the bank: ${v}`));
  await navBy(page, () => page.click('main a.button-start'));
  await page.fill('#card', card);
  await navBy(page, () => page.click('main form button[type=submit]:not([name])'));
  if (code !== undefined) {
    await page.fill('#code', code);
    await navBy(page, () => page.click('main form button[type=submit]'));
  }
  await navBy(page, () => page.click('main a'));  // the bank's "return to the service"
  assert(/^\/payments\/PAY-[0-9a-f]+\/return$/.test(new URL(page.url()).pathname), `back from the bank on ${page.url()}`);
}

async function paymentPages() {
  const service = 'din-driving-licence';
  await test('payments: the fee on the start page; declined, then 3-D Secure paid from the application; return page and receipt; axe clean [az, en]', async () => {
    const ref = await refFor(service);
    const violations = [];
    const axeOn = async (page, kind) => { for (const v of await axeViolations(page)) violations.push(`${kind} (${new URL(page.url()).pathname}): ${v}`); };
    const ctx = await newContext({ lang: 'en' });
    try {
      const page = await ctx.newPage();
      await logIn(page, account('citizen'));
      await goto(page, `/services/${service}/start`);
      assert((await page.textContent('main')).includes('20.00 manat'), 'the start page does not show the fee');
      await goto(page, `/applications/${ref}`);
      await axeOn(page, 'application with its fee');
      const pay = `main form[action="/applications/${ref}/pay"]`;
      assert(await page.$(pay), 'no "pay" button on the application');
      await submit(page, pay);
      await payByCard(page, '4000000000000002');
      assert((await page.textContent('main')).includes('did not go through'), 'the decline is not said');
      await axeOn(page, 'return: declined');
      await navBy(page, () => page.click('main a.button'));
      await submit(page, pay);
      await payByCard(page, '4000000000003220', '123456');
      assert((await page.textContent('main')).includes('the payment was received'), 'the success is not said');
      await axeOn(page, 'return: paid');
      await navBy(page, () => page.click('main a.button'));
      assert(/\/receipt$/.test(new URL(page.url()).pathname), `the receipt link went to ${page.url()}`);
      await axeOn(page, 'receipt');
      const pdf = await page.getAttribute('main a[href$="receipt.pdf"]', 'href');
      const r = await page.request.get(base + pdf);
      assert(r.status() === 200 && r.headers()['content-type'] === 'application/pdf', `the PDF: ${r.status()}`);
      await goto(page, `/applications/${ref}?lang=az`);
      assert(!(await page.$(pay)), 'a paid fee still offers "pay"');
      await axeOn(page, 'application paid [az]');
      violations.push(...violationsOf.splice(0));
      assert(violations.length === 0, violations.join('\n'));
    } finally {
      await ctx.close();
    }
  }, APPLY_TIMEOUT_MS);
  await test('payments: the officer refunds part (too much → error summary), the operator reconciles and sees the planted mismatch; axe clean [az, en, ru]', async () => {
    const ref = await refFor(service);
    const violations = [];
    const axeOn = async (page, kind) => { for (const v of await axeViolations(page)) violations.push(`${kind} (${new URL(page.url()).pathname}): ${v}`); };
    const octx = await newContext({ lang: 'az' });
    const pctx = await newContext({ lang: 'ru' });
    try {
      const op = await octx.newPage();
      await logIn(op, officerOf(await agencyOf(service)));
      await goto(op, `/office/cases/${ref}`);
      const links = await op.$$eval('main a[href^="/office/payments/"]', (as) => as.map((a) => a.getAttribute('href')));
      assert(links.length >= 1, 'no payment on the case');
      // the paid one (the others were declined)
      let paid = null;
      for (const href of links) {
        await goto(op, href);
        if (await op.$('main form[action$="/refund"]')) { paid = href; break; }
      }
      assert(paid, 'no refundable payment');
      await axeOn(op, 'payment');
      await op.fill('#amount', '999');
      await op.fill('#reason', 'Sınaq');
      let resp = await navBy(op, () => op.click('main form[action$="/refund"] button[type=submit]'));
      assert(resp.status() === 400, `too much: status ${resp.status()}`);
      assert(await op.getAttribute('#amount', 'aria-invalid') === 'true', 'the amount is not marked');
      await axeOn(op, 'refund: too much');
      await op.fill('#amount', '5');
      resp = await navBy(op, () => op.click('main form[action$="/refund"] button[type=submit]'));
      assert(resp.status() === 200 && new URL(op.url()).searchParams.get('refunded') === '500', `refund ended on ${op.url()}`);
      await axeOn(op, 'refunded');
      const p = await pctx.newPage();
      await logIn(p, account('operator'));
      await goto(p, '/operator/payments');
      await axeOn(p, 'reconciliation [ru]');
      resp = await navBy(p, () => p.click('main form[action="/operator/payments"] button[type=submit]'));
      assert(resp.status() === 200 && await p.$('main td[data-kind="amount"]'), 'the planted mismatch is not reported');
      await axeOn(p, 'reconciliation run [ru]');
      await p.fill('#day', 'yesterday');
      resp = await navBy(p, () => p.click('main form[action="/operator/payments"] button[type=submit]'));
      assert(resp.status() === 400 && await p.getAttribute('#day', 'aria-invalid') === 'true', 'a bad day is not marked');
      await axeOn(p, 'reconciliation: a bad day [ru]');
      await goto(p, '/operator/payments?lang=en');
      await axeOn(p, 'reconciliation [en]');
      assert(violations.length === 0, violations.join('\n'));
    } finally {
      await octx.close();
      await pctx.close();
    }
  }, APPLY_TIMEOUT_MS);
}

// ---- fines paid without login (branch fines): /fines through the demo's exchange -----
// The demo's fines register comes up with its exchange (after the portal):
// the block waits for it.  Protocol PR12345671 (the generator's first) is
// unpaid.  Everything without login; the look-up also without JavaScript.
async function finePages() {
  await test('fines: look up without login (bad number → error summary), choose, pay by card, the register told, sealed receipt; axe clean [az, en, ru]; no JavaScript needed', async () => {
    const violations = [];
    const axeOn = async (page, kind) => { for (const v of await axeViolations(page)) violations.push(`${kind} (${new URL(page.url()).pathname}): ${v}`); };
    const deadline = Date.now() + 90000;
    for (;;) {
      const r = await fetch(`${base}/api/v1/fines?protocol=PR12345671`).catch(() => null);
      if (r && r.status === 200) break;
      assert(Date.now() < deadline, `the demo's fines register did not come up (${r ? r.status : 'no answer'})`);
      await new Promise((res) => setTimeout(res, 500));
    }
    let step = 'start';
    const nojs = await newContext({ lang: 'ru', javaScriptEnabled: false });
    const ctx = await newContext({ lang: 'en' });
    try {
      // without JavaScript: the form is a plain GET
      const q = await nojs.newPage();
      await goto(q, '/fines');
      await q.check('#by-protocol');
      await q.fill('#q', 'pr12345671');
      await navBy(q, () => q.click('main form[action="/fines"] button[type=submit]'));
      assert(await q.$('main input[name="protocol"][value="PR12345671"]'), 'no JavaScript: the protocol is not found');
      const page = await ctx.newPage();
      for (const lang of ['az', 'ru', 'en']) {
        await goto(page, `/fines?lang=${lang}`);
        await axeOn(page, `look-up [${lang}]`);
      }
      await page.check('#by-fin');
      await page.fill('#q', 'not-a-fin');
      let resp = await navBy(page, () => page.click('main form[action="/fines"] button[type=submit]'));
      assert(resp.status() === 400 && await page.getAttribute('#q', 'aria-invalid') === 'true', 'a bad number is not marked');
      assert(await page.$('.error-summary a[href="#q"]'), 'no error summary');
      await axeOn(page, 'look-up: a bad number');
      await page.check('#by-fin');
      await page.fill('#q', 'ZZZZZZZ');
      await navBy(page, () => page.click('main form[action="/fines"] button[type=submit]'));
      assert((await page.textContent('main')).includes('No unpaid fines'), 'none is not said');
      await page.check('#by-protocol');
      await page.fill('#q', 'PR12345671');
      await navBy(page, () => page.click('main form[action="/fines"] button[type=submit]'));
      await axeOn(page, 'look-up: found');
      assert(await page.isChecked('main input[name="protocol"][value="PR12345671"]'), 'the protocol is not chosen');
      await navBy(page, () => page.click('main form[action="/fines/pay"] button[type=submit]'));
      await axeOn(page, 'to the bank');
      step = 'to the bank';
      await navBy(page, () => page.click('main a.button-start'));
      await page.fill('#card', '4242424242424242');                   // the bank's card page (another origin)
      await navBy(page, () => page.click('main form button[type=submit]:not([name])'));
      await navBy(page, () => page.click('main a'));                  // the bank's "return to the service"
      assert(/^\/fines\/paid\/PAY-[0-9a-f]+$/.test(new URL(page.url()).pathname), `back from the bank on ${page.url()}`);
      assert((await page.textContent('main')).includes('register knows it'), 'the register is not said to know');
      await axeOn(page, 'paid');
      const pdf = await page.getAttribute('main a[href$="receipt.pdf"]', 'href');
      let r = await page.request.get(base + pdf);
      assert(r.status() === 200 && r.headers()['content-type'] === 'application/pdf', `the PDF: ${r.status()}`);
      r = await page.request.get(base + pdf + '.p7s');
      assert(r.status() === 200 && r.headers()['content-type'] === 'application/pkcs7-signature', `the seal: ${r.status()}`);
      await goto(page, `${new URL(page.url()).pathname}?lang=az`);
      await axeOn(page, 'paid [az]');
      await goto(page, '/fines?by=protocol&q=PR12345671');
      assert(!(await page.$('main input[name="protocol"]')), 'a paid fine is still offered');
      assert(violations.length === 0, violations.join('\n'));
    } catch (e) {
      throw new Error(`${step}: ${e.message}`);
    } finally {
      await nojs.close();
      await ctx.close();
    }
  }, 150000);
}

// ---- logins2: the free single-purpose certificate (issue 10 item 4) -------
// A citizen's account (the representative's: the second citizen has a
// second factor by now) asks for it on its certificates page (the button,
// then the page that says it waits), the registrar sees the request on the
// person's desk page (listed, and a choice of the forms), and the step-up
// page of the social-assistance service links to it — axe on each in az,
// en and ru.

const SINGLE_SERVICE = 'eesmn-vemtas';

async function singlePurposePages() {
  await test('single-purpose: a code-password citizen asks for the certificate; it waits for the desk', async () => {
    const ctx = await newContext({ lang: 'en' });
    try {
      const page = await ctx.newPage();
      // the representative: a citizen's account without the second factor the two-step test left on the second citizen
      await logIn(page, account('representative'));
      await goto(page, '/account/certificates');
      const resp = await submit(page, 'main form[action="/account/certificates/single"]');
      assert(resp.status() === 200 && new URL(page.url()).search === '?asked=1', `ended on ${page.url()}`);
      assert(await page.locator('main form[action="/account/certificates/single"]').count() === 0, 'still offered');
    } finally {
      await ctx.close();
    }
  });
  const desk = () => `/registrar/persons/${account('representative').fin || account('representative').login}/certificates`;
  const pages = [
    { kind: 'certificates, waiting', role: ['representative', 0], url: () => '/account/certificates?asked=1',
      check: async (page) => assert(await page.locator('main #single ~ .notice[role=status]').count() === 1, 'no notice') },
    { kind: 'desk, a waiting request', role: ['registrar', 0], url: desk,
      check: async (page) => assert(await page.locator('main option[value^="single:"]').count() === 2,
        'the request is not a choice of both forms') },
    { kind: 'step-up, the free certificate', role: ['representative', 0], url: () => `/login/step-up?service=${SINGLE_SERVICE}`,
      check: async (page) => assert(await page.locator('main a[href="/account/certificates#single"]').count() === 1,
        'no link to the free certificate') },
  ];
  for (const lang of LANGS) {
    for (const pg of pages) {
      await test(`single-purpose: ${pg.kind} [${lang}]: one h1, lang, axe WCAG 2.1 AA (as ${pg.role[0]})`, async () => {
        const ctx = await newContext({ lang });
        try {
          const page = await ctx.newPage();
          const problems = watchConsole(page);
          await logIn(page, account(...pg.role));
          await goto(page, pg.url());
          const f = await pageFacts(page);
          assert(f.lang === lang && f.h1.length === 1, `lang ${f.lang}, h1 ${JSON.stringify(f.h1)}`);
          await pg.check(page);
          const v = await axeViolations(page);
          assert(v.length === 0, `${v.length} violation(s) on ${page.url()}:\n${v.join('\n')}`);
          assert(problems.length === 0, `console errors: ${problems.join(' | ')}`);
        } finally {
          await ctx.close();
        }
      });
    }
  }
}

// ---- inspect: field visits (issue 17 item 4) ----------------------------
// A social-assistance application sent by a citizen; the eesmn officer gives
// its visit to the agency's inspector on the case page; the inspector's list
// and visit pages in az, en and ru (axe); then the phone loses its
// connection: the visit page comes back from the service worker, the record
// made offline is kept on the phone (IndexedDB), and once the phone is
// online it is sent by itself and the officer sees it on the case.

async function inspectPages() {
  let ref = null, visit = null;
  await test('inspect: the officer gives a visit to the inspector; the case page and the list pass axe', async () => {
    const cctx = await newContext({ lang: 'az' });
    const octx = await newContext({ lang: 'az' });
    try {
      const cp = await cctx.newPage();
      await logInToApply(cp, account('citizen'));
      ref = (await applyJourney(cp, 'eesmn-vemtas', { axe: false })).ref;
      const op = await octx.newPage();
      const problems = watchConsole(op);
      await logIn(op, officerOf('eesmn'));
      await goto(op, `/office/cases/${ref}`);
      const form = `main form[action="/office/cases/${ref}/inspection"]`;
      assert(await op.locator(`${form} option[value="${account('inspector', 0).login}"]`).count() === 1,
        'the inspector is not offered');
      await op.selectOption(`${form} select`, account('inspector', 0).login);
      const resp = await submit(op, form);
      assert(resp.status() === 200 && await op.locator('#inspection ~ .notice[role=status]').count() === 1,
        `giving the visit ended on ${op.url()}`);
      const v = await axeViolations(op);
      assert(v.length === 0, `${v.length} violation(s):\n${v.join('\n')}`);
      assert(problems.length === 0, `console errors: ${problems.join(' | ')}`);
    } finally {
      await cctx.close();
      await octx.close();
    }
  }, APPLY_TIMEOUT_MS);
  for (const lang of LANGS) {
    await test(`inspect: the visits and a visit [${lang}]: one h1, lang, axe WCAG 2.1 AA`, async () => {
      assert(ref, 'no visit was given');
      const ctx = await newContext({ lang });
      try {
        const page = await ctx.newPage();
        const problems = watchConsole(page);
        await logIn(page, account('inspector', 0));
        await goto(page, '/inspect/visits');
        const link = page.locator(`main a[href^="/inspect/visits/"]`, { hasText: ref });
        assert(await link.count() === 1, `${ref} is not in the list`);
        visit = (await link.getAttribute('href')).split('/').pop();
        for (const url of ['/inspect/visits', `/inspect/visits/${visit}`]) {
          await goto(page, url);
          const f = await pageFacts(page);
          assert(f.lang === lang && f.h1.length === 1, `${url}: lang ${f.lang}, h1 ${JSON.stringify(f.h1)}`);
          const v = await axeViolations(page);
          assert(v.length === 0, `${v.length} violation(s) on ${url}:\n${v.join('\n')}`);
        }
        assert(problems.length === 0, `console errors: ${problems.join(' | ')}`);
      } finally {
        await ctx.close();
      }
    });
  }
  await test('inspect: offline, the visit page comes from the phone and the record waits on it; online, it is sent by itself', async () => {
    assert(visit, 'no visit to record');
    const ctx = await newContext({ lang: 'en', viewport: { width: 390, height: 844 } });
    const octx = await newContext({ lang: 'en' });
    try {
      const page = await ctx.newPage();
      await logIn(page, account('inspector', 0));
      await goto(page, '/inspect/visits');
      await page.evaluate(() => navigator.serviceWorker.ready);
      await goto(page, `/inspect/visits/${visit}`);   // controlled now: kept by the service worker
      await ctx.setOffline(true);
      await page.reload();
      assert((await pageFacts(page)).h1.length === 1, 'the visit page is not there offline');
      await page.check('#housing-1');
      await page.check('#condition-2');
      await page.fill('#rooms', '2');
      await page.check('#water');
      await page.fill('#notes', 'Recorded without a connection');
      if (opts.screenshots) await page.screenshot({ path: path.join(opts.screenshots, 'inspect-visit-phone.png'), fullPage: true });
      await page.click('form.inspect-form button[type=submit]');
      await page.locator('#inspect-offline:not([hidden])').waitFor({ timeout: 5000 });
      if (opts.screenshots) await page.screenshot({ path: path.join(opts.screenshots, 'inspect-saved-offline.png') });
      const waiting = () => page.evaluate(() => new Promise((resolve) => {
        const rq = indexedDB.open('pencere-inspect', 1);
        rq.onsuccess = () => {
          const c = rq.result.transaction('outbox').objectStore('outbox').count();
          c.onsuccess = () => resolve(c.result);
        };
      }));
      assert(await waiting() === 1, 'the record is not kept on the phone');
      await ctx.setOffline(false);
      const deadline = Date.now() + 15000;
      while (await waiting() !== 0 && Date.now() < deadline) await page.waitForTimeout(200);
      assert(await waiting() === 0, 'the record was not sent once online');
      const op = await octx.newPage();
      await logIn(op, officerOf('eesmn'));
      await goto(op, `/office/cases/${ref}?lang=en`);
      assert((await op.locator('#inspection ~ dl.facts').first().textContent()).includes('Recorded without a connection'),
        'the officer does not see the record');
    } finally {
      await ctx.close();
      await octx.close();
    }
  }, APPLY_TIMEOUT_MS);
}

// ---- the e-safe (esafe branch): the demo citizen's documents, sharing by code -----

async function esafePages() {
  await test('e-safe: the demo citizen\'s decision and diploma, search, upload refused and kept, a document shared by code, the bank opens it, revoked: a clear page; axe clean [az, en, ru]', async () => {
    const violations = [];
    const axeOn = async (page, kind) => { for (const v of await axeViolations(page)) violations.push(`${kind} (${new URL(page.url()).pathname}): ${v}`); };
    const ctx = await newContext({ lang: 'az' });
    const bctx = await newContext({ lang: 'en' });
    try {
      const page = await ctx.newPage();
      await logIn(page, account('citizen'));
      await goto(page, '/esafe');
      let main = await page.textContent('main');
      assert(main.includes('Bakalavr diplomu (demo)'), 'the demo diploma is not in the e-safe');
      assert(/AZ-\d{4}-\d{8}/.test(main), 'the demo decision is not in the e-safe');
      await axeOn(page, 'e-safe [az]');
      await page.fill('#q', 'DIPLOM');
      await submit(page, 'main form.filters');
      assert(new URL(page.url()).searchParams.get('q') === 'DIPLOM', `the search went to ${page.url()}`);
      const rows = await page.$$eval('main table tbody tr', (trs) => trs.map((t) => t.textContent));
      assert(rows.length >= 1 && rows.every((t) => /diplom/i.test(t)), `search rows: ${rows.join(' | ')}`);
      // an upload of the wrong type: a clear error page; a PDF: kept, its page shown
      await goto(page, '/esafe');
      await page.fill('#title', 'Sertifikat');
      await page.setInputFiles('#file', { name: 'note.txt', mimeType: 'text/plain', buffer: Buffer.from('not a pdf') });
      let resp = await navBy(page, () => page.click('main form[enctype="multipart/form-data"] button[type=submit]'));
      assert(resp.status() === 415, `a text file: status ${resp.status()}`);
      await axeOn(page, 'upload refused');
      await goto(page, '/esafe?lang=en');
      await axeOn(page, 'e-safe [en]');
      await page.fill('#title', 'IELTS certificate');
      await page.setInputFiles('#file', { name: 'ielts.pdf', mimeType: 'application/pdf', buffer: Buffer.from(tinyPdf()) });
      resp = await navBy(page, () => page.click('main form[enctype="multipart/form-data"] button[type=submit]'));
      assert(resp.status() === 200 && /^\/esafe\/documents\/[0-9a-f]{32}$/.test(new URL(page.url()).pathname), `upload ended on ${page.url()}`);
      const doc = new URL(page.url()).pathname;
      await axeOn(page, 'document [en]');
      await page.fill('#recipient', 'Kapital Bank');
      await page.fill('#purpose', 'Loan application');
      resp = await navBy(page, () => page.click(`main form[action="${doc}/shares"] button[type=submit]`));
      assert(resp.status() === 201, `sharing: status ${resp.status()}`);
      await axeOn(page, 'the code');
      const link = await page.getAttribute('main a[href*="/esafe/open?code="]', 'href');
      const code = new URL(link, base).searchParams.get('code');
      assert(/^[A-Z2-9]{16}$/.test(code), `the code: ${code}`);
      // the bank, without an account
      const bank = await bctx.newPage();
      await goto(bank, `/esafe/open?code=${code}`);
      await axeOn(bank, 'open a shared document [en]');
      const csrf = await bank.getAttribute('main form input[name=csrf]', 'value');
      const r = await bank.request.post(`${base}/esafe/open`, { form: { csrf, code, organisation: 'Kapital Bank' } });
      assert(r.status() === 200 && r.headers()['content-type'] === 'application/pdf', `opening: ${r.status()}`);
      // the owner sees the opening, revokes; the bank gets a clear page
      await goto(page, `${doc}?lang=ru`);
      assert((await page.textContent('main')).includes('Kapital Bank'), 'the opening is not shown to the owner');
      await axeOn(page, 'document with an opening [ru]');
      await navBy(page, () => page.click('main form[action$="/revoke"] button[type=submit]'));
      await goto(bank, `/esafe/open?code=${code}`);
      await bank.fill('#organisation', 'Kapital Bank');
      resp = await navBy(bank, () => bank.click('main form[action="/esafe/open"] button[type=submit]'));
      assert(resp.status() === 410, `a revoked share: status ${resp.status()}`);
      assert(!(await bank.textContent('main')).includes('IELTS'), 'a revoked share shows the document');
      await axeOn(bank, 'a closed share [en]');
      assert(violations.length === 0, violations.join('\n'));
    } finally {
      await ctx.close();
      await bctx.close();
    }
  }, APPLY_TIMEOUT_MS);
  /* axe-core needs scripts: the same forms again with JavaScript off */
  await test('e-safe without JavaScript: search, a folder, a wrong code on the open page', async () => {
    const ctx = await newContext({ lang: 'en', javaScriptEnabled: false });
    try {
      const page = await ctx.newPage();
      await logIn(page, account('citizen'));
      await goto(page, '/esafe');
      await page.fill('#q', 'diplom');
      await submit(page, 'main form.filters');
      assert(new URL(page.url()).searchParams.get('q') === 'diplom', `the search went to ${page.url()}`);
      await page.fill('#name', 'Education');
      await submit(page, 'main form[action="/esafe/folders"]');
      assert(new URL(page.url()).searchParams.get('folder'), `a new folder went to ${page.url()}`);
      assert((await page.textContent('main')).includes('Education'), 'the folder is not listed');
      const bank = await ctx.newPage();
      await goto(bank, '/esafe/open');
      await bank.fill('#code', 'AAAA-BBBB-CCCC-DDDD');
      await bank.fill('#organisation', 'Bank');
      const resp = await navBy(bank, () => bank.click('main form[action="/esafe/open"] button[type=submit]'));
      assert(resp.status() === 404 && await bank.$('main .error-summary'), `a wrong code: status ${resp.status()}`);
    } finally {
      await ctx.close();
    }
  });
  await test('mobile 360x640 e-safe: the list, a document and the open page without horizontal scrolling (az, en, ru)', async () => {
    const bad = [];
    const ctx = await newContext(MOBILE);
    try {
      const page = await ctx.newPage();
      await logIn(page, account('citizen'));
      await goto(page, '/esafe');
      const doc = await page.getAttribute('main table a[href^="/esafe/documents/"]', 'href');
      for (const lang of LANGS) {
        await ctx.addCookies([{ name: 'lang', value: lang, url: base }]);
        for (const url of ['/esafe', doc, '/esafe/open']) {
          await goto(page, url);
          const w = await horizontalOverflow(page, 360);
          if (w.sw > 360) bad.push(`[${lang}] ${url}: scrollWidth ${w.sw} (wide: ${w.over.join(', ')})`);
        }
      }
      assert(bad.length === 0, bad.join('\n'));
    } finally {
      await ctx.close();
    }
  });
}

// ---- vemtas: social assistance on the officer's case page ----------------------
/* A fresh VEMTAS application by the citizen; the officer's page shows the
 * evidence (fetched through the demo's exchange) and the means test's
 * proposal line by line; a change without a reason is refused with the
 * error shown; accepting it is recorded.  axe-clean in az, en and ru. */
async function socialPages() {
  await test('vemtas: the officer sees the evidence and the proposal line by line, a change without a reason is refused, accepting is recorded; axe clean [az, en, ru]', async () => {
    const service = 'eesmn-vemtas';
    const cctx = await newContext({ lang: 'az' });
    let ref;
    try {
      const cp = await cctx.newPage();
      await logInToApply(cp, account('citizen'));
      ref = (await applyJourney(cp, service, { axe: false })).ref;
    } finally {
      await cctx.close();
    }
    const violations = [];
    const axeOn = async (page, kind) => { for (const v of await axeViolations(page)) violations.push(`${kind} (${new URL(page.url()).pathname}): ${v}`); };
    const octx = await newContext({ lang: 'en' });
    try {
      const op = await octx.newPage();
      await logIn(op, officerOf(await agencyOf(service)));
      // the evidence arrives through the exchange (it may come up after the portal)
      const deadline = Date.now() + 120000;
      for (;;) {
        await goto(op, `/office/cases/${ref}?lang=en`);
        if (await op.locator('#social-means + p + .table-wrap > table').count() === 1) break;
        assert(Date.now() < deadline, `no proposal on ${ref} after 120 s: ${(await op.locator('main').textContent()).slice(0, 400)}`);
        await sleep(1000);
      }
      const rows = await op.locator('#social-evidence + .table-wrap tbody tr, #social-evidence + .notice + .table-wrap tbody tr').count();
      assert(rows >= 2, `${rows} evidence rows`);
      const steps = await op.$$eval('#social-means + p + .table-wrap tbody tr td:first-child', (tds) => tds.map((t) => t.textContent));
      assert(steps.includes('Average monthly income per person') && steps.includes('The need criterion'), `the lines: ${steps}`);
      for (const lang of ['az', 'en', 'ru']) {
        await goto(op, `/office/cases/${ref}?lang=${lang}`);
        await axeOn(op, `case with the proposal [${lang}]`);
      }
      await goto(op, `/office/cases/${ref}?lang=en`);
      await op.check('#social-no');
      await op.fill('#social-amount', '0');
      let resp = await navBy(op, () => op.click('main form[action$="/social/proposal"] button[value=change]'));
      assert(resp.status() === 400, `a change without a reason: status ${resp.status()}`);
      assert(await op.locator('#social-error').count() === 1, 'no error shown for the missing reason');
      await axeOn(op, 'case: change without a reason');
      resp = await navBy(op, () => op.click('main form[action$="/social/proposal"] button[value=accept]'));
      assert(resp.status() === 200 && new URL(op.url()).searchParams.get('done') === '1', `accept ended on ${op.url()}`);
      assert((await op.locator('main').textContent()).includes('accepted as proposed'), 'the acceptance is not shown');
      assert(violations.length === 0, `${violations.length} axe violation(s):\n${violations.join('\n')}`);
    } finally {
      await octx.close();
    }
  }, APPLY_TIMEOUT_MS + 120000);
}

// ---- e-certificates (src/ecert; branch ecert): order, list, verify without JavaScript ----

async function ecertPages() {
  await test('e-certificates: order an address certificate without JavaScript, list, download; a stranger checks the code and the file; axe clean [az, en, ru]', async () => {
    const violations = [];
    const axeOn = async (page, kind) => { for (const v of await axeViolations(page)) violations.push(`${kind} (${new URL(page.url()).pathname}): ${v}`); };
    // the person and the stranger act without JavaScript; axe (a script) looks at the same pages in a second context
    const ctx = await newContext({ lang: 'az', javaScriptEnabled: false });
    const sctx = await newContext({ lang: 'en', javaScriptEnabled: false });
    const actx = await newContext({ lang: 'az' });
    try {
      const page = await ctx.newPage();
      await logIn(page, account('citizen'));
      await goto(page, '/account/e-certificates');
      const order = 'main form[action="/account/e-certificates"]:has(input[value="address"])';
      assert(await page.$(order), 'no form to order an address certificate');
      const resp = await submit(page, order);
      assert(resp.status() === 200 && /issued=EC-/.test(page.url()), `after ordering: ${resp.status()} ${page.url()}`);
      const listUrl = new URL(page.url()).pathname + new URL(page.url()).search;
      const href = await page.getAttribute('main a[href*="/verify/e-certificate?code="]', 'href');
      assert(href, 'no verification link in the list');
      const code = new URL(href, base).searchParams.get('code');
      const pdfHref = await page.getAttribute('main a[href$="/pdf"]', 'href');
      const pdf = await page.request.get(base + pdfHref);
      assert(pdf.status() === 200 && (await pdf.body()).subarray(0, 5).toString() === '%PDF-', 'the PDF does not download');
      const checker = await actx.newPage();
      await logIn(checker, account('citizen'));
      await goto(checker, listUrl);
      await axeOn(checker, 'the order page with the new certificate');
      // the stranger: the code's page in each language, then the file check (a form with a file)
      const anon = await (await newContext({ lang: 'az' })).newPage();
      for (const lang of LANGS) {
        await goto(anon, `/verify/e-certificate?code=${code}&lang=${lang}`);
        assert(await anon.$('main .notice[role=status]'), `no verdict [${lang}]`);
        await axeOn(anon, `verification [${lang}]`);
      }
      const stranger = await sctx.newPage();
      await goto(stranger, `/verify/e-certificate?code=${code}&lang=en`);
      const file = path.join(tmpDir, 'ecert.pdf');
      fs.writeFileSync(file, await pdf.body());
      await stranger.setInputFiles('#pdf', file);
      const checked = await submit(stranger, 'main form[enctype="multipart/form-data"]');
      assert(checked.status() === 200, `file check: ${checked.status()}`);
      assert((await stranger.textContent('main')).includes('The file is this certificate'), 'the file is not recognised');
      // a code that is not one: the field is marked
      await goto(anon, '/verify/e-certificate?code=0000&lang=en', 400);
      assert(await anon.getAttribute('#code', 'aria-invalid') === 'true', 'the bad code is not marked');
      await axeOn(anon, 'bad code');
      await anon.context().close();
    } finally {
      await ctx.close();
      await sctx.close();
      await actx.close();
    }
    assert(violations.length === 0, `${violations.length} violation(s):\n${violations.join('\n')}`);
  });
}

// ---- kiosk: post-office kiosks (issue 17, branch kiosk) ---------------------
// The operator registers the browser as a kiosk (its cookie), logs out;
// the kiosk's start page, the kiosk with a citizen logged in and the
// operator's list are axe-clean in az, en and ru; every target of the
// start page is large; the start page is worked with the keyboard only
// and without JavaScript (its <noscript> refresh wipes the screen); the
// on-screen keyboard types; an application sent at the kiosk ends on its
// printable receipt; the idle timer wipes the screen.  A screenshot of
// the start page and of the receipt goes to --screenshots.

async function kioskDevice(ctx, { idle = 600, district = 'Nəsimi' } = {}) {
  const page = await ctx.newPage();
  await logIn(page, account('operator'));
  await goto(page, '/operator/kiosks');
  await page.fill('#post_office', 'Bakı AZ1000');
  await page.fill('#district', district);
  await page.fill('#idle_secs', String(idle));
  const resp = await submit(page, 'main form[action="/operator/kiosks"]');
  assert(resp.status() === 200 && new URL(page.url()).search === '?registered=1', `registering ended on ${page.url()}`);
  const cookies = await ctx.cookies(base);
  assert(cookies.some((c) => c.name === 'pc_kiosk' && c.httpOnly), 'no HttpOnly kiosk cookie');
  await navBy(page, () => page.click(LOGOUT_BUTTON));
  return page;
}

/* Log in at the kiosk's own form; ends on the kiosk's start page. */
async function kioskLogIn(page, acc) {
  await goto(page, '/kiosk');
  await page.fill('#k-login', acc.login);
  await page.fill('#k-password', acc.password);
  const resp = await submit(page, 'main form[action="/login"]');
  assert(resp.status() === 200 && new URL(page.url()).pathname === '/kiosk', `kiosk login ended on ${page.url()}`);
}

async function kioskPages() {
  const checkPage = async (page, lang, what) => {
    const f = await pageFacts(page);
    assert(f.lang === lang && f.h1.length === 1, `${what}: lang ${f.lang}, h1 ${JSON.stringify(f.h1)}`);
    const v = await axeViolations(page);
    assert(v.length === 0, `${what}: ${v.length} violation(s) on ${page.url()}:\n${v.join('\n')}`);
  };
  for (const lang of LANGS) {
    await test(`kiosk: start page, logged-in page and the operator's list [${lang}]: one h1, lang, axe WCAG 2.1 AA`, async () => {
      const ctx = await newContext({ lang });
      try {
        const page = await kioskDevice(ctx);
        const problems = watchConsole(page);
        await goto(page, '/kiosk');
        assert(await page.locator('body.kiosk').count() === 1, 'not in kiosk mode');
        assert(await page.locator('.osk[role=group] button').count() > 30, 'no on-screen keyboard');
        await checkPage(page, lang, 'start');
        await logIn(page, account('representative'));
        await goto(page, '/kiosk');
        assert(await page.locator(`main form[action="/services/${SINGLE_SERVICE}/apply"] button`).count() === 1,
          'the kiosk service is not offered');
        assert(await page.locator('main a[href="/account/certificates#single"]').count() === 1, 'no free certificate link');
        await checkPage(page, lang, 'logged in');
        await goto(page, '/kiosk/end', 200);
        assert(new URL(page.url()).pathname === '/kiosk' && await page.locator('#k-login').count() === 1, 'not wiped');
        await logIn(page, account('operator'));
        await goto(page, '/operator/kiosks');
        await checkPage(page, lang, 'operator');
        assert(problems.length === 0, `console errors: ${problems.join(' | ')}`);
      } finally {
        await ctx.close();
      }
    });
  }
  await test('kiosk: large touch targets, the on-screen keyboard types, keyboard-only login', async () => {
    const ctx = await newContext({ lang: 'en' });
    try {
      const page = await kioskDevice(ctx);
      await goto(page, '/kiosk');
      const small = await page.$$eval('main a, main button, main input:not([type=hidden])', (els) => els
        .map((e) => ({ e: e.outerHTML.slice(0, 80), r: e.getBoundingClientRect() }))
        .filter((x) => x.r.height < 44 || x.r.width < 44).map((x) => `${x.e} ${x.r.width}x${x.r.height}`));
      assert(small.length === 0, `targets under 44 px:\n${small.join('\n')}`);
      await page.click('#k-login');
      for (const k of ['1', 'A', 'B']) await page.click(`.osk button:text-is("${k}")`);
      await page.click('.osk button[aria-label="Delete the last letter"]');
      assert(await page.inputValue('#k-login') === '1A', `typed "${await page.inputValue('#k-login')}"`);
      await page.fill('#k-login', '');
      const acc = account('representative');
      await tabTo(page, '#k-login');
      await page.keyboard.type(acc.login);
      await tabTo(page, '#k-password', 5);
      await page.keyboard.type(acc.password);
      const resp = await navBy(page, () => page.keyboard.press('Enter'));
      assert(resp.status() === 200 && new URL(page.url()).pathname === '/kiosk', `ended on ${page.url()}`);
      await tabTo(page, `main form[action="/services/${SINGLE_SERVICE}/apply"] button`);
    } finally {
      await ctx.close();
    }
  });
  await test('kiosk: without JavaScript the start page works and wipes itself after the idle time', async () => {
    const ctx = await newContext({ lang: 'az', javaScriptEnabled: false });
    try {
      const page = await kioskDevice(ctx, { idle: 5, district: 'Yasamal' });
      await goto(page, '/kiosk');
      assert(await page.locator('.osk').count() === 0, 'a keyboard without JavaScript');
      await page.fill('#k-login', account('representative').login);
      await page.fill('#k-password', account('representative').password);
      await submit(page, 'main form[action="/login"]');
      assert(new URL(page.url()).pathname === '/kiosk', `ended on ${page.url()}`);
      assert(await page.locator('main form[action$="/apply"]').count() === 1, 'not logged in');
      // the <noscript> refresh: back to the start, logged out, within the idle time and a little
      await page.waitForFunction(() => !document.querySelector('main form[action$="/apply"]') &&
        !!document.querySelector('#k-login'), null, { timeout: 15000, polling: 250 });
    } finally {
      await ctx.close();
    }
  });
  await test('kiosk: with JavaScript the idle timer wipes the screen', async () => {
    const ctx = await newContext({ lang: 'en' });
    try {
      const page = await kioskDevice(ctx, { idle: 5, district: 'Xətai' });
      await kioskLogIn(page, account('representative'));
      await page.fill('#k-login', 'x').catch(() => {}); /* nothing to type on: logged in */
      await page.waitForFunction(() => !!document.querySelector('#k-login'), null, { timeout: 15000, polling: 250 });
      assert(new URL(page.url()).pathname === '/kiosk', `wiped to ${page.url()}`);
    } finally {
      await ctx.close();
    }
  });
  await test('kiosk: an application sent at the kiosk ends on its printable receipt; axe on every page', async () => {
    const ctx = await newContext({ lang: 'en' });
    try {
      const page = await kioskDevice(ctx);
      const problems = watchConsole(page);
      await logIn(page, account('citizen'));
      const r = await applyJourney(page, 'din-id-card-replacement', { lang: 'en', until: 'check' });
      assert(r.violations.length === 0, `${r.violations.length} axe violation(s) in kiosk mode:\n${r.violations.join('\n')}`);
      const resp = await submit(page, 'main form[action$="/submit"]');
      const u = new URL(page.url());
      assert(resp.status() === 200 && /^\/kiosk\/receipt\/AZ-\d{4}-\d{8}$/.test(u.pathname), `sending ended on ${page.url()}`);
      assert((await page.locator('main .receipt').textContent()).includes('Kiosk — Nəsimi'), 'the channel is not on the receipt');
      assert(await page.locator('main button[data-print]:visible').count() === 1, 'no print button');
      const v = await axeViolations(page);
      assert(v.length === 0, `receipt: ${v.length} violation(s):\n${v.join('\n')}`);
      if (opts.screenshots) {
        fs.mkdirSync(opts.screenshots, { recursive: true });
        await page.screenshot({ path: path.join(opts.screenshots, 'kiosk-receipt.png'), fullPage: true });
        await goto(page, '/kiosk/end', 200);
        await page.screenshot({ path: path.join(opts.screenshots, 'kiosk-start.png'), fullPage: true });
      }
      assert(problems.length === 0, `console errors: ${problems.join(' | ')}`);
    } finally {
      await ctx.close();
    }
  }, APPLY_TIMEOUT_MS);
}

// ---- vemtas3: paper applications from the back office (issue 17 item 1) -----
// The officer of the social-assistance service's agency opens the paper
// form in az, en and ru (one h1, lang, axe); in en the form is sent with a
// FİN nobody has, the questions unanswered and the scan attached: the
// error summary links to the questions (the person is looked up only for a
// complete application), the scan and the FİN are kept, axe passes on it.
// Then the same without
// JavaScript (axe needs it, so not there).  A screenshot of the form with
// its errors goes to --screenshots.

async function paperForm(ctx, service) {
  const page = await ctx.newPage();
  await logIn(page, officerOf(await agencyOf(service)));
  await goto(page, '/office/paper');
  const link = page.locator(`main a[href="/office/paper/${service}"]`);
  assert(await link.count() === 1, 'the service is not offered');
  await navBy(page, () => link.click());
  assert(new URL(page.url()).pathname === `/office/paper/${service}`, `ended on ${page.url()}`);
  for (const id of ['#paper-fin', '#paper-card', '#paper-district', '#paper-scan'])
    assert(await page.locator(`main ${id}`).count() === 1, `no ${id}`);
  return page;
}

async function paperIncomplete(page, service) {
  await page.fill('#paper-fin', '0000000');
  await page.fill('#paper-card', 'AZE00000000');
  await page.fill('#paper-district', 'Nəsimi');
  await page.setInputFiles('#paper-scan', { name: 'paper.pdf', mimeType: 'application/pdf',
    buffer: Buffer.from('%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n') });
  const resp = await submit(page, `main form[action^="/office/paper/${service}"] >`);
  assert(resp.status() === 400, `sending: ${resp.status()}`);
  // the form's questions are unanswered: their errors come first, and the
  // person is not looked up until the application is complete (idcheck)
  assert(await page.locator('.error-summary a').count() >= 1, 'no error summary');
  assert(await page.locator('.error-summary a[href="#paper-fin"]').count() === 0, 'the person was judged before the answers');
  assert(await page.locator('input[name="_scan_sha"]').count() === 1, 'the scan was not kept');
  assert(await page.locator('#paper-fin').inputValue() === '0000000', 'the FİN typed is lost');
}

async function paperPages() {
  const service = 'eesmn-vemtas';
  for (const lang of LANGS) {
    await test(`paper: the back office's paper-application form [${lang}]: one h1, lang, axe WCAG 2.1 AA`, async () => {
      const ctx = await newContext({ lang });
      try {
        const page = await paperForm(ctx, service);
        let f = await pageFacts(page);
        assert(f.lang === lang && f.h1.length === 1, `form: lang ${f.lang}, h1 ${JSON.stringify(f.h1)}`);
        let v = await axeViolations(page);
        assert(v.length === 0, `form: ${v.length} violation(s):\n${v.join('\n')}`);
        if (lang !== 'en') return;
        await paperIncomplete(page, service);
        f = await pageFacts(page);
        assert(f.h1.length === 1 && (await page.title()).includes(':'), `errors: title ${await page.title()}`);
        v = await axeViolations(page);
        assert(v.length === 0, `errors: ${v.length} violation(s):\n${v.join('\n')}`);
        if (opts.screenshots) {
          fs.mkdirSync(opts.screenshots, { recursive: true });
          await page.screenshot({ path: path.join(opts.screenshots, 'paper-form-errors.png'), fullPage: true });
        }
      } finally {
        await ctx.close();
      }
    });
  }
  await test('appeal files: the appellant attaches a document without JavaScript; the page lists it; axe on it', async () => {
    const cctx = await newContext({ lang: 'az' });
    let ref;
    try {
      const cp = await cctx.newPage();
      await logInToApply(cp, account('citizen'));
      ref = (await applyJourney(cp, 'din-id-card-replacement', { axe: false })).ref;
    } finally {
      await cctx.close();
    }
    const officer = demoAccounts().filter((x) => x.role === 'officer' && x.agency === 'din')[0];
    const otok = (await apiJson('POST', '/api/v1/auth/password', { login: officer.login, password: officer.password })).token;
    const ctok = (await apiJson('POST', '/api/v1/auth/password', { login: account('citizen').login, password: account('citizen').password })).token;
    for (const [tok, action, note] of [[otok, 'register'], [otok, 'start_review'], [otok, 'refuse', 'Sənədlər natamamdır.'],
      [ctok, 'appeal', 'Arayış əlavə edirəm.']]) {
      const app = await apiJson('GET', `/api/v1/applications/${ref}`, undefined, otok);
      await apiJson('POST', `/api/v1/applications/${ref}/actions`, { action, version: app.version, ...(note ? { note } : {}) }, tok);
    }
    const ctx = await newContext({ lang: 'en' });
    const njs = await newContext({ lang: 'en', javaScriptEnabled: false });
    try {
      const page = await njs.newPage();
      await logIn(page, account('citizen'));
      await goto(page, `/applications/${ref}`);
      await page.setInputFiles('#appeal-file', { name: 'certificate.pdf', mimeType: 'application/pdf',
        buffer: Buffer.from('%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n') });
      const resp = await submit(page, `main form[action^="/applications/${ref}/appeal/files"]`);
      assert(resp.status() === 200 && new URL(page.url()).pathname === `/applications/${ref}`, `ended on ${page.url()}`);
      assert(await page.locator('main a[href*="/appeal-files/"]').count() === 1, 'the file is not listed');
      const seen = await ctx.newPage();
      await logIn(seen, account('citizen'));
      await goto(seen, `/applications/${ref}#appeal-files`);
      const v = await axeViolations(seen);
      assert(v.length === 0, `appeal files: ${v.length} violation(s):\n${v.join('\n')}`);
      if (opts.screenshots) {
        fs.mkdirSync(opts.screenshots, { recursive: true });
        await seen.screenshot({ path: path.join(opts.screenshots, 'appeal-files.png'), fullPage: true });
      }
    } finally {
      await ctx.close();
      await njs.close();
    }
  }, APPLY_TIMEOUT_MS);
  await test('paper: the form works without JavaScript: errors shown, the scan kept', async () => {
    const ctx = await newContext({ lang: 'az', javaScriptEnabled: false });
    try {
      await paperIncomplete(await paperForm(ctx, service), service);
    } finally {
      await ctx.close();
    }
  });
}

// ---- kiosk: the appeal of a refusal (issue 17 item 6) -------------------------
// An application refused by officer.din (through the API); the citizen's
// page with the appeal form in three languages; the appeal sent with the
// keyboard only; the refusing officer's page (a notice, no review
// buttons) and the agency administrator's (the review buttons) — axe on
// each.

async function appealPages() {
  const api = apiJson;
  const staff = (role) => demoAccounts().filter((x) => x.role === role && x.agency === 'din')[0];
  let ref = null;
  const refused = async () => {
    if (ref) return ref;
    /* a fresh application (the journeys above decided theirs) */
    const ctx = await newContext({ lang: 'az' });
    try {
      const page = await ctx.newPage();
      await logInToApply(page, account('citizen'));
      ref = (await applyJourney(page, 'din-id-card-replacement', { axe: false })).ref;
    } finally {
      await ctx.close();
    }
    const a = staff('officer');
    const tok = (await api('POST', '/api/v1/auth/password', { login: a.login, password: a.password })).token;
    for (const [action, note] of [['register'], ['start_review'], ['refuse', 'Sənədlər natamamdır.']]) {
      const app = await api('GET', `/api/v1/applications/${ref}`, undefined, tok);
      if (app.status === 'refused') break;
      await api('POST', `/api/v1/applications/${ref}/actions`, { action, version: app.version, ...(note ? { note } : {}) }, tok);
    }
    return ref;
  };
  const clean = async (page, what) => {
    const v = await axeViolations(page);
    assert(v.length === 0, `${what}: ${v.length} violation(s) on ${page.url()}:\n${v.join('\n')}`);
  };
  for (const lang of LANGS) {
    await test(`appeal: the refused application's page offers the appeal with its term [${lang}]: axe WCAG 2.1 AA`, async () => {
      const r = await refused();
      const ctx = await newContext({ lang });
      try {
        const page = await ctx.newPage();
        await logIn(page, account('citizen'));
        await goto(page, `/applications/${r}`);
        assert(await page.locator(`main form[action="/applications/${r}/appeal"] textarea#reasons`).count() === 1,
          'no appeal form');
        await clean(page, 'citizen');
      } finally {
        await ctx.close();
      }
    }, APPLY_TIMEOUT_MS);
  }
  await test('appeal: sent with the keyboard only; the refusing officer may not review it, another may (axe on both)', async () => {
    const r = await refused();
    const ctx = await newContext({ lang: 'en' });
    try {
      const page = await ctx.newPage();
      await logIn(page, account('citizen'));
      await goto(page, `/applications/${r}`);
      await tabTo(page, '#reasons');
      await page.keyboard.type('I gave every document.');
      await tabTo(page, `main form[action="/applications/${r}/appeal"] button[type=submit]`, 5);
      const resp = await navBy(page, () => page.keyboard.press('Enter'));
      assert(resp.status() === 200 && new URL(page.url()).pathname === `/applications/${r}`, `ended on ${page.url()}`);
      assert((await page.locator('main .tag').first().textContent()).includes('Appeal under review'), 'not appealed');
      await navBy(page, () => page.click(LOGOUT_BUTTON));
      await logIn(page, staff('officer'));
      await goto(page, `/office/cases/${r}`);
      assert(await page.locator('main button[value="uphold_refusal"]').count() === 0, 'the refusing officer may review');
      assert(await page.locator('main p.notice').count() >= 1, 'no notice for the refusing officer');
      await clean(page, 'refusing officer');
      await navBy(page, () => page.click(LOGOUT_BUTTON));
      await logIn(page, staff('agency_admin'));
      await goto(page, `/office/cases/${r}`);
      assert(await page.locator('main button[value="uphold_refusal"]').count() === 1 &&
        await page.locator('main button[value="grant_appeal"]').count() === 1, 'no review buttons');
      await clean(page, 'reviewer');
    } finally {
      await ctx.close();
    }
  }, APPLY_TIMEOUT_MS);
}

// ---- once only (session 4): the registries' values on the form, through the exchange ----

/* The driving-licence form's "your details" page takes the citizen's name,
 * birth date and address from the population register through the
 * portal's gateway: read-only, each with "Source: …, at HH:MM" tied to its
 * field; axe-core passes; "My data" then shows the register's answer. */
async function oncePages() {
  await test('once: the form shows the population register\'s values read-only with their source and time; "My data" names the register; axe', async () => {
    const ctx = await newContext({ lang: 'en' });
    try {
      const page = await ctx.newPage();
      const problems = watchConsole(page);
      await logInToApply(page, account('citizen'));
      const draft = await newDraft(page, 'din-driving-licence');
      await goto(page, `/applications/${draft}/page/your-details?lang=en`);
      for (const id of ['applicant_name', 'applicant_birth_date', 'applicant_address']) {
        const input = page.locator(`main form [name="${id}"]`);
        assert(await input.getAttribute('readonly') !== null, `${id} is not read-only`);
        assert((await input.inputValue()).length > 0, `${id} is empty`);
        const note = (await page.locator(`#${id}-source`).textContent()).trim();
        assert(/^Source: Population register, at \d\d:\d\d$/.test(note), `${id}: the source says "${note}"`);
        const described = (await input.getAttribute('aria-describedby')) || '';
        assert(described.split(' ').includes(`${id}-source`), `${id} is not described by its source: "${described}"`);
      }
      const v = await axeViolations(page);
      assert(v.length === 0, `axe: ${v.join('\n')}`);
      // continuing keeps the register's values
      const resp = await navBy(page, () => page.click(CONTINUE));
      assert(resp.status() === 200 && !/your-details/.test(page.url()), `continue ended on ${page.url()}`);
      await goto(page, '/account?lang=en');
      const rows = await page.$$eval('#who-looked ~ div table tbody tr', (trs) => trs.map((t) => t.textContent));
      assert(rows.some((t) => t.includes('Population register') && t.includes('An application being filled in')),
        `"who looked at my data" does not name the register: ${JSON.stringify(rows.slice(0, 5))}`);
      assert(problems.length === 0, `console errors: ${problems.join(' | ')}`);
    } finally {
      await ctx.close();
    }
  });
}

// ---- centralui: the central registry's operator pages (`central serve --admin-listen`) ----

/* The demo's central registry serves its operator pages on a loopback
 * listener of their own (demo-exchange.json names it, the demo operator
 * and its generated password).  Logged in through the form, then one
 * visit per language that together cover the main pages: each in its
 * language, axe-core clean (the pages have no scripts). */
// The demo's central operator logged in on a new page (centralui, centralui2).
async function centralLogin(ctx) {
  const contract = JSON.parse(fs.readFileSync(path.join(server.dataDir, 'demo-exchange.json'), 'utf8'));
  const op = contract.central_operator;
  assert(op && op.url && op.password, `demo-exchange.json names no central operator: ${JSON.stringify(op)}`);
  const page = await ctx.newPage();
  const url = op.url.replace(/\/$/, '');
  let resp = await page.goto(url + '/members', { waitUntil: 'load' });
  assert(new URL(page.url()).pathname === '/login', `not an operator, /members ended on ${page.url()}`);
  const v = await axeViolations(page);
  assert(v.length === 0, `axe on /login: ${v.join('\n')}`);
  await page.fill('#login', op.login);
  await page.fill('#password', op.password);
  resp = await navBy(page, () => page.click('main form button[type="submit"]'));
  assert(resp.status() === 200 && new URL(page.url()).pathname === '/', `login ended on ${page.url()} (${resp.status()})`);
  return { page, url };
}

// Visit [lang, path, text] on the operator's pages: 200, the language, the text, axe.
async function centralVisits(page, url, visits) {
  for (const [lang, p, text] of visits) {
    const resp = await page.goto(`${url}${p}${p.includes('?') ? '&' : '?'}lang=${lang}`, { waitUntil: 'load' });
    assert(resp.status() === 200, `${p}: status ${resp.status()}`);
    const facts = await pageFacts(page);
    assert(facts.lang === lang, `${p}: lang ${facts.lang}, expected ${lang}`);
    if (text) assert((await page.textContent('main')).includes(text), `${p} does not show ${text}`);
    const v = await axeViolations(page);
    assert(v.length === 0, `axe on ${p} [${lang}]: ${v.join('\n')}`);
  }
}

async function centralPages() {
  await test('centralui: the operator logs in and the overview, members, gateways, services, access and audit pages pass axe [az, en, ru]', async () => {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    ctx.setDefaultTimeout(10000);
    try {
      const { page, url } = await centralLogin(ctx);
      await centralVisits(page, url, [['az', '/', null], ['az', '/gateways', 'SHA-256'], ['en', '/members', 'AZ/GOV/1400000001'],
        ['en', '/access', 'AZ/GOV/1500000002/portal'], ['ru', '/services', 'AZ/GOV/1400000001'], ['ru', '/audit', 'xr.']]);
    } finally {
      await ctx.close();
    }
  });
}

// centralui2: the operators' page and a removal's confirmation (which
// changes nothing: the demo's registry stays as it is).
async function centralRemovalPages() {
  await test('centralui2: the operators page and the confirmation of a removal pass axe [az, en, ru]', async () => {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    ctx.setDefaultTimeout(10000);
    try {
      const { page, url } = await centralLogin(ctx);
      const confirm = '/remove?what=gateway-client&id=' + encodeURIComponent('AZ/GOV/1400000001/gw2') + '&of=' +
        encodeURIComponent('AZ/GOV/1400000001/population');
      await centralVisits(page, url, [['az', '/operators', 'Operatorlar'], ['en', confirm, 'Remove AZ/GOV/1400000001/population'],
        ['ru', '/members', 'Удалить']]);
    } finally {
      await ctx.close();
    }
  });
}

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

    await loginErrors();
    await loginWrong();
    await activateWrongCode();
    await registrarJourney();
    await twoStepLogin();
    await identityPageChecks();
    await logoutWithoutJs();
    await identityMobile();
    await identityScreenshots();

    await oidcJourney();
    await oidcPageChecks();
    await evaluationPages();

    await applyFlows();
    await guestPages();   // nologin
    await applyErrors();
    await applyFileError();
    // every service with a form, from the citizen's start to the decision, by an officer of its agency
    for (const service of APPLY_SERVICES) await officerJourney(service);
    await certPages();   // pki-portal: after the journeys, which sealed decisions
    await applyMobile();
    await applyScreenshots();
    await isregPages();

    await mobileLogin();
    await mobileSigning();

    await participationPages();

    await loginsPages();
    await singlePurposePages();   // logins2
    await paymentPages();
    await inspectPages();
    await esafePages();
    await campaignPages();   // campaigns
    await socialPages();   // vemtas
    await ecertPages();   // ecert
    await kioskPages();   // kiosk
    await appealPages();  // kiosk
    await paperPages();   // vemtas3
    await oncePages();   // once
    await finePages();   // fines (no login)
    await centralPages();   // centralui
    await centralRemovalPages();   // centralui2
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
