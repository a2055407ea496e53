// The benchmark (`./run bench`, after `./run build`): the same suite in Node and
// in headless Chromium, side by side, plus cold start and peak memory. Prints a
// table of medians and ratios to JSON.parse, and writes the results section of
// BENCHMARKS.md.
//   node bench/run.mjs [--quick] [--no-write]
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir, cpus, totalmem, release } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync, constants } from 'node:zlib';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';
import { startMockServer } from '../mock/server.mjs';
import { runSuite, CASES } from './suite.mjs';
import { catalogText, SIZES } from './catalog.mjs';

const root = fileURLToPath(new URL('../', import.meta.url));
const quick = process.argv.includes('--quick');
const write = !process.argv.includes('--no-write');
const minCpuMs = quick ? 300 : 1500; // per case and size, spread over the rounds
const rounds = quick ? 3 : 7;
const sizes = quick ? [100, 10_000] : SIZES;
const require = createRequire(import.meta.url);

/** Chromium flags as in tests/browser/run.mjs, plus a callable gc() for the harness. */
const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync', '--js-flags=--expose-gc',
];

const log = (line) => process.stderr.write(`${line}\n`);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
const ms = (ns) => (ns / 1e6 < 1 ? (ns / 1e6).toFixed(3) : (ns / 1e6).toFixed(2));
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;

// ---- Node ----
log('== Node.js');
if (typeof globalThis.gc !== 'function') log('(run with --expose-gc for a collection between samples)');
const lib = require('../pkg/index.cjs');
const node = await runSuite(lib, { log, minCpuMs, sizes, rounds });

const nodeCold = [];
for (let i = 0; i < (quick ? 3 : 7); i += 1) {
  const out = execFileSync(process.execPath, ['-e',
    "const t=performance.now();require('./pkg/index.cjs');process.stdout.write(String(performance.now()-t))"], { cwd: root });
  nodeCold.push(Number(out));
}
log(`cold start (require, compile, instantiate): ${median(nodeCold).toFixed(2)} ms`);

