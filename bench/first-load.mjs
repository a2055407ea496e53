// First load: what a user feels of the package in a web app. A cold page
// (a new browser context per load: empty HTTP cache, empty storage) in headless
// Chromium, files served gzip -9 as a CDN would, a catalog of 50 models on the
// page's own origin: the package's page (import the default entry,
// `new ResourcesClient({ baseUrl })`, `await fetchResources()`) against the same
// page written by hand (`fetch(url).then((r) => r.json())`), loads interleaved,
// on loopback and on Chrome DevTools' "Fast 4G" (through the DevTools protocol).
// A second pair is the same two pages as an app built with a bundler ships
// them: each page loads one script, `app/hand.js` (the hand-written code) or
// `app/package.js` (the package's page code bundled with the package by
// esbuild), so that both pay the round trip for their script and differ only
// in its bytes and start.
//
//   node bench/first-load.mjs [--loads N] [--no-write] [--compare DIR]
//                                          (./run bench --first-load)
// --compare DIR: a third page, the same as the package's but importing
// DIR/index.js (another build of the package, e.g. an earlier commit's pkg/).
//
// Prints medians (time from navigation start to the catalog in hand, bytes
// transferred, requests), the time from the end of the import to the catalog
// request, and the waterfall of one load; writes the first-load section of
// BENCHMARKS.md unless --no-write.
import http from 'node:http';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync, constants } from 'node:zlib';
import { buildSync } from 'esbuild';
import { chromium } from 'playwright-core';
import { catalogText } from './catalog.mjs';
import { writeSections } from './sections.mjs';

const root = fileURLToPath(new URL('../', import.meta.url));
const args = process.argv.slice(2);
const loadsArg = args.indexOf('--loads');
const LOADS = loadsArg >= 0 ? Number(args[loadsArg + 1]) : 9;
const write = !args.includes('--no-write');
const compareArg = args.indexOf('--compare');
const compareDir = compareArg >= 0 ? args[compareArg + 1] : null;
for (const [i, arg] of args.entries()) {
  if (!['--loads', '--no-write', '--compare'].includes(arg) && !['--loads', '--compare'].includes(args[i - 1])) {
    throw new Error(`unknown option ${arg} (known: --loads N, --no-write, --compare DIR)`);
  }
}
if (!Number.isInteger(LOADS) || LOADS < 1 || LOADS > 99) throw new Error('--loads takes a whole number from 1 to 99');

/** DevTools' "Fast 4G" preset: 165 ms latency, 9 Mbps down and 1.5 Mbps up, each × 0.9. */
const NETWORKS = [
  ['loopback', null],
  ['Fast 4G', { offline: false, latency: 165, downloadThroughput: (9e6 / 8) * 0.9, uploadThroughput: (1.5e6 / 8) * 0.9 }],
];
const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

// Both pages note when their script started (after its imports, for the
// package's page), when the catalog was in hand, and what it held.
const PAGES = {
  '/hand.html': `<!doctype html><meta charset="utf-8"><title>by hand</title>
<script type="module">
const imported = performance.now();
const body = await fetch('/v1/resources').then((r) => r.json());
window.__done = { imported, ready: performance.now(), models: body.data.resources.models.length };
</script>`,
  '/package.html': `<!doctype html><meta charset="utf-8"><title>with the package</title>
<script type="module">
import { ResourcesClient } from '/pkg/index.js';
const imported = performance.now();
const client = new ResourcesClient({ baseUrl: location.origin });
const r = await client.fetchResources();
window.__done = { imported, ready: performance.now(), models: r.resources.models.length };
</script>`,
};
if (compareDir) PAGES['/compare.html'] = PAGES['/package.html'].replace("'/pkg/index.js'", "'/compare/index.js'");
// The bundled pair: the same code, each page's script in one file of its own.
const scriptOf = (html) => html.slice(html.indexOf('<script type="module">') + 22, html.indexOf('</script>'));
const APP_SCRIPTS = {
  '/app/hand.js': scriptOf(PAGES['/hand.html']),
  '/app/package.js': bundle(scriptOf(PAGES['/package.html']).replace("'/pkg/index.js'", "'./pkg/index.js'")),
};
PAGES['/app-hand.html'] = '<!doctype html><meta charset="utf-8"><title>by hand, bundled</title><script type="module" src="/app/hand.js"></script>';
PAGES['/app-package.html'] = '<!doctype html><meta charset="utf-8"><title>with the package, bundled</title><script type="module" src="/app/package.js"></script>';

