// Runs the portable suites of tests/suites/ in headless Chromium (Debian's
// /usr/bin/chromium, driven by playwright-core). The page comes from one
// local server and the mock API from another, so every call is cross-origin.
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { startMockServer } from '../../../mock/server.mjs';
import { INIT_PAGES, checkInitResult } from './init-pages.mjs';
import { controlApi, uniqueKey } from '../../suites/harness.mjs';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const suitesDir = fileURLToPath(new URL('../../suites/', import.meta.url));
const filter = process.argv[2] ?? '';

/** Chromium flags for a root user on a machine with no outside network. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const api = await startMockServer({ port: 0 });
const site = await startMockServer({ port: 0, staticDir: root, pkgDir: `${root}pkg` });
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS });
let passed = 0;
let failed = 0;
const consoleErrors = [];
try {
  const page = await browser.newPage();
  page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
  page.on('pageerror', (e) => consoleErrors.push(String(e)));
  await page.goto(`${site.url}/tests/runtimes/browser/index.html`);
  await page.waitForFunction(() => window.__ready === true, null, { timeout: 20_000 });
  const files = readdirSync(suitesDir).filter((f) => f.endsWith('.suite.mjs')).sort();
  for (const file of files) {
    const names = await page.evaluate((f) => window.__listTests(f), file);
    for (const name of names) {
      const label = `${file.replace('.suite.mjs', '')}: ${name}`;
      if (filter && !label.includes(filter)) continue;
      const outcome = await page.evaluate(([f, n, u]) => window.__runTest(f, n, u), [file, name, api.url]);
      if (outcome.ok) {
        passed += 1;
        console.log(`ok - [chromium] ${label}`);
      } else {
        failed += 1;
        console.log(`not ok - [chromium] ${label}\n  ${outcome.message.replaceAll('\n', '\n  ')}`);
      }
    }
  }
  // The explicit-init entry (resources-client/init), one fresh page per way to start it.
  for (const [label, pagePath] of INIT_PAGES) {
    if (filter && !label.includes(filter)) continue;
    const initPage = await browser.newPage();
    const pageErrors = [];
    initPage.on('pageerror', (e) => pageErrors.push(String(e)));
    try {
      await initPage.goto(`${site.url}${pagePath}&api=${encodeURIComponent(api.url)}`);
      await initPage.waitForFunction(() => window.__result !== undefined, null, { timeout: 30_000 });
      await checkInitResult(pagePath, await initPage.evaluate(() => window.__result), api.url);
      if (pageErrors.length > 0) throw new Error(`page errors: ${pageErrors.join('\n')}`);
      passed += 1;
      console.log(`ok - [chromium] ${label}`);
    } catch (e) {
      failed += 1;
      console.log(`not ok - [chromium] ${label}\n  ${String(e?.message ?? e).replaceAll('\n', '\n  ')}`);
    } finally {
      await initPage.close();
    }
  }
  await check('service worker: stopped by the browser, it answers from IndexedDB after the restart, with no request', serviceWorkerRestart);
  await check('storage: a 50,000-model catalog over the localStorage quota is kept in IndexedDB and served after a reload with no request', largeCatalogAfterReload);
  await check('storage: a full localStorage still serves its record after a reload, and a new client writes nothing to read it', fullLocalStorageAfterReload);
  for (const [changed, storage] of [[false, 'local'], [true, 'local'], [false, 'indexeddb'], [true, 'indexeddb']]) {
    await check(`tabs: ten tabs that refresh at once make one request, the catalog ${changed ? 'changed' : 'unchanged'}, storage '${storage}'`,
      () => tenTabs(changed, storage));
  }
  // Two tabs of one origin (one browser context) that both observe
  // action-require make one catalog request between them (Web Locks); the
  // tab that waited takes the record the other stored.
  await check('tabs: two tabs that both observe action-require make one catalog request between them', twoTabs);
  await check('trap: a call that traps throws INTERNAL_ERROR; the client carries on in a fresh instance and hears another tab', trapInPage);
} finally {
  await browser.close();
  await api.close();
  await site.close();
}
/** Runs one check of this file (unless the filter leaves it out) and reports it. */
async function check(label, run) {
  if (filter && !label.includes(filter)) return;
  try {
    await run();
    passed += 1;
    console.log(`ok - [chromium] ${label}`);
  } catch (error) {
    failed += 1;
    console.log(`not ok - [chromium] ${label}\n  ${String(error?.stack ?? error).replaceAll('\n', '\n  ')}`);
  }
}

