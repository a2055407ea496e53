// The cold first call in Chromium: a new page (a new browser context each
// time) imports the package from a local server, then times, with
// performance.now(), `new ResourcesClient()`, the time from `fetchResources()`
// to its request leaving (resource timing), and the time from the answer's last
// byte to the result; then the same for a second client of another record in
// the same page (warm code). Prints medians.
//   node bench/cold-call.mjs [--loads N] [--pkg DIR] [--js-flags "..."] [--trace]
// --js-flags: V8 flags for Chromium, e.g. --no-wasm-lazy-compilation to see
// what compiling on first call costs.
// --trace: also counts the WebAssembly functions compiled on first call (V8's
// wasm.CompileLazy trace events) in each step of the cold client, and the time
// spent compiling them; the step from fetchResources() to the request ends
// where the page's fetch is called (the page wraps fetch to mark it).
import http from 'node:http';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const args = process.argv.slice(2);
const option = (name, fallback) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
const loads = Number(option('--loads', 7));
const pkg = option('--pkg', fileURLToPath(new URL('../pkg/', import.meta.url)));
const jsFlags = option('--js-flags', null);
const trace = args.includes('--trace');
/** The steps of the cold client, between the page's performance marks. */
const STEPS = [
  { name: '`new ResourcesClient()`', from: 'cold-start', to: 'cold-constructed' },
  { name: '`fetchResources()` → its `fetch`', from: 'cold-constructed', to: 'fetch-called' },
  { name: 'its `fetch` → the result', from: 'fetch-called', to: 'cold-done' },
];

const page = `<!doctype html><meta charset="utf-8"><script type="module">
${trace ? `const sent = fetch;
window.fetch = (...a) => { performance.mark('fetch-called'); return sent(...a); };` : ''}
const { ResourcesClient } = await import('/pkg/index.js');
const requests = () => performance.getEntriesByType('resource').filter((e) => e.name.endsWith('/v1/resources'));
async function time(storageKey) {
  performance.mark(storageKey + '-start');
  const t0 = performance.now();
  const client = new ResourcesClient({ baseUrl: location.origin, storageKey });
  const t1 = performance.now();
  performance.mark(storageKey + '-constructed');
  const call = client.fetchResources();
  const t2 = performance.now();
  await call;
  const t3 = performance.now();
  performance.mark(storageKey + '-done');
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
const compiled = []; // per load: { step: [functions, ms] }
try {
  for (let i = 0; i < loads; i += 1) {
    const context = await browser.newContext();
    const tab = await context.newPage();
    if (trace) await browser.startTracing(tab, { categories: ['v8.wasm', 'blink.user_timing'] });
    await tab.goto(`${base}/cold.html`);
    await tab.waitForFunction(() => window.__times, null, { timeout: 20_000 });
    runs.push(await tab.evaluate(() => window.__times));
    if (trace) compiled.push(lazyCompiles(JSON.parse((await browser.stopTracing()).toString()).traceEvents));
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
if (trace) {
  console.log(`\n| step of the cold client | functions compiled on first call | ms compiling them |`);
  console.log(`|---|---:|---:|`);
  for (const step of STEPS) {
    const col = (k) => median(compiled.map((c) => c[step.name][k]));
    console.log(`| ${step.name} | ${col(0).replace('.0', '')} | ${col(1)} |`);
  }
}

/** `{ step: [functions compiled, ms] }` of one load's trace. */
function lazyCompiles(events) {
  const at = (name) => events.find((e) => e.name === name && e.cat.includes('blink.user_timing'))?.ts;
  const out = {};
  for (const step of STEPS) {
    const [from, to] = [at(step.from), at(step.to)];
    const inside = events.filter((e) => e.name === 'wasm.CompileLazy' && e.ph === 'X' && e.ts >= from && e.ts < to);
    out[step.name] = [inside.length, inside.reduce((sum, e) => sum + e.dur, 0) / 1000];
  }
  return out;
}
