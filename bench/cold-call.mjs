// The cold first call in Chromium: a new page (a new browser context each
// time) imports the package from a local server, then times, with
// performance.now(), `new ResourcesClient()`, the time from `fetchResources()`
// to its request leaving (resource timing), and the time from the answer's last
// byte to the result; then the same for a second client of another record in
// the same page (warm code). Prints medians.
//   node bench/cold-call.mjs [--loads N] [--pkg DIR] [--js-flags "..."]
// --js-flags: V8 flags for Chromium, e.g. --no-wasm-lazy-compilation to see
// what compiling on first call costs.
import http from 'node:http';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const args = process.argv.slice(2);
const option = (name, fallback) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
const loads = Number(option('--loads', 7));
const pkg = option('--pkg', fileURLToPath(new URL('../pkg/', import.meta.url)));
const jsFlags = option('--js-flags', null);

const page = `<!doctype html><meta charset="utf-8"><script type="module">
import { ResourcesClient } from '/pkg/index.js';
const requests = () => performance.getEntriesByType('resource').filter((e) => e.name.endsWith('/v1/resources'));
async function time(storageKey) {
  const t0 = performance.now();
  const client = new ResourcesClient({ baseUrl: location.origin, storageKey });
  const t1 = performance.now();
  const call = client.fetchResources();
  const t2 = performance.now();
  await call;
  const t3 = performance.now();
  const request = requests().at(-1);
  return { constructor: t1 - t0, toRequest: request.startTime - t2, afterAnswer: t3 - request.responseEnd };
}
const cold = await time('cold');
const warm = await time('warm');
window.__times = { cold, warm };
</script>`;
const catalog = readFileSync(fileURLToPath(new URL('../tests/fixtures/catalog.json', import.meta.url)));
const server = http.createServer((req, res) => {
  const send = (type, body) => { res.setHeader('content-type', type); res.end(body); };
  if (req.url === '/cold.html') return send('text/html', page);
  if (req.url === '/pkg/index.js') return send('text/javascript', readFileSync(`${pkg}/index.js`));
  if (req.url.startsWith('/v1/resources')) return send('application/json', catalog);
  res.statusCode = 404;
  res.end();
}).listen(0, '127.0.0.1');
await new Promise((resolve) => server.on('listening', resolve));
const base = `http://127.0.0.1:${server.address().port}`;
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', ...(jsFlags ? [`--js-flags=${jsFlags}`] : [])],
});
const runs = [];
try {
  for (let i = 0; i < loads; i += 1) {
    const context = await browser.newContext();
    const tab = await context.newPage();
    await tab.goto(`${base}/cold.html`);
    await tab.waitForFunction(() => window.__times, null, { timeout: 20_000 });
    runs.push(await tab.evaluate(() => window.__times));
    await context.close();
  }
} finally {
  await browser.close();
  server.close();
}
const median = (values) => values.sort((a, b) => a - b)[values.length >> 1].toFixed(1);
console.log(`| code | new ResourcesClient() | fetchResources() → request | answer → result |`);
console.log(`|---|---:|---:|---:|`);
for (const kind of ['cold', 'warm']) {
  const col = (k) => median(runs.map((r) => r[kind][k]));
  console.log(`| ${kind} | ${col('constructor')} ms | ${col('toRequest')} ms | ${col('afterAnswer')} ms |`);
}
console.log(`\nChromium ${browser.version()}, ${loads} loads, medians; pkg ${pkg}${jsFlags ? `; --js-flags=${jsFlags}` : ''}.`);