// A service worker the browser stopped (as it does when idle) answers from its
// IndexedDB record after it restarts: no second request within maxAgeMs.
async function serviceWorkerRestart() {
  const control = controlApi(api.url);
  await control.reset();
  await control.clearLog();
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    page.on('pageerror', (e) => consoleErrors.push(String(e)));
    await page.goto(`${site.url}/tests/runtimes/browser/index.html`);
    await page.evaluate(async () => {
      await navigator.serviceWorker.register('/tests/runtimes/browser/storage-service-worker.js', { type: 'module', scope: '/tests/runtimes/browser/' });
      await navigator.serviceWorker.ready;
    });
    const ask = () => page.evaluate(async ([apiUrl, storageKey]) => {
      const registration = await navigator.serviceWorker.getRegistration('/tests/runtimes/browser/');
      const channel = new MessageChannel();
      const answer = new Promise((resolve) => { channel.port1.onmessage = (e) => resolve(e.data); });
      registration.active.postMessage({ api: apiUrl, storageKey }, [channel.port2]);
      return answer;
    }, [api.url, 'sw-restart']);
    const first = await ask();
    if (first.error || first.source !== 'network') throw new Error(`first answer: ${JSON.stringify(first)}`);
    const cdp = await context.newCDPSession(page);
    const stopped = new Promise((resolve) => cdp.on('ServiceWorker.workerVersionUpdated', ({ versions }) => {
      if (versions.some((v) => v.runningStatus === 'stopped')) resolve();
    }));
    await cdp.send('ServiceWorker.enable');
    await cdp.send('ServiceWorker.stopAllWorkers');
    await Promise.race([stopped, new Promise((_, reject) => setTimeout(() => reject(new Error('the worker did not stop within 10 s')), 10_000))]);
    const second = await ask();
    if (second.error || second.source !== 'cache' || second.hash !== first.hash) {
      throw new Error(`after the restart: ${JSON.stringify(second)}`);
    }
    const requests = (await control.resourceRequests()).length;
    if (requests !== 1) throw new Error(`${requests} catalog requests, expected 1`);
    await page.evaluate(async () => (await navigator.serviceWorker.getRegistration('/tests/runtimes/browser/'))?.unregister());
  } finally {
    await context.close();
  }
}

// Ten tabs of one origin that call fetchResources({ refresh: true }) at once
// make one request between them, whether the catalog changed or not: the tabs
// that waited for the refresh lock take what the first one found.
async function tenTabs(changed, storage) {
  const control = controlApi(api.url);
  await control.reset();
  const context = await browser.newContext();
  try {
    const tabs = [];
    for (let i = 0; i < 10; i += 1) {
      const tab = await context.newPage();
      tab.on('pageerror', (e) => consoleErrors.push(String(e)));
      await tab.goto(`${site.url}/tests/runtimes/browser/index.html`);
      await tab.waitForFunction(() => window.__ready === true, null, { timeout: 20_000 });
      tabs.push(tab);
    }
    const opts = { baseUrl: api.url, apiKey: 'sk-mock-demo', dangerouslyAllowBrowser: true, storageKey: uniqueKey('ten'), retries: 0, storage };
    const open = (tab) => tab.evaluate(async (o) => {
      const lib = await import('/pkg/index.js');
      window.__client = new lib.ResourcesClient(o);
      await window.__client.ready();
      return window.__client.hash ?? (await window.__client.fetchResources()).hash;
    }, opts);
    const first = await open(tabs[0]);
    // An asynchronous store's write lands a moment after the call resolves.
    if (storage === 'indexeddb') await new Promise((resolve) => setTimeout(resolve, 200));
    for (const tab of tabs.slice(1)) {
      if ((await open(tab)) !== first) throw new Error('a tab does not read the stored record');
    }
    if (changed) await control.catalog({ preset: 'changed' });
    await control.clearLog();
    await control.faults({ delayMs: 500 });
    // Every tab calls at the same moment (the tabs share the clock), whatever
    // the time it takes to reach each of them.
    const at = Date.now() + 1000;
    const results = await Promise.all(tabs.map((tab) => tab.evaluate(async (when) => {
      await new Promise((resolve) => setTimeout(resolve, when - Date.now()));
      const t = Date.now();
      const r = await window.__client.fetchResources({ refresh: true });
      return [r.hash, r.source, t, Date.now()];
    }, at)));
    const requests = (await control.resourceRequests()).length;
    if (requests !== 1) throw new Error(`${requests} catalog requests for ten tabs, expected 1: ${JSON.stringify(results)} ${JSON.stringify(await control.resourceRequests())}`);
    const expected = changed ? results.find(([, source]) => source === 'network')?.[0] : first;
    if (changed && expected === first) throw new Error('the changed catalog was not fetched');
    const wrong = results.filter(([hash]) => hash !== expected);
    if (wrong.length > 0) throw new Error(`tabs with another hash: ${JSON.stringify(wrong)}`);
  } finally {
    await context.close();
  }
}

