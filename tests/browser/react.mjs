// React 19 in headless Chromium: a component bound to a client through
// subscribe/getSnapshot (useSyncExternalStore) shows the catalog another
// client fetched, re-renders once per change, and not for a refresh that
// changes nothing.
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { chromium } from 'playwright-core';
import { startMockServer } from '../../mock/server.mjs';

// The flags of run.mjs (importing it would run its suites).
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const root = fileURLToPath(new URL('../../', import.meta.url));
mkdirSync(`${root}target/react-test`, { recursive: true });
await build({
  entryPoints: [`${root}tests/browser/react/app.jsx`],
  bundle: true,
  format: 'esm',
  jsx: 'automatic',
  define: { 'process.env.NODE_ENV': '"production"' },
  outfile: `${root}target/react-test/app.js`,
  logLevel: 'error',
});

const api = await startMockServer({ port: 0 });
const site = await startMockServer({ port: 0, staticDir: root, pkgDir: `${root}pkg` });
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS });
let failure = null;
try {
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(`${site.url}/tests/browser/index.html`);
  await page.waitForFunction(() => window.__ready === true, null, { timeout: 20_000 });
  const outcome = await page.evaluate(async (apiUrl) => {
    const lib = await import('/pkg/index.js');
    const { mount } = await import('/target/react-test/app.js');
    const control = (path, body) => fetch(`${apiUrl}/__control/${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    }).then((r) => r.json());
    const until = async (cond, what) => {
      for (let i = 0; i < 500; i += 1) {
        if (cond()) return;
        await new Promise((r) => setTimeout(r, 10));
      }
      throw new Error(`gave up waiting for ${what}`);
    };
    await control('reset', {});
    const opts = { baseUrl: apiUrl, apiKey: 'sk-mock-demo', dangerouslyAllowBrowser: true, storageKey: `react-${Math.random()}`, retries: 0 };
    const viewer = new lib.ResourcesClient(opts);
    const other = new lib.ResourcesClient(opts);
    const element = document.createElement('div');
    document.body.append(element);
    const stats = mount(element, viewer);
    await until(() => element.querySelector('#state'), 'the first render');
    const log = [];
    log.push(['first', element.textContent, stats.renders]);
    const first = await other.fetchResources();
    await until(() => element.querySelector('#state')?.dataset.hash === first.hash, 'the catalog');
    log.push(['fetched', element.querySelectorAll('li').length, stats.renders]);
    await other.fetchResources({ refresh: true }); // same catalog: no change
    const state = await control('state');
    await control('catalog', { resources: { ...state.resources, models: state.resources.models.slice(1) } });
    const second = await other.fetchResources({ refresh: true });
    await until(() => element.querySelector('#state')?.dataset.hash === second.hash, 'the new catalog');
    log.push(['changed', element.querySelectorAll('li').length, stats.renders, first.resources.models.length]);
    return log;
  }, api.url);
  const [[, firstText, firstRenders], [, shown, afterFetch], [, shownAfter, afterChange, modelCount]] = outcome;
  const check = (cond, message) => { if (!cond) throw new Error(`${message}: ${JSON.stringify(outcome)}`); };
  check(firstText === 'no catalog' && firstRenders === 1, 'first render shows no catalog');
  check(shown === modelCount && afterFetch === 2, 'one re-render shows the catalog');
  check(shownAfter === modelCount - 1 && afterChange === 3, 'one re-render per change, none for an unchanged refresh');
  check(errors.length === 0, `page errors: ${errors.join('; ')}`);
  console.log('ok - [chromium react] useSyncExternalStore shows the catalog and re-renders once per change');
} catch (e) {
  failure = e;
  console.log(`not ok - [chromium react] ${e.message}`);
} finally {
  await browser.close();
  await api.close();
  await site.close();
}
process.exit(failure ? 1 : 0);
