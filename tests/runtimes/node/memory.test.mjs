// Wasm memory stays flat (it never shrinks, so anything kept per call would
// show): 20,000 network refreshes and 20,000 client lifetimes may not grow it
// by 1 MiB. Runs in a child process whose WebAssembly.Instance is watched, so
// the module's memory can be read without an export for it.
// Run after ./run build: node --test tests/runtimes/node/memory.test.mjs
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { startMockServer } from '../../../mock/server.mjs';
import { runScript } from './in-child.mjs';

const PKG = fileURLToPath(new URL('../../../pkg/index.cjs', import.meta.url));
const WATCH = fileURLToPath(new URL('./wasm-memory.cjs', import.meta.url));
const CATALOG = fileURLToPath(new URL('../../fixtures/catalog.json', import.meta.url));
const MIB = 1024 * 1024;

let mock;
before(async () => {
  mock = await startMockServer({ port: 0 });
});
after(async () => {
  await mock?.close();
});

/** Runs `body` (async, with `lib`, `opts`, `size()` and `largeBody(mib)` of ./wasm-memory.cjs) in a fresh Node process; returns what it prints. */
function measure(body, nodeArgs = []) {
  const script = `
    const { size, largeBody } = require(${JSON.stringify(WATCH)});
    const lib = require(${JSON.stringify(PKG)});
    const opts = { baseUrl: process.env.MOCK_URL, apiKey: 'sk-mock-demo', storage: 'memory', retries: 0 };
    (async () => { ${body} })().then(
      (out) => { process.stdout.write(JSON.stringify(out)); process.exit(0); },
      (e) => { process.stderr.write(String(e && e.stack || e)); process.exit(1); },
    );`;
  return runScript(script, { nodeArgs, env: { MOCK_URL: mock.url } });
}

test('20,000 network refreshes do not grow wasm memory by 1 MiB', { timeout: 240_000 }, async () => {
  const r = await measure(`
    const client = new lib.ResourcesClient({ ...opts, storageKey: 'refreshes' });
    for (let i = 0; i < 500; i += 1) await client.fetchResources({ refresh: true });
    const before = size();
    for (let i = 0; i < 20000; i += 1) await client.fetchResources({ refresh: true });
    return { before, after: size() };`);
  assert.ok(r.after - r.before < MIB, `grew by ${r.after - r.before} bytes (${r.before} -> ${r.after})`);
});

test('20,000 clients made, used and freed do not grow wasm memory by 1 MiB', { timeout: 240_000 }, async () => {
  const r = await measure(`
    const life = async (i) => {
      const client = new lib.ResourcesClient({ ...opts, storageKey: 'client-' + i });
      client.onChange(() => {});
      if (i % 10 === 0) await client.fetchResources();
      client.cached();
      client.clear(); // the record itself is the store's, not a leak
      client.free();
    };
    for (let i = 0; i < 500; i += 1) await life(i);
    const before = size();
    for (let i = 500; i < 20500; i += 1) await life(i);
    return { before, after: size() };`);
  assert.ok(r.after - r.before < MIB, `grew by ${r.after - r.before} bytes (${r.before} -> ${r.after})`);
});

test('2,000 records: an entry goes with its last client, and the memory store keeps the 16 newest records', { timeout: 240_000 }, async () => {
  // A catalog of about 100 KB, so that keeping each record would show far above the JS heap's noise.
  const control = (method, path, body) => fetch(`${mock.url}/__control/${path}`, {
    method, headers: { 'content-type': 'application/json' }, body: body && JSON.stringify(body),
  }).then((res) => res.json());
  const { resources } = await control('GET', 'state');
  const models = Array.from({ length: 400 }, (_, i) => ({ ...resources.models[i % resources.models.length], model: `model-${i}` }));
  await control('POST', 'catalog', { resources: { ...resources, models } });
  const r = await measure(`
    const catalogOf = async (i) => {
      const client = new lib.ResourcesClient({ ...opts, storageKey: 'record-' + i });
      const result = await client.fetchResources();
      client.free();
      return result;
    };
    const heap = () => { gc(); gc(); return process.memoryUsage().heapUsed; };
    const bytes = JSON.stringify((await catalogOf(0)).resources).length;
    for (let i = 1; i < 200; i += 1) await catalogOf(i);
    const heapBefore = heap();
    for (let i = 200; i < 2000; i += 1) await catalogOf(i);
    const heapAfter = heap();
    const cached = (i) => {
      const client = new lib.ResourcesClient({ ...opts, storageKey: 'record-' + i });
      const hit = client.cached() !== null;
      client.free();
      return hit;
    };
    const kept = [];
    for (let i = 1900; i < 2000; i += 1) if (cached(i)) kept.push(i);
    return { bytes, heapBefore, heapAfter, first: cached(0), kept };`, ['--expose-gc']);
  assert.deepEqual(r.kept, Array.from({ length: 16 }, (_, i) => 1984 + i), 'the 16 newest records are kept');
  assert.equal(r.first, false, 'the first record left the memory store');
  await control('POST', 'reset');
  assert.ok(r.bytes > 50_000, `a catalog of ${r.bytes} bytes`);
  // 1,800 more records of this catalog would be 1,800 x its size if anything kept them.
  const leaked = 1800 * r.bytes;
  assert.ok(r.heapAfter - r.heapBefore < leaked / 10,
    `the JS heap grew by ${r.heapAfter - r.heapBefore} bytes over 1,800 records of ${r.bytes} bytes`);
});

