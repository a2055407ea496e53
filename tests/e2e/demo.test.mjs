// End-to-end test of the demo page (www/) in headless Chromium: Debian's
// /usr/bin/chromium driven by playwright-core, against its own mock API server
// that also serves www/ and pkg/ (one origin, as `./run demo` does).
// Screenshots go to test-output/screenshots/ (printed at the end).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { startMockServer } from '../../mock/server.mjs';

const root = fileURLToPath(new URL('../../', import.meta.url));
const shots = `${root}test-output/screenshots`;

/** Chromium flags for a root user on a machine with no outside network (as tests/runtimes/browser/chromium.mjs). */
const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];
const WAIT = { timeout: 20_000 };

let mock;
let browser;
let page;
const consoleProblems = [];
const failedLoads = []; // "Failed to load resource" lines: the statuses this test provokes on purpose

before(async () => {
  mkdirSync(shots, { recursive: true });
  mock = await startMockServer({ port: 0, staticDir: `${root}www`, pkgDir: `${root}pkg` });
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS });
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.on('console', (m) => {
    if (m.type() !== 'error' && m.type() !== 'warning') return;
    if (/^Failed to load resource: the server responded with a status of \d+/.test(m.text())) failedLoads.push(m.text());
    else consoleProblems.push(`${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => consoleProblems.push(`pageerror: ${e}`));
  await page.goto(`${mock.url}/`);
  await page.waitForSelector('body[data-ready]', WAIT);
});

after(async () => {
  await browser?.close();
  await mock?.close();
  console.log(`screenshots: ${shots}`);
});

const text = (selector) => page.locator(selector).innerText();
const cards = () => page.locator('#catalog .card').count();
const modelIds = () => page.locator('#catalog .card h4').allInnerTexts();
const waitText = (selector, needle) => page.waitForFunction(
  ([s, n]) => document.querySelector(s)?.textContent.includes(n), [selector, needle], WAIT);

test('the catalog loads over the network and every model renders with its run options', async () => {
  assert.equal(await cards(), 7);
  assert.deepEqual((await modelIds()).sort(), ['claude-sonnet-4', 'gemini-3-pro-image-preview', 'gpt-4o', 'gpt-5',
    'gpt-image-1', 'o3', 'sora-2']);
  assert.equal(await text('#state [data-field="Source"]'), 'network');
  assert.equal(await text('#state [data-field="Hash"]'), mock.state.hash.slice(0, 8));
  assert.match(await text('#counts'), /Showing 7 of 7 models · 4 text, 2 image, 1 video/);
  // One select per run option key, each with a label.
  const selects = page.locator('[data-model="gpt-image-1"] select');
  assert.equal(await selects.count(), 2);
  assert.deepEqual(await page.locator('[data-model="gpt-image-1"] label').allInnerTexts(), ['quality', 'size']);
});

test('the search box and the modality filter narrow the list', async () => {
  await page.fill('#search', '16:9');
  assert.deepEqual(await modelIds(), ['gemini-3-pro-image-preview']);
  assert.match(await text('#counts'), /Showing 1 of 7 models/);
  await page.fill('#search', '');
  await page.check('#modality-video');
  assert.deepEqual(await modelIds(), ['sora-2']);
  await page.check('#modality-all');
  assert.equal(await cards(), 7);
});

test('a picked run option is validated, a wrong one is marked before the run and the server answers 422', async () => {
  await page.click('#try-gpt-image-1');
  assert.equal(await text('#run-model'), 'gpt-image-1');
  await page.selectOption('#opt-gpt-image-1-quality', 'high');
  assert.equal(await text('#run-options'), 'quality=high');
  assert.equal(await page.getAttribute('#run-problems', 'data-valid'), 'true');

  await page.fill('#extra-key', 'size');
  await page.fill('#extra-value', '2048x2048');
  assert.equal(await page.getAttribute('#run-problems', 'data-valid'), 'false');
  assert.match(await text('#run-problems'), /2048x2048/);
  await page.click('#run');
  await page.waitForSelector('#run-result[data-state="error"]', WAIT);
  assert.match(await text('#run-result'), /422 VALIDATION_ERROR.*runOptions\.size/);

  await page.fill('#extra-key', '');
  await page.click('#run');
  await page.waitForSelector('#run-result[data-state="ok"]', WAIT);
  assert.match(await text('#run-result'), /\(mock\) gpt-image-1: A lighthouse at dawn/);
});

test('a changed catalog is picked up through observe() and the difference is shown', async () => {
  const before = mock.state.hash;
  await page.click('#sim-changed');
  await page.waitForFunction((h) => !document.querySelector('#mock-state')?.textContent.includes(h.slice(0, 8)), before, WAIT);
  await page.click('#check-updates');
  await waitText('#change-notice', 'added');
  assert.match(await text('#change-notice'), /1 model added, 1 removed, 1 changed just now/);
  assert.match(await text('#change-notice'), /\+ veo-3/);
  assert.match(await text('#change-notice'), /− claude-sonnet-4/);
  assert.match(await text('#change-notice'), /gpt-5/);
  await waitText('#state [data-field="Hash"]', mock.state.hash.slice(0, 8));
  assert.ok((await modelIds()).includes('veo-3'));
  assert.equal(await page.getAttribute('[data-model="veo-3"]', 'class'), 'card card-new');
  assert.equal(await page.getAttribute('[data-model="gpt-5"]', 'class'), 'card card-changed');
  assert.ok(!(await modelIds()).includes('claude-sonnet-4'));
  assert.match(await text('#activity'), /GET \/v1\/me → 200 \+ action-require: update-resources/);
  assert.match(await text('#mock-log'), /GET \/v1\/me → 200 \+ action-require/);
});

/** GET /v1/resources requests in the mock's log. */
const catalogRequests = async () => (await (await fetch(`${mock.url}/__control/log`)).json()).requests
  .filter((r) => r.method === 'GET' && r.path === '/v1/resources').length;
const second = (field) => text(`#second-state [data-field="${field}"]`);

test('a second client of the same record follows the first through subscribe/getSnapshot: one request serves both', async () => {
  // It already followed the change above, without a request of its own.
  assert.equal(await second('Hash'), mock.state.hash.slice(0, 8));
  assert.equal(await second('Models'), '7');
  assert.equal(await second('Requests of its own'), '0');
  // Each change of the stored catalog is one new snapshot object.
  const changes = Number(await second('Snapshot changes'));

  // A change through Refresh: the default catalog back.
  let before = await catalogRequests();
  await page.click('#sim-default');
  await page.waitForFunction((h) => document.querySelector('#mock-state')?.textContent.includes(h.slice(0, 8)), mock.state.hash, WAIT);
  await page.click('#refresh');
  await waitText('#second-state [data-field="Hash"]', mock.state.hash.slice(0, 8));
  assert.equal(await text('#state [data-field="Hash"]'), mock.state.hash.slice(0, 8));
  assert.equal(await catalogRequests(), before + 1, 'one catalog request for the change');
  await waitText('#second-state [data-field="Catalog requests the mock saw"]', String(before + 1));
  assert.equal(await second('Requests of its own'), '0');
  assert.equal(await second('Snapshot changes'), String(changes + 1));
  assert.ok((await modelIds()).includes('claude-sonnet-4'));

  // And through observe(): the changed catalog again, as the tests below expect.
  before = await catalogRequests();
  await page.click('#sim-changed');
  await page.waitForFunction((h) => document.querySelector('#mock-state')?.textContent.includes(h.slice(0, 8)), mock.state.hash, WAIT);
  await page.click('#check-updates');
  await waitText('#second-state [data-field="Hash"]', mock.state.hash.slice(0, 8));
  await waitText('#state [data-field="Hash"]', mock.state.hash.slice(0, 8));
  assert.equal(await catalogRequests(), before + 1, 'one catalog request for the change');
  await waitText('#second-state [data-field="Catalog requests the mock saw"]', String(before + 1));
  assert.equal(await second('Requests of its own'), '0');
  assert.equal(await second('Snapshot changes'), String(changes + 2));
  assert.equal(await second('Models'), '7');
  assert.ok((await modelIds()).includes('veo-3'));
  await page.screenshot({ path: `${shots}/second-client-1280.png`, fullPage: true });
  // The top of the page down to the second client's panel (the README's docs/demo.png).
  const bottom = await page.evaluate(() => Math.ceil(document.querySelector('#second-panel').getBoundingClientRect().bottom + scrollY + 16));
  await page.screenshot({ path: `${shots}/changed-1280.png`, fullPage: true, clip: { x: 0, y: 0, width: 1280, height: bottom } });
});

test('a failing server: one 500 is retried away; three 500s serve the stored catalog as stale', async () => {
  await page.click('#sim-500');
  await waitText('#mock-log', '→ 500');
  await page.waitForFunction(() => document.querySelector('#activity li')?.textContent.includes('Refresh:'), null, WAIT);
  assert.equal(await text('#state [data-field="Stale"]'), 'no');
  assert.equal(await page.locator('#error').isHidden(), true);

  await page.click('#sim-down');
  await waitText('#state [data-field="Stale"]', 'yes');
  assert.equal(await text('#state [data-field="Source"]'), 'cache');
  assert.equal(await page.locator('#warnings').isVisible(), true);
  await page.screenshot({ path: `${shots}/stale-1280.png`, fullPage: true });
  await page.click('#refresh');
  await waitText('#state [data-field="Stale"]', 'no');
});

test('a wrong API key shows the 401 in plain words and how to fix it; the key stays out of the URL and storage', async () => {
  await page.fill('#api-key', 'sk-wrong-key');
  await page.click('#apply');
  await page.waitForSelector('#error[data-code="UNAUTHORIZED_ERROR"]:not([hidden])', WAIT);
  const message = await text('#error');
  assert.match(message, /The server refused the API key/);
  assert.match(message, /HTTP 401 · UNAUTHORIZED_ERROR/);
  assert.match(message, /How to fix: Check the API key/);
  assert.ok(!page.url().includes('sk-'), page.url());
  const stored = await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }));
  assert.ok(stored.length > 10, 'the catalog is stored');
  assert.ok(!stored.includes('sk-wrong-key') && !stored.includes('sk-mock-demo'), 'no key in storage');
  await page.screenshot({ path: `${shots}/unauthorized-1280.png`, fullPage: true });
});

