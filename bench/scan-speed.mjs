// The schema walk's speed in MB/s, natively and in wasm (Node and Chromium),
// on the benchmark catalogs: the walk alone, without JSON.parse or the client
// around it. bench/scan-speed/ compiles the package's src/domain/ by path,
// natively and for wasm32 with the package's flags (.cargo/config.toml) and
// the package's wasm-opt passes (Cargo.toml); each body is copied into the
// module once, then walked again and again.
//
//   node bench/scan-speed.mjs [--no-write]     (./run bench runs it; ./run bench --scan alone)
//
// Writes the `scan` section of BENCHMARKS.md unless --no-write.
import { execFileSync } from 'node:child_process';
import {
  mkdtempSync, readFileSync, rmSync, writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { catalogText } from './catalog.mjs';
import { writeSections } from './sections.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const crate = join(root, 'bench/scan-speed');
const write = !process.argv.includes('--no-write');
const SIZES = [100, 1_000, 10_000, 50_000];
const log = (line) => process.stderr.write(`${line}\n`);

// ---- build ----
const cargo = (args) => execFileSync('cargo', args, { cwd: crate, stdio: ['ignore', 'ignore', 'inherit'] });
cargo(['build', '--release', '--quiet']);
cargo(['build', '--release', '--quiet', '--lib', '--target', 'wasm32-unknown-unknown']);
const rawWasm = join(crate, 'target/wasm32-unknown-unknown/release/resources_client_scan_speed.wasm');
// The package's wasm-opt passes, as Cargo.toml lists them for wasm-pack.
const manifest = readFileSync(join(root, 'Cargo.toml'), 'utf8');
const optLine = manifest.split('\n').find((l) => l.startsWith('wasm-opt = ['));
const optFlags = JSON.parse(optLine.slice('wasm-opt = '.length));
const dir = mkdtempSync(join(tmpdir(), 'scan-speed-'));
const wasmFile = join(dir, 'walk.wasm');
execFileSync(join(root, 'node_modules/.bin/wasm-opt'), [...optFlags, rawWasm, '-o', wasmFile]);
const wasm = readFileSync(wasmFile);

const bodies = SIZES.map((size) => {
  const file = join(dir, `${size}.json`);
  writeFileSync(file, catalogText(size));
  return { size, file, text: readFileSync(file, 'utf8') };
});

// ---- native ----
const nativeOut = JSON.parse(execFileSync(join(crate, 'target/release/scan-speed'), bodies.map((b) => b.file)));
const native = bodies.map((b) => nativeOut[b.file]);
for (const [i, b] of bodies.entries()) log(`native ${b.size}: ${native[i].mbPerS.toFixed(0)} MB/s`);

/**
 * Times the walk of each body in a wasm instance (the same function runs in
 * Node and in a Chromium page): median of at least 20 runs and 300 ms each.
 * Imports are stubs: the walk calls none of them.
 */
async function timeInWasm(wasmBytes, texts) {
  const module = await WebAssembly.compile(wasmBytes);
  const imports = {};
  for (const { module: m, name, kind } of WebAssembly.Module.imports(module)) {
    if (kind !== 'function') throw new Error(`unexpected import ${m}.${name} (${kind})`);
    (imports[m] ??= {})[name] = () => { throw new Error(`${m}.${name} called`); };
  }
  const { exports } = await WebAssembly.instantiate(module, imports);
  const out = [];
  for (const text of texts) {
    const bytes = new TextEncoder().encode(text);
    const ptr = exports.buffer(bytes.length);
    new Uint8Array(exports.memory.buffer, ptr, bytes.length).set(bytes);
    if (exports.walk(ptr, bytes.length) === 0xFFFF_FFFF) throw new Error('the walk refuses a benchmark body');
    // Walks per sample: about 2 MB, so that a sample outlasts the clock's
    // resolution (100 µs in a page without cross-origin isolation).
    const reps = Math.max(1, Math.ceil(2e6 / bytes.length));
    const times = [];
    const start = performance.now();
    while (times.length < 20 || performance.now() - start < 300) {
      const t = performance.now();
      for (let r = 0; r < reps; r += 1) exports.walk(ptr, bytes.length);
      times.push((performance.now() - t) / reps);
    }
    times.sort((a, b) => a - b);
    const ms = times[Math.floor(times.length / 2)];
    out.push({ bytes: bytes.length, ms, mbPerS: bytes.length / 1e6 / (ms / 1e3) });
  }
  return out;
}

// ---- Node ----
const node = await timeInWasm(wasm, bodies.map((b) => b.text));
for (const [i, b] of bodies.entries()) log(`Node ${b.size}: ${node[i].mbPerS.toFixed(0)} MB/s`);

// ---- Chromium ----
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
});
let chrome;
let chromeVersion;
try {
  chromeVersion = browser.version();
  const page = await browser.newPage();
  await page.goto('about:blank');
  chrome = await page.evaluate(
    async ([source, base64, texts]) => {
      // eslint-disable-next-line no-new-func
      const time = new Function(`return (${source})`)();
      const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
      return time(bytes, texts);
    },
    [timeInWasm.toString(), wasm.toString('base64'), bodies.map((b) => b.text)],
  );
} finally {
  await browser.close();
  rmSync(dir, { recursive: true, force: true });
}
for (const [i, b] of bodies.entries()) log(`Chromium ${b.size}: ${chrome[i].mbPerS.toFixed(0)} MB/s`);

// ---- report ----
const lines = [];
const fmt = (r) => `${r.ms < 1 ? r.ms.toFixed(3) : r.ms.toFixed(2)} ms, ${Math.round(r.mbPerS).toLocaleString('en')} MB/s`;
lines.push('| models | body | native | wasm, Node | wasm, Chromium |');
lines.push('|---:|---:|---:|---:|---:|');
for (const [i, b] of bodies.entries()) {
  lines.push(`| ${b.size.toLocaleString('en')} | ${(native[i].bytes / 1024).toFixed(1)} KB | ${fmt(native[i])} | ${fmt(node[i])} | ${fmt(chrome[i])} |`);
}
lines.push('');
const rustc = execFileSync('rustc', ['--version']).toString().trim();
lines.push(`Median of at least 20 samples and 300 ms per body (a sample in wasm walks about 2 MB: a small body many times), one body in memory at a time; ${rustc}; Node ${process.version}; Chromium ${chromeVersion}; `
  + `the wasm module is bench/scan-speed built for wasm32 with the package's flags and wasm-opt passes (${(wasm.length / 1024).toFixed(0)} KB). `
  + `Command: \`node bench/scan-speed.mjs\` (\`./run bench --scan\` runs it alone, after set-up and build), ${new Date().toISOString().slice(0, 10)}.`);
const text = lines.join('\n');
console.log(text);
if (write) writeSections([['scan', text]]);