// ---- peak memory at 50,000 models (Node, one fresh process per case) ----
const memory = [];
if (!quick) {
  const dir = mkdtempSync(join(tmpdir(), 'rc-bench-'));
  try {
    const file = join(dir, 'catalog.json');
    writeFileSync(file, catalogText(50_000));
    for (const id of ['a', 'b', 'c', 'd']) {
      const out = execFileSync(process.execPath, ['--expose-gc', join(root, 'bench/memory.mjs'), id, file], { cwd: root });
      memory.push({ ...JSON.parse(out), bytes: statSync(file).size });
      log(`memory ${id}: ${out.toString().trim()}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---- Chromium ----
log('== Chromium');
const site = await startMockServer({ port: 0, staticDir: root, pkgDir: join(root, 'pkg') });
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS });
let chrome;
const chromeCold = [];
let chromeVersion;
try {
  chromeVersion = browser.version();
  for (let i = 0; i < (quick ? 3 : 7); i += 1) {
    const page = await browser.newPage();
    await page.goto(`${site.url}/bench/index.html`);
    await page.waitForFunction(() => window.__ready === true);
    chromeCold.push(await page.evaluate(() => window.__coldStart()));
    await page.close();
  }
  log(`cold start (fetch, compile, instantiate): ${median(chromeCold).toFixed(2)} ms`);
  const page = await browser.newPage();
  page.on('console', (m) => log(m.text()));
  page.on('pageerror', (e) => log(`page error: ${e}`));
  await page.goto(`${site.url}/bench/index.html`);
  await page.waitForFunction(() => window.__ready === true);
  chrome = await page.evaluate((o) => window.__runSuite(o), { minCpuMs, sizes, rounds });
} finally {
  await browser.close();
  await site.close();
}

// ---- report ----
const wasm = readFileSync(join(root, 'pkg/web/resources_client_bg.wasm'));
const glue = readFileSync(join(root, 'pkg/web/resources_client.js'));
const gz = (b) => gzipSync(b, { level: constants.Z_BEST_COMPRESSION }).length;

const lines = [];
const out = (s = '') => lines.push(s);
out('| models | body | case | Node median | × (a) | Chromium median | × (a) |');
out('|---:|---:|---|---:|---:|---:|---:|');
for (const size of sizes) {
  const pick = (res, id) => res.rows.find((r) => r.size === size && r.case === id);
  for (const { id, label } of CASES) {
    const n = pick(node, id);
    const c = pick(chrome, id);
    out(`| ${size.toLocaleString('en')} | ${kb(n.bytes)} | ${label} | ${ms(n.ns)} ms | ${n.ratio.toFixed(2)} | ${ms(c.ns)} ms | ${c.ratio.toFixed(2)} |`);
  }
}
out();
out('| `cached()`, 1,000 models | Node | × | Chromium | × |');
out('|---|---:|---:|---:|---:|');
out(`| \`JSON.parse(storage.getItem(key))\` of the record (${kb(node.cached.recordBytes)}) | ${ms(node.cached.parse)} ms | 1.00 | ${ms(chrome.cached.parse)} ms | 1.00 |`);
out(`| \`client.cached()\` | ${ms(node.cached.cached)} ms | ${node.cached.cachedRatio.toFixed(2)} | ${ms(chrome.cached.cached)} ms | ${chrome.cached.cachedRatio.toFixed(2)} |`);
out(`| \`new ResourcesClient(...).cached()\` (reads and validates the record) | ${ms(node.cached.firstRead)} ms | ${node.cached.firstReadRatio.toFixed(2)} | ${ms(chrome.cached.firstRead)} ms | ${chrome.cached.firstReadRatio.toFixed(2)} |`);
out();
out(`Cold start (median of ${nodeCold.length}): Node \`require\` ${median(nodeCold).toFixed(1)} ms; Chromium \`import()\` of the entry (fetch from localhost, compile, instantiate) ${median(chromeCold).toFixed(1)} ms.`);
out();
if (memory.length) {
  out(`Peak memory at 50,000 models (Node, a fresh process per case, body of ${kb(memory[0].bytes)} already in memory):`);
  out();
  out('| case | peak RSS growth | retained with the result alive |');
  out('|---|---:|---:|');
  for (const m of memory) {
    const label = CASES.find((c) => c.id === m.case).label;
    out(`| ${label} | ${(m.peakRssGrowth / 2 ** 20).toFixed(1)} MB | ${(m.retained / 2 ** 20).toFixed(1)} MB |`);
  }
  out();
}
out(`Browser build: \`resources_client_bg.wasm\` ${kb(wasm.length)} (${kb(gz(wasm))} gzip -9), glue \`resources_client.js\` ${kb(glue.length)} (${kb(gz(glue))} gzip -9).`);
out();
const versions = {
  node: process.version,
  chromium: chromeVersion,
  mitata: require('mitata/package.json').version,
  zod: require('zod/package.json').version,
  cpu: `${cpus()[0]?.model ?? 'unknown'} × ${cpus().length}`,
  memory: `${(totalmem() / 2 ** 30).toFixed(0)} GB`,
  os: `Linux ${release()}`,
};
out(`Machine and versions: ${Object.entries(versions).map(([k, v]) => `${k} ${v}`).join('; ')}. `
  + `Command: \`./run bench\`${quick ? ' (quick)' : ''}, ${new Date().toISOString().slice(0, 10)}. `
  + `Each time is the median over ${rounds} interleaved rounds of mitata medians; each ratio is the median over the rounds of the case divided by (a) of the same round and engine.`);

const table = lines.join('\n');
console.log(table);
if (write && !quick) {
  const file = join(root, 'BENCHMARKS.md');
  const doc = readFileSync(file, 'utf8');
  const begin = '<!-- bench:begin -->';
  const end = '<!-- bench:end -->';
  const a = doc.indexOf(begin);
  const b = doc.indexOf(end);
  if (a < 0 || b < a) throw new Error('BENCHMARKS.md lacks the bench:begin/bench:end markers');
  writeFileSync(file, `${doc.slice(0, a + begin.length)}\n${table}\n${doc.slice(b)}`);
  log('BENCHMARKS.md updated');
}