test('after a reload the catalog comes from the cache, then the change since the last visit shows', async () => {
  await fetch(`${mock.url}/__control/catalog`, { method: 'POST', body: JSON.stringify({ preset: 'default' }) });
  await page.reload();
  await page.waitForSelector('body[data-ready]', WAIT);
  assert.ok(await page.locator('#activity li[data-source="cache"]').count() >= 1, await text('#activity'));
  await waitText('#change-notice', 'since your last visit');
  assert.match(await text('#change-notice'), /1 model added, 1 removed, 1 changed since your last visit/);
  assert.match(await text('#change-notice'), /\+ claude-sonnet-4/);
  assert.equal(await page.inputValue('#api-key'), 'sk-mock-demo', 'the wrong key lived in memory only');
  assert.equal(await page.locator('#error').isHidden(), true);
});

test('the keyboard reaches every kind of control', async () => {
  await page.locator('body').focus();
  const reached = new Set();
  for (let i = 0; i < 120; i += 1) {
    await page.keyboard.press('Tab');
    reached.add(await page.evaluate(() => document.activeElement?.id || document.activeElement?.tagName));
  }
  for (const id of ['base-url', 'api-key', 'apply', 'refresh', 'clear-cache', 'check-updates', 'search',
    'modality-all', 'opt-o3-reasoningEffort', 'try-o3', 'extra-key', 'prompt', 'run', 'sim-changed']) {
    assert.ok(reached.has(id), `Tab never reached #${id}`);
  }
  // A select can be driven from the keyboard too.
  await page.focus('#opt-sora-2-seconds');
  await page.keyboard.press('ArrowDown');
  assert.equal(await page.inputValue('#opt-sora-2-seconds'), '4');
});

test('the page reads well at 1280 and at 360 px (no sideways scrolling); screenshots taken', async () => {
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.screenshot({ path: `${shots}/demo-1280.png`, fullPage: true });
  await page.setViewportSize({ width: 360, height: 780 });
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 360, `page is ${width} px wide at 360`);
  await page.screenshot({ path: `${shots}/demo-360.png`, fullPage: true });
});

test('every control has a label', async () => {
  const unlabelled = await page.evaluate(() => [...document.querySelectorAll('input, select, textarea')]
    .filter((el) => el.labels.length === 0).map((el) => el.id || el.outerHTML));
  assert.deepEqual(unlabelled, []);
});

test('the console stayed clean (only the HTTP errors this test provoked were logged)', () => {
  console.log(`expected failed loads: ${failedLoads.length}\n  ${failedLoads.join('\n  ')}`);
  assert.deepEqual(consoleProblems, []);
  // Chromium logs every 4xx/5xx answer; these are exactly the ones provoked above:
  // the 422 run, one 500 then three 500s (first try and two retries), the wrong key.
  const statuses = failedLoads.map((line) => Number(/status of (\d+)/.exec(line)[1]));
  assert.deepEqual(statuses, [422, 500, 500, 500, 500, 401]);
});