/** `code` bundled with what it imports, as an app's build would (esbuild, minified whitespace and
 * syntax, UTF-8 kept as Vite keeps it: the module's bytes stay one character each). */
function bundle(code) {
  const out = buildSync({
    stdin: { contents: code, resolveDir: root, loader: 'js' },
    bundle: true, format: 'esm', platform: 'browser', target: 'es2022',
    minifyWhitespace: true, minifySyntax: true, charset: 'utf8', write: false, logLevel: 'silent',
  });
  return out.outputFiles[0].text;
}

const gzip = (bytes) => gzipSync(bytes, { level: constants.Z_BEST_COMPRESSION });
const catalog = Buffer.from(catalogText(50));
const files = new Map();
for (const [path, html] of Object.entries(PAGES)) files.set(path, ['text/html; charset=utf-8', gzip(Buffer.from(html))]);
files.set('/v1/resources', ['application/json', gzip(catalog)]);
const TYPES_JS = 'text/javascript; charset=utf-8';
const TYPES = { '.js': TYPES_JS, '.wasm': 'application/wasm' };
for (const [path, code] of Object.entries(APP_SCRIPTS)) files.set(path, [TYPES_JS, gzip(Buffer.from(code))]);
/** A file of a package directory, gzip -9 (made once). */
function packageFile(prefix, dir, path) {
  if (!files.has(path)) {
    const rel = path.slice(prefix.length);
    const type = TYPES[rel.slice(rel.lastIndexOf('.'))];
    if (!type || rel.includes('..')) return undefined;
    try {
      files.set(path, [type, gzip(readFileSync(join(dir, rel)))]);
    } catch {
      return undefined;
    }
  }
  return files.get(path);
}

let served = 0;
const server = http.createServer((req, res) => {
  served += 1;
  const path = new URL(req.url, 'http://x').pathname;
  const file = path.startsWith('/pkg/') ? packageFile('/pkg/', join(root, 'pkg'), path)
    : path.startsWith('/compare/') && compareDir ? packageFile('/compare/', compareDir, path)
      : files.get(path);
  if (!file) return res.writeHead(404).end();
  const headers = { 'content-type': file[0], 'content-encoding': 'gzip', 'content-length': file[1].length };
  // The package's file is cacheable as a CDN would serve it; cold loads start from an empty cache anyway.
  headers['cache-control'] = /^\/(pkg|compare|app)\//.test(path) ? 'public, max-age=31536000, immutable' : 'no-store';
  res.writeHead(200, headers).end(file[1]);
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const origin = `http://127.0.0.1:${server.address().port}`;

const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS });
const timeout = setTimeout(() => {
  console.error('first-load benchmark: no end after 10 minutes, stopping');
  process.exit(1);
}, 600_000);

/** One cold load of `path` on `network`: times, bytes and the resource waterfall. */
async function load(path, conditions) {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.setCacheDisabled', { cacheDisabled: false });
    if (conditions) await cdp.send('Network.emulateNetworkConditions', conditions);
    await page.goto(`${origin}${path}`);
    await page.waitForFunction(() => window.__done !== undefined, null, { timeout: 60_000 });
    return await page.evaluate(() => {
      const entries = performance.getEntriesByType('resource').map((e) => ({
        name: new URL(e.name).pathname,
        start: e.startTime,
        requestStart: e.requestStart,
        end: e.responseEnd,
        bytes: e.transferSize,
      }));
      const nav = performance.getEntriesByType('navigation')[0];
      const catalogRequest = entries.find((e) => e.name === '/v1/resources');
      return {
        ...window.__done,
        page: { name: 'page', start: 0, end: nav.responseEnd, bytes: nav.transferSize },
        entries,
        // From the end of the import to the catalog request leaving.
        toRequest: catalogRequest ? catalogRequest.start - window.__done.imported : NaN,
        bytes: nav.transferSize + entries.reduce((a, e) => a + e.bytes, 0),
        requests: 1 + entries.length,
      };
    });
  } finally {
    await context.close();
  }
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
const results = {};
const waterfalls = {};
try {
  // A warm-up load of each page (the browser's own start), not counted.
  for (const path of Object.keys(PAGES)) await load(path, null);
  for (const [network, conditions] of NETWORKS) {
    for (let i = 0; i < LOADS; i += 1) {
      // Interleaved, the order alternating, so that drift hits both pages alike.
      const pages = Object.keys(PAGES);
      const order = i % 2 === 0 ? pages : [...pages].reverse();
      for (const path of order) {
        const r = await load(path, conditions);
        if (r.models !== 50) throw new Error(`${path}: ${r.models} models`);
        (results[`${network} ${path}`] ??= []).push(r);
        if (i === 0) waterfalls[`${network} ${path}`] = r;
      }
      process.stderr.write(`${network}: load ${i + 1} of ${LOADS}\n`);
    }
  }
} finally {
  clearTimeout(timeout);
  await browser.close();
  server.close();
}

