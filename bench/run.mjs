// The benchmark (`./run bench`, after `./run build`): the same suite in Node and
// in headless Chromium, side by side, plus cold start and peak memory. Prints a
// table of medians and ratios to JSON.parse, and writes the results section of
// BENCHMARKS.md; then the main path (bench/main-path.mjs: fetchResources against
// fetch + res.json(), a new client's first cached() against JSON.parse of the
// record) and its section.
//   node bench/run.mjs [--quick] [--no-write] [--main-only]
// --quick: two sizes, fewer rounds, writes nothing. --main-only: only the main
// path (and only its section of BENCHMARKS.md is written).
import { execFileSync, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { readFileSync, writeFileSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir, cpus, totalmem, release, loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync, constants } from 'node:zlib';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';
import { startMockServer } from '../mock/server.mjs';
import { runSuite, CASES } from './suite.mjs';
import { runMainPath, MAIN_CASES, MAIN_GOALS, PEER_GOALS, goalFor } from './main-path.mjs';
import { catalogText, SIZES } from './catalog.mjs';
import { writeSections } from './sections.mjs';

const root = fileURLToPath(new URL('../', import.meta.url));
const quick = process.argv.includes('--quick');
const write = !process.argv.includes('--no-write');
const mainOnly = process.argv.includes('--main-only');
for (const arg of process.argv.slice(2)) {
  if (!['--quick', '--no-write', '--main-only'].includes(arg)) throw new Error(`unknown option ${arg} (known: --quick, --no-write, --main-only)`);
}
const minCpuMs = quick ? 300 : 1500; // per case and size, spread over the rounds
const rounds = quick ? 3 : 7;
const sizes = quick ? [100, 10_000] : SIZES;
const require = createRequire(import.meta.url);
const loadStart = loadavg();

/** Chromium flags as in tests/runtimes/browser/chromium.mjs, plus a callable gc() for the harness. */
const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync', '--js-flags=--expose-gc',
];

let lastProgress = Date.now();
const log = (line) => {
  lastProgress = Date.now();
  process.stderr.write(`${line}\n`);
};
// Bounded: a run that reports nothing for 10 minutes (a stalled request, a hung page) stops.
setInterval(() => {
  if (Date.now() - lastProgress > 600_000) {
    log('no progress for 10 minutes: stopping');
    process.exit(1);
  }
}, 10_000).unref();
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
const ms = (ns) => (ns / 1e6 < 1 ? (ns / 1e6).toFixed(3) : (ns / 1e6).toFixed(2));
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;

/** Starts bench/api-server.mjs in its own process; resolves to its URL and a stop(). */
async function startApiServer() {
  const child = spawn(process.execPath, [join(root, 'bench/api-server.mjs')], { stdio: ['pipe', 'pipe', 'inherit'] });
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the benchmark API server did not start within 10 s')), 10_000);
    child.once('exit', (code) => reject(new Error(`the benchmark API server exited (${code})`)));
    createInterface({ input: child.stdout }).on('line', (line) => {
      if (line.startsWith('API_URL=')) {
        clearTimeout(timer);
        resolve(line.slice('API_URL='.length));
      }
    });
  });
  return { url, stop: () => { child.stdin.end(); child.stdout.destroy(); } };
}
const api = await startApiServer();
process.on('exit', () => api.stop());

// ---- Node ----
log('== Node.js');
if (typeof globalThis.gc !== 'function') log('(run with --expose-gc for a collection between samples)');
const lib = require('../pkg/index.cjs');
const node = mainOnly ? null : await runSuite(lib, { log, minCpuMs, sizes, rounds });
log('-- main path (Node)');
const nodeMain = await runMainPath(lib, { apiUrl: api.url, log, minCpuMs, sizes, rounds });

const nodeCold = [];
for (let i = 0; i < (mainOnly ? 0 : quick ? 3 : 7); i += 1) {
  const out = execFileSync(process.execPath, ['-e',
    "const t=performance.now();require('./pkg/index.cjs');process.stdout.write(String(performance.now()-t))"], { cwd: root });
  nodeCold.push(Number(out));
}
if (nodeCold.length) log(`cold start (require, compile, instantiate): ${median(nodeCold).toFixed(2)} ms`);