/** A page of `context` on the test page, and `load()`, which (re)loads it. */
async function reloadablePage(context) {
  const page = await context.newPage();
  page.on('pageerror', (e) => consoleErrors.push(String(e)));
  const load = async () => {
    await page.goto(`${site.url}/tests/runtimes/browser/index.html`);
    await page.waitForFunction(() => window.__ready === true, null, { timeout: 20_000 });
  };
  return { page, load };
}

/** Client options for a record that must outlive a reload (no refresh within 10 minutes). */
function reloadOptions(name) {
  return { baseUrl: api.url, apiKey: 'sk-mock-demo', dangerouslyAllowBrowser: true, storageKey: uniqueKey(name), retries: 0, maxAgeMs: 600_000 };
}

// A catalog too large for localStorage's quota (50,000 models, about 9 MB)
// goes to IndexedDB, with a warning and a note in localStorage, and is served
// from there after a reload with no request.
async function largeCatalogAfterReload() {
  const control = controlApi(api.url);
  await control.reset();
  const { resources } = await control.state();
  const models = Array.from({ length: 50_000 }, (_, i) => ({ ...resources.models[i % resources.models.length], model: `model-${i}` }));
  await control.catalog({ resources: { ...resources, models } });
  const context = await browser.newContext();
  try {
    const { page, load } = await reloadablePage(context);
    await load();
    const opts = reloadOptions('large');
    const first = await page.evaluate(async (o) => {
      const lib = await import('/pkg/index.js');
      const client = new lib.ResourcesClient(o);
      const r = await client.fetchResources();
      const key = client.storageKey;
      // The record reaches IndexedDB asynchronously: wait for it before the reload (bounded: 200 x 50 ms).
      const inDatabase = () => new Promise((resolve) => {
        const open = indexedDB.open('resources-client');
        open.onerror = () => resolve(0);
        open.onsuccess = () => {
          const db = open.result;
          if (!db.objectStoreNames.contains('records')) { db.close(); resolve(0); return; }
          const get = db.transaction('records').objectStore('records').get(key);
          get.onsuccess = () => { db.close(); resolve(typeof get.result === 'string' ? get.result.length : 0); };
          get.onerror = () => { db.close(); resolve(0); };
        };
      });
      let stored = 0;
      for (let i = 0; i < 200 && (stored = await inDatabase()) === 0; i += 1) await new Promise((res) => setTimeout(res, 50));
      return { hash: r.hash, source: r.source, warnings: r.warnings, note: localStorage.getItem(key), stored };
    }, opts);
    if (first.source !== 'network') throw new Error(`first load: ${first.source}`);
    if (!first.warnings.some((w) => w.includes('kept in IndexedDB'))) throw new Error(`warnings: ${first.warnings}`);
    if (first.note !== '{"v":2,"in":"indexeddb"}') throw new Error(`localStorage holds ${String(first.note).slice(0, 80)}`);
    if (first.stored < 5_000_000) throw new Error(`IndexedDB holds ${first.stored} characters`);
    await control.clearLog();
    await load();
    const second = await page.evaluate(async (o) => {
      const lib = await import('/pkg/index.js');
      const client = new lib.ResourcesClient(o);
      const before = client.cached();
      await client.ready();
      const cached = client.cached();
      const r = await client.fetchResources();
      return { before, cached: cached?.hash ?? null, source: r.source, hash: r.hash, models: r.resources.models.length };
    }, opts);
    if (second.before !== null) throw new Error('cached() before the read of IndexedDB');
    if (second.cached !== first.hash || second.source !== 'cache' || second.hash !== first.hash) {
      throw new Error(`after the reload: ${JSON.stringify(second)}`);
    }
    if (second.models !== 50_000) throw new Error(`${second.models} models`);
    const requests = (await control.resourceRequests()).length;
    if (requests !== 0) throw new Error(`${requests} catalog requests after the reload, expected 0`);
  } finally {
    await context.close();
    await control.reset();
  }
}