const fmt = (x) => `${Math.round(x)} ms`;
const lines = [];
lines.push('| network | page | first catalog (median) | × by hand | difference | bytes transferred | requests | import end → catalog request |');
lines.push('|---|---|---:|---:|---:|---:|---:|---:|');
for (const [network] of NETWORKS) {
  const hand = results[`${network} /hand.html`];
  const pkg = results[`${network} /package.html`];
  const handMs = median(hand.map((r) => r.ready));
  const appHand = results[`${network} /app-hand.html`];
  const appHandMs = median(appHand.map((r) => r.ready));
  // [label, loads, the time of the page by hand it is compared with]
  const rows = [['by hand', hand, null], ['with the package', pkg, handMs]];
  if (compareDir) rows.push([`with ${compareDir}`, results[`${network} /compare.html`], handMs]);
  rows.push(['bundled app, by hand', appHand, null], ['bundled app, with the package', results[`${network} /app-package.html`], appHandMs]);
  for (const [label, rs, baseMs] of rows) {
    const t = median(rs.map((r) => r.ready));
    const toRequest = median(rs.map((r) => r.toRequest));
    const ratio = (t / (baseMs ?? t)).toFixed(2);
    lines.push(`| ${network} | ${label} | ${fmt(t)} | ${ratio} | ${baseMs === null ? '' : `+${Math.round(t - baseMs)} ms`} | ${median(rs.map((r) => r.bytes)).toLocaleString('en')} B | ${median(rs.map((r) => r.requests))} | ${toRequest.toFixed(1)} ms |`);
  }
}
const w = waterfalls['Fast 4G /package.html'];
lines.push('');
lines.push('Waterfall of one cold load of the package\'s page on Fast 4G (resource timing, ms from navigation start):');
lines.push('');
lines.push('| request | start | request sent | end | bytes |');
lines.push('|---|---:|---:|---:|---:|');
lines.push(`| page (\`/package.html\`) | 0 | | ${fmt(w.page.end)} | ${w.page.bytes.toLocaleString('en')} |`);
for (const e of w.entries) {
  lines.push(`| \`${e.name}\` | ${fmt(e.start)} | ${fmt(e.requestStart)} | ${fmt(e.end)} | ${e.bytes.toLocaleString('en')} |`);
}
lines.push(`| catalog in hand | | | ${fmt(w.ready)} | |`);
const version = browser.version();
const report = `${lines.join('\n')}

Chromium ${version}; ${LOADS} loads of each page per network, interleaved, each in a new browser context (cold cache);
files served gzip -9 by one HTTP/1.1 server on 127.0.0.1 (\`pkg/index.js\` is ${(files.get('/pkg/index.js')[1].length / 1024).toFixed(1)} KB gzip,
the 50-model catalog ${(files.get('/v1/resources')[1].length / 1024).toFixed(1)} KB gzip); "bytes transferred" counts headers too. "first catalog" is \`performance.now()\` when the
catalog is in the page's hands; "import end → catalog request" is the catalog request's start less the moment the page's
script ran after its imports. The "bundled app" rows load each page's code as one script of its own (\`app/package.js\`,
the package's page bundled with the package by esbuild, is ${(files.get('/app/package.js')[1].length / 1024).toFixed(1)} KB gzip: esbuild writes the module's zero bytes as
\`\\0\`), as an app built with a bundler serves it; each is compared with the bundled app by hand, whose script is one round trip too. Command: \`node bench/first-load.mjs${args.length ? ` ${args.join(' ')}` : ''}\` (\`./run bench --first-load\` runs it alone, after set-up and build), ${new Date().toISOString().slice(0, 10)}.`;
console.log(report);
console.error(`${served} requests served`);

if (write) {
  writeSections([['first-load', report]]);
  console.error('BENCHMARKS.md updated (first load)');
}