// ---- peak memory at 50,000 models (Node, one fresh process per case) ----
const memory = [];
if (!quick && !mainOnly) {
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
let chromeMain;
const chromeCold = [];
let chromeVersion;
try {
  chromeVersion = browser.version();
  for (let i = 0; i < (mainOnly ? 0 : quick ? 3 : 7); i += 1) {
    const page = await browser.newPage();
    await page.goto(`${site.url}/bench/index.html`);
    await page.waitForFunction(() => window.__ready === true);
    chromeCold.push(await page.evaluate(() => window.__coldStart()));
    await page.close();
  }
  if (chromeCold.length) log(`cold start (fetch, compile, instantiate): ${median(chromeCold).toFixed(2)} ms`);
  const page = await browser.newPage();
  page.on('console', (m) => log(m.text()));
  page.on('pageerror', (e) => log(`page error: ${e}`));
  await page.goto(`${site.url}/bench/index.html`);
  await page.waitForFunction(() => window.__ready === true);
  if (!mainOnly) chrome = await page.evaluate((o) => window.__runSuite(o), { minCpuMs, sizes, rounds });
  // The page (the mock server's origin) calls the API server on another port: cross-origin, as in production.
  log('-- main path (Chromium)');
  chromeMain = await page.evaluate((o) => window.__runMainPath(o), { apiUrl: api.url, minCpuMs, sizes, rounds });
} finally {
  await browser.close();
  await site.close();
}

// ---- report ----
const wasm = readFileSync(join(root, 'pkg/web/resources_client_bg.wasm'));
const entry = readFileSync(join(root, 'pkg/index.js'));
const gz = (b) => gzipSync(b, { level: constants.Z_BEST_COMPRESSION }).length;
const args = process.argv.slice(2).join(' ');
const command = `\`node --expose-gc bench/run.mjs${args ? ` ${args}` : ''}\` (what \`./run bench${args ? ` ${args}` : ''}\` runs after set-up and build)`;
const today = new Date().toISOString().slice(0, 10);
const loadEnd = loadavg();
const versions = {
  node: process.version,
  chromium: chromeVersion,
  mitata: require('mitata/package.json').version,
  zod: require('zod/package.json').version,
  cpu: `${cpus()[0]?.model ?? 'unknown'} × ${cpus().length}`,
  memory: `${(totalmem() / 2 ** 30).toFixed(0)} GB`,
  os: `Linux ${release()}`,
};
const machine = `Machine and versions: ${Object.entries(versions).map(([k, v]) => `${k} ${v}`).join('; ')}. `
  + `Load average (1 min) ${loadStart[0].toFixed(1)} at the start, ${loadEnd[0].toFixed(1)} at the end (other builds ran on the same cores). `
  + `Command: ${command}, ${today}. `;

/** The parse table, cached() at 1,000 models, cold start, memory, build size. */
function parseReport() {
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
  out(`Browser build: \`index.js\` (glue, lookups and the module's bytes) ${kb(entry.length)} (${kb(gz(entry))} gzip -9); the module alone ${kb(wasm.length)} (${kb(gz(wasm))} gzip -9).`);
  out();
  out(machine
    + `Each time is the median over ${rounds} interleaved rounds of mitata medians; each ratio is the median over the rounds of the case divided by (a) of the same round and engine.`);
  return lines.join('\n');
}

/** The main path: medians, ratios to the hand-written baseline, the goals. */
function mainReport() {
  const lines = [];
  const out = (s = '') => lines.push(s);
  const cell = (row) => (row.ns === null ? 'n/a' : `${ms(row.ns)} ms`);
  const ratio = (row) => (row.ratio === null ? 'n/a' : row.ratio.toFixed(2));
  const fmtGoal = (g) => (g === null ? '' : `≤ ${g}`);
  out('| models | body | case | Node median | × | Chromium median | × | goal |');
  out('|---:|---:|---|---:|---:|---:|---:|---|');
  for (const size of sizes) {
    const pick = (res, id) => res.rows.find((r) => r.size === size && r.case === id);
    for (const { id, label } of MAIN_CASES) {
      const n = pick(nodeMain, id);
      const c = pick(chromeMain, id);
      out(`| ${size.toLocaleString('en')} | ${kb(n.bytes)} | ${label} | ${cell(n)} | ${ratio(n)} | ${cell(c)} | ${ratio(c)} | ${fmtGoal(goalFor(id, size))} |`);
    }
  }
  out();
  out('Ratios against the goals (met when the ratio is at most the goal):');
  out();
  out('| goal | Node | Chromium |');
  out('|---|---|---|');
  const verdict = (res, id, goalSizes) => goalSizes.map((size) => {
    const row = res.rows.find((r) => r.size === size && r.case === id);
    if (!row || row.ratio === null) return `${size.toLocaleString('en')}: n/a`;
    return `${size.toLocaleString('en')}: ${row.ratio.toFixed(2)} ${row.ratio <= goalFor(id, size) ? 'met' : '**not met**'}`;
  }).join('; ');
  const against = { fetch: '`fetch` + `res.json()`', parse: '`JSON.parse` of the record', parseRecord: '`JSON.parse` of the record text in hand' };
  const goalText = (id) => {
    const { label, vs } = MAIN_CASES.find((c) => c.id === id);
    const bySize = new Map();
    for (const [size, g] of Object.entries(MAIN_GOALS[id])) bySize.set(g, [...(bySize.get(g) ?? []), size]);
    const list = (ss) => ss.map((x) => Number(x).toLocaleString('en')).join(ss.length === 2 ? ' and ' : ', ');
    const parts = [...bySize].map(([g, ss]) => `≤ ${g}${ss[0] === '*' ? '' : ` at ${list(ss)} models`}`);
    return `${label} ÷ ${against[vs]}: ${parts.join('; ')}`;
  };
  const goalRows = Object.keys(MAIN_GOALS).map((id) => [goalText(id), id]);
  for (const [text, id] of goalRows) {
    const goalSizes = sizes.filter((size) => goalFor(id, size) !== null);
    out(`| ${text} | ${verdict(nodeMain, id, goalSizes)} | ${verdict(chromeMain, id, goalSizes)} |`);
  }
  // Against a peer: met when the call's ratio is below the peer's, size by size.
  const beats = (res, id, peer) => sizes.map((size) => {
    const [row, other] = [id, peer].map((c) => res.rows.find((r) => r.size === size && r.case === c));
    if (!row || !other || row.ratio === null || other.ratio === null) return `${size.toLocaleString('en')}: n/a`;
    return `${size.toLocaleString('en')}: ${row.ratio.toFixed(2)} against ${other.ratio.toFixed(2)} ${row.ratio < other.ratio ? 'met' : '**not met**'}`;
  }).join('; ');
  for (const [id, peer] of Object.entries(PEER_GOALS)) {
    const [label, peerLabel] = [id, peer].map((c) => MAIN_CASES.find((m) => m.id === c).label);
    out(`| ${label} faster than ${peerLabel.replace(/^peer: /, '')} | ${beats(nodeMain, id, peer)} | ${beats(chromeMain, id, peer)} |`);
  }
  out();
  const notes = [...nodeMain.notes, ...chromeMain.notes];
  if (notes.length) {
    out('What happened to storage:');
    out();
    for (const n of notes) out(`- ${n}.`);
    out();
  }
  out(machine
    + `Each time is the median over ${rounds} interleaved rounds (all cases of a size in each round, in reverse order every other round) of mitata medians; each ratio is the median over the rounds of the case divided by its baseline of the same round and engine.`);
  return lines.join('\n');
}

const sections = [];
if (!mainOnly) sections.push(['bench', parseReport()]);
sections.push(['bench-main', mainReport()]);
for (const [, text] of sections) console.log(`${text}\n`);
if (write && !quick) {
  writeSections(sections);
  log('BENCHMARKS.md updated');
}
// The API server's pipes would keep this process alive.
api.stop();
