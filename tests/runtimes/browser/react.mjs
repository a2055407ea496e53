// React 19 in headless Chromium: a component bound to a client through the
// package's hook (resources-client/react, useSyncExternalStore over
// subscribe/getSnapshot) under StrictMode makes one request, shows loading then
// the catalog, re-renders once per change and not for a refresh that changes
// nothing, and shows an error that a successful retry clears.
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { chromium } from 'playwright-core';
import { startMockServer } from '../../../mock/server.mjs';

// The flags of chromium.mjs (importing it would run its suites).
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const root = fileURLToPath(new URL('../../../', import.meta.url));
mkdirSync(`${root}target/react-test`, { recursive: true });
await build({
  entryPoints: [`${root}tests/runtimes/browser/react/app.jsx`],
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
  await page.goto(`${site.url}/tests/runtimes/browser/index.html`);
  await page.waitForFunction(() => window.__ready === true, null, { timeout: 20_000 });
  const outcome = await page.evaluate(async (apiUrl) => {
    const lib = await import('/pkg/index.js');
    const { mount } = await import('/target/react-test/app.js');
    const control = (path, body) => fetch(`${apiUrl}/__control/${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    }).then((r) => r.json());
    const requests = async () => (await control('log')).requests.filter((r) => r.path === '/v1/resources' && r.method === 'GET').length;
    const until = async (cond, what) => {
      for (let i = 0; i < 500; i += 1) {
        if (cond()) return;
        await new Promise((r) => setTimeout(r, 10));
      }
      throw new Error(`gave up waiting for ${what}`);
    };
    const settle = () => new Promise((r) => setTimeout(r, 100));
    await control('reset', {});
    const opts = { baseUrl: apiUrl, apiKey: 'sk-mock-demo', dangerouslyAllowBrowser: true, storageKey: `react-${Math.random()}`, retries: 0, maxAgeMs: 60_000 };
    const log = {};
    // Loading, then the catalog, with one request although StrictMode mounts twice.
    const viewer = new lib.ResourcesClient(opts);
    const element = document.createElement('div');
    document.body.append(element);
    const stats = mount(element, viewer);
    await until(() => element.querySelector('#state'), 'the first render');
    log.first = element.querySelector('#state').textContent;
    await until(() => element.querySelectorAll('li').length > 0 && element.querySelector('#state').dataset.fetching === 'false', 'the catalog');
    log.requests = await requests();
    log.models = element.querySelectorAll('li').length;
    await settle();
    // A refresh that changes nothing (answered from the fresh stored catalog), and a peer's unchanged one.
    const rendersBefore = stats.renders;
    const other = new lib.ResourcesClient(opts);
    await viewer.fetchResources();
    await other.fetchResources({ refresh: true });
    await settle();
    log.noopRenders = stats.renders - rendersBefore;
    // A catalog change fetched by another client: one re-render.
    const state = await control('state');
    await control('catalog', { resources: { ...state.resources, models: state.resources.models.slice(1) } });
    const changed = await other.fetchResources({ refresh: true });
    await until(() => element.querySelector('#state')?.dataset.hash === changed.hash, 'the new catalog');
    await settle();
    log.changeRenders = stats.renders - rendersBefore - log.noopRenders;
    log.modelsAfter = element.querySelectorAll('li').length;
    // An error is shown, and a successful retry clears it.
    // (A 5xx would serve the stored catalog, stale: a refused request is an error.)
    await control('faults', { faults: [{ status: 401 }] });
    await viewer.fetchResources({ refresh: true }).catch(() => {});
    await until(() => element.querySelector('#error'), 'the error');
    log.error = element.querySelector('#error').textContent;
    element.querySelector('#retry').click();
    await until(() => !element.querySelector('#error') && element.querySelector('#state').dataset.fetching === 'false', 'the retry');
    log.afterRetry = element.querySelectorAll('li').length;
    return log;
  }, api.url);
  const check = (cond, message) => { if (!cond) throw new Error(`${message}: ${JSON.stringify(outcome)}`); };
  check(outcome.first === 'loading', 'the first render shows loading');
  check(outcome.requests === 1 && outcome.models > 0, 'StrictMode: one request, then the catalog');
  check(outcome.noopRenders === 0, 'a refresh that changes nothing re-renders nothing');
  check(outcome.changeRenders === 1 && outcome.modelsAfter === outcome.models - 1, 'a catalog change re-renders once');
  check(outcome.error.startsWith('UNAUTHORIZED_ERROR'), 'the error is shown');
  check(outcome.afterRetry === outcome.modelsAfter, 'a successful retry clears the error');
  check(errors.length === 0, `page errors: ${errors.join('; ')}`);
  console.log('ok - [chromium react] useResources: StrictMode makes one request; loading, then data; a no-op refresh re-renders nothing, a change once; an error is shown and a retry clears it');
} catch (e) {
  failure = e;
  console.log(`not ok - [chromium react] ${e.message}`);
} finally {
  await browser.close();
  await api.close();
  await site.close();
}
process.exit(failure ? 1 : 0);