test('40 concurrent 31 MiB bodies all settle, and wasm memory stays under 8 MiB: bodies are read a window at a time', { timeout: 240_000 }, async () => {
  const r = await measure(`
    const body = largeBody(31);
    const fetch = async () => new Response(body, { headers: { 'content-type': 'application/json' } });
    const calls = Array.from({ length: 40 }, (_, i) => new lib.ResourcesClient({ ...opts, storageKey: 'large-' + i, fetch })
      .fetchResources().then(() => 'resolved', (e) => e.code));
    const outcomes = await Promise.all(calls);
    return { outcomes, after: size() };`);
  assert.deepEqual([...new Set(r.outcomes)], ['INVALID_RESPONSE'], 'every call settles with the verdict');
  assert.ok(r.after < 8 * MIB, `wasm memory reached ${(r.after / MIB).toFixed(1)} MiB for 40 bodies of 31 MiB`);
});

test('a body larger than wasm memory could ever hold is judged, a window at a time, and memory stays small', { timeout: 240_000 }, async () => {
  const r = await measure(`
    // 3.9 GB: within maxBytes (1 TiB here), beyond what a 32-bit memory can hold.
    const bytes = new Uint8Array(3_900_000_000);
    let code;
    let message;
    try {
      lib.parseResources(bytes, { maxBytes: 2 ** 40 });
      code = 'parsed';
    } catch (e) {
      code = e instanceof WebAssembly.RuntimeError ? 'trap: ' + e.message : e.code;
      message = e.message;
    }
    // And a valid catalog behind 3 GB of whitespace: walked to its end.
    const text = require('node:fs').readFileSync(${JSON.stringify(CATALOG)});
    const padded = new Uint8Array(3_000_000_000 + text.length);
    padded.fill(32, 0, 3_000_000_000);
    padded.set(text, 3_000_000_000);
    const walked = lib.parseResources(padded, { maxBytes: 2 ** 40 }).resources.models.length;
    // A valid body whose JSON text is longer than one JS string can be (1.1 GB
    // in an unknown field): refused, not handed to TextDecoder (which ends a
    // Node process past 2 GiB and throws past the engine's longest string).
    const head = Buffer.from('{"status":"SUCCESS","data":{"hash":"YQ","resources":{"models":[]},"x":"');
    const long = new Uint8Array(head.length + 1_100_000_000 + 3);
    long.set(head);
    long.fill(97, head.length, head.length + 1_100_000_000);
    long.set(Buffer.from('"}}'), head.length + 1_100_000_000);
    let tooLong;
    try {
      lib.parseResources(long, { maxBytes: 2 ** 40 });
      tooLong = 'parsed';
    } catch (e) {
      tooLong = [e.code, e.message];
    }
    return { code, message, walked, tooLong, size: size() };`);
  assert.equal(r.code, 'INVALID_RESPONSE', 'the body is judged: it is not JSON');
  assert.match(r.message, /body is not valid JSON \(line 1 column 1\); received no content type \(3900000000 bytes\)/);
  assert.ok(r.walked > 0, 'the catalog after 3 GB is read');
  assert.deepEqual(r.tooLong, ['RESPONSE_TOO_LARGE',
    'response body is within maxBytes but its text is longer than a JavaScript string can be']);
  assert.ok(r.size < 16 * MIB, `wasm memory reached ${(r.size / MIB).toFixed(1)} MiB`);
});