// localStorage is not judged by a trial write (a cold page would pay for it,
// and other tabs would hear it): a page whose localStorage filled up after the
// record was stored reads the record in a fresh module, and writes nothing.
async function fullLocalStorageAfterReload() {
  const control = controlApi(api.url);
  await control.reset();
  const context = await browser.newContext();
  try {
    const { page, load } = await reloadablePage(context);
    await load();
    const opts = reloadOptions('full');
    const first = await page.evaluate(async (o) => {
      const lib = await import('/pkg/index.js');
      const r = await new lib.ResourcesClient(o).fetchResources();
      // Fill with ever smaller items until even one character does not fit (bounded).
      let fillers = 0;
      for (const size of [256 * 1024, 64 * 1024, 16 * 1024, 4096, 1024, 256, 64, 16, 4, 1]) {
        const value = 'f'.repeat(size);
        for (let i = 0; i < 400; i += 1) {
          try { localStorage.setItem(`filler-${size}-${i}`, value); } catch { break; }
          fillers += 1;
        }
      }
      let full = false;
      try { localStorage.setItem('one-more', 'x'.repeat(64)); } catch { full = true; }
      return { hash: r.hash, source: r.source, full, fillers };
    }, opts);
    if (first.source !== 'network' || !first.full) throw new Error(`before the reload: ${JSON.stringify(first)}`);
    await control.clearLog();
    await load();
    const second = await page.evaluate(async (o) => {
      let writes = 0;
      const setItem = Storage.prototype.setItem;
      Storage.prototype.setItem = function (...args) { writes += 1; return setItem.apply(this, args); };
      try {
        const lib = await import('/pkg/index.js');
        const client = new lib.ResourcesClient(o);
        const cached = client.cached();
        const r = await client.fetchResources();
        return { cached: cached?.hash ?? null, source: r.source, hash: r.hash, writes, warnings: r.warnings };
      } finally {
        Storage.prototype.setItem = setItem;
      }
    }, opts);
    if (second.cached !== first.hash || second.source !== 'cache' || second.hash !== first.hash) {
      throw new Error(`after the reload: ${JSON.stringify(second)}`);
    }
    if (second.writes !== 0) throw new Error(`${second.writes} localStorage writes to read a stored record`);
    const requests = (await control.resourceRequests()).length;
    if (requests !== 0) throw new Error(`${requests} catalog requests after the reload, expected 0`);
  } finally {
    await context.close();
    await control.reset();
  }
}

async function twoTabs() {
  const control = controlApi(api.url);
  await control.reset();
  const context = await browser.newContext();
  try {
    const tabs = [await context.newPage(), await context.newPage()];
    for (const tab of tabs) {
      tab.on('pageerror', (e) => consoleErrors.push(String(e)));
      await tab.goto(`${site.url}/tests/runtimes/browser/index.html`);
      await tab.waitForFunction(() => window.__ready === true, null, { timeout: 20_000 });
    }
    const opts = { baseUrl: api.url, apiKey: 'sk-mock-demo', dangerouslyAllowBrowser: true, storageKey: uniqueKey('tabs'), retries: 0, storage: 'local' };
    const open = (tab) => tab.evaluate(async (o) => {
      const lib = await import('/pkg/index.js');
      window.__client = new lib.ResourcesClient(o);
      window.__heard = 0;
      window.__client.onChange(() => { window.__heard += 1; });
      return window.__client.hash ?? (await window.__client.fetchResources()).hash;
    }, opts);
    const first = await open(tabs[0]);
    const second = await open(tabs[1]);
    if (first !== second) throw new Error(`the second tab reads the stored record: ${first} vs ${second}`);
    for (const tab of tabs) await tab.evaluate(() => { window.__heard = 0; });
    await control.catalog({ preset: 'changed' });
    await control.clearLog();
    // The request stays under way while the other tab observes too.
    await control.faults({ delayMs: 300 });
    const observed = await Promise.all(tabs.map((tab) => tab.evaluate(() => window.__client.observe(
      new Response('{}', { headers: { 'action-require': 'update-resources' } }),
    ))));
    if (!observed.every(Boolean)) throw new Error(`observe: ${observed}`);
    const hashes = [];
    for (const tab of tabs) {
      await tab.waitForFunction(() => !window.__client.stale && window.__heard > 0, null, { timeout: 10_000 });
      const heard = await tab.evaluate(() => window.__heard);
      if (heard !== 1) throw new Error(`a tab heard the change ${heard} times`);
      hashes.push(await tab.evaluate(() => window.__client.hash));
    }
    if (hashes[0] === first || hashes[0] !== hashes[1]) throw new Error(`both tabs hold the new catalog: ${first} -> ${hashes}`);
    const requests = (await control.resourceRequests()).length;
    if (requests !== 1) throw new Error(`${requests} catalog requests for two tabs, expected 1`);
  } finally {
    await context.close();
  }
}

console.log(`chromium: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 && passed > 0 ? 0 : 1);

// A trap (the module's memory grown to its limit from outside, so that a 20 MB
// string cannot be copied in) ends the instance, not the page: the call throws
// a ResourcesError (INTERNAL_ERROR), the client made before it reads its
// stored catalog in a fresh instance, and its onChange listener, made again
// there, hears another tab's update (its storage listener and channel too).
async function trapInPage() {
  const control = controlApi(api.url);
  await control.reset();
  const context = await browser.newContext();
  try {
    // Every instance the page makes is watched, before the package loads.
    await context.addInitScript(() => {
      const Instance = WebAssembly.Instance;
      window.__memories = [];
      WebAssembly.Instance = function (module, imports) {
        const instance = new Instance(module, imports);
        window.__memories.push(Object.values(instance.exports).find((e) => e instanceof WebAssembly.Memory));
        return instance;
      };
    });
    const pageErrors = [];
    const tabs = [];
    for (let i = 0; i < 2; i += 1) {
      const { page, load } = await reloadablePage(context);
      page.on('pageerror', (e) => pageErrors.push(String(e)));
      await load();
      tabs.push(page);
    }
    const opts = reloadOptions('trap');
    const first = await tabs[0].evaluate(async (o) => {
      const lib = await import('/pkg/index.js');
      const client = new lib.ResourcesClient(o);
      window.__heard = [];
      client.onChange((r) => window.__heard.push(r.hash));
      window.__client = client;
      const r = await client.fetchResources();
      const memory = window.__memories.at(-1);
      for (let step = 16384; step >= 1;) {
        try { memory.grow(step); } catch { step >>= 1; }
      }
      let trapped;
      try {
        lib.validateRunOptions(r.resources, 'x'.repeat(20e6), {});
        trapped = 'no error';
      } catch (e) {
        trapped = { code: e.code, retryable: e.retryable, isResourcesError: e instanceof lib.ResourcesError };
      }
      return { hash: r.hash, trapped, cached: client.cached()?.hash ?? null, instances: window.__memories.length };
    }, opts);
    if (JSON.stringify(first.trapped) !== JSON.stringify({ code: 'INTERNAL_ERROR', retryable: true, isResourcesError: true })) {
      throw new Error(`the trapped call: ${JSON.stringify(first.trapped)}`);
    }
    if (first.cached !== first.hash) throw new Error(`cached() after the trap: ${first.cached}, stored ${first.hash}`);
    if (first.instances !== 2) throw new Error(`${first.instances} instances, expected 2`);
    await control.catalog({ preset: 'changed' });
    const changed = await tabs[1].evaluate(async (o) => {
      const lib = await import('/pkg/index.js');
      return (await new lib.ResourcesClient(o).fetchResources({ refresh: true })).hash;
    }, opts);
    if (changed === first.hash) throw new Error('the other tab got the same catalog');
    await tabs[0].waitForFunction((hash) => window.__heard.includes(hash), changed, { timeout: 10_000 });
    const heard = await tabs[0].evaluate(() => window.__heard);
    if (JSON.stringify(heard) !== JSON.stringify([first.hash, changed])) throw new Error(`heard ${JSON.stringify(heard)}`);
    if (pageErrors.length > 0) throw new Error(`page errors: ${pageErrors.join('\n')}`);
  } finally {
    await context.close();
    await control.reset();
  }
}
