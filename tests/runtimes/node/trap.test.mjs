// A trap (WebAssembly.RuntimeError) ends the module's instance, not the app:
// the call that met it, and every call in flight, fail with a ResourcesError
// (INTERNAL_ERROR); the next call runs in a fresh instance; clients made before
// carry on with their store and listeners; the dead instance's memory is let go.
// The trap is real: the instance's memory is grown to its limit from outside
// (./wasm-memory.cjs watches WebAssembly.Instance), so that the module's
// allocator cannot get the memory a call needs and aborts.
// Each case runs in a fresh Node process, which reports any uncaught error.
// Run after ./run build: node --test tests/runtimes/node/trap.test.mjs
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { runScript } from './in-child.mjs';

const PKG = fileURLToPath(new URL('../../../pkg/index.cjs', import.meta.url));
const WATCH = fileURLToPath(new URL('./wasm-memory.cjs', import.meta.url));
const CATALOG = fileURLToPath(new URL('../../fixtures/catalog.json', import.meta.url));

/**
 * Runs `body` (async; with `lib`, `watch` (./wasm-memory.cjs), `catalogText`,
 * `outcome(promise)` and `settle(ms)`) in a fresh Node process with
 * --expose-gc; returns what it returns, with the uncaught errors seen.
 */
function inProcess(body) {
  const script = `
    const watch = require(${JSON.stringify(WATCH)});
    const lib = require(${JSON.stringify(PKG)});
    const catalogText = require('node:fs').readFileSync(${JSON.stringify(CATALOG)}, 'utf8');
    const uncaught = [];
    process.on('uncaughtException', (e) => uncaught.push(String(e && e.stack || e)));
    process.on('unhandledRejection', (e) => uncaught.push(String(e && e.stack || e)));
    /** What a call came to: its value, or { code, name, retryable, isResourcesError } of its error. */
    const outcome = (promise) => promise.then((value) => ({ value }), (e) => ({
      code: e && e.code, name: e && e.name, retryable: e && e.retryable, isResourcesError: e instanceof lib.ResourcesError,
    }));
    const settle = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
    (async () => { ${body} })().then(
      async (out) => { await settle(200); process.stdout.write(JSON.stringify({ ...out, uncaught })); process.exit(0); },
      (e) => { process.stderr.write(String(e && e.stack || e)); process.exit(1); },
    );`;
  return runScript(script, { nodeArgs: ['--expose-gc'] });
}

test('a call that traps throws INTERNAL_ERROR, and the next call runs in a fresh instance', { timeout: 120_000 }, async () => {
  const r = await inProcess(`
    const { resources } = lib.parseResources(catalogText);
    const model = resources.models[0].model;
    const before = lib.validateRunOptions(resources, model, {}).ok;
    const grownTo = watch.exhaust();
    // The model id is copied into wasm memory: 20 MB that the allocator no longer has.
    const trapped = await outcome((async () => lib.validateRunOptions(resources, 'x'.repeat(20e6), {}))());
    const after = lib.validateRunOptions(resources, model, {}).ok;
    const parsed = lib.parseResources(catalogText).resources.models.length;
    return { before, grownTo, trapped, after, parsed, instances: watch.instances() };`);
  assert.equal(r.grownTo, 2 ** 32, 'the memory was grown to its 4 GiB limit');
  assert.deepEqual(r.trapped, { code: 'INTERNAL_ERROR', name: 'ResourcesError', retryable: true, isResourcesError: true });
  assert.equal(r.before, true);
  assert.equal(r.after, true, 'validateRunOptions works after the trap');
  assert.equal(r.parsed, 7, 'parseResources works after the trap');
  assert.equal(r.instances, 2, 'one fresh instance');
  assert.deepEqual(r.uncaught, []);
});

test('a trap while calls are in flight rejects them; clients carry on with their store and listeners; the old memory is let go', { timeout: 120_000 }, async () => {
  const r = await inProcess(`
    // A server on 127.0.0.1: /v1/resources answers the catalog with the hash of
    // the moment; /held/v1/resources keeps its first request until released,
    // then answers a 500 whose message is 20 MB (kept in wasm memory as text:
    // the error's message).
    const http = require('node:http');
    let hash = 'aGFzaC1vbmU';
    let heldRequests = 0;
    let release = null;
    const catalog = JSON.parse(catalogText);
    const server = http.createServer((req, res) => {
      const answer = (status, body) => { res.writeHead(status, { 'content-type': 'application/json' }); res.end(body); };
      if (req.url.startsWith('/held/') && (heldRequests += 1) === 1) {
        release = () => answer(500, JSON.stringify({ status: 'SERVER_ERROR', message: 'm'.repeat(20e6) }));
        return;
      }
      answer(200, JSON.stringify({ ...catalog, data: { ...catalog.data, hash } }));
    });
    await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = 'http://127.0.0.1:' + server.address().port;
    try {
      const records = new Map();
      const storage = { getItem: (k) => records.get(k) ?? null, setItem: (k, v) => { records.set(k, v); }, removeItem: (k) => { records.delete(k); } };
      const client = new lib.ResourcesClient({ baseUrl: base, apiKey: null, storage, retries: 0 });
      const heard = [];
      client.onChange((result) => heard.push(result.hash));
      const first = await client.fetchResources();
      const held = new lib.ResourcesClient({ baseUrl: base + '/held', apiKey: null, storage: 'memory', retries: 0 });
      const inFlight = outcome(held.fetchResources());
      for (let i = 0; i < 500 && release === null; i += 1) await settle(10);
      watch.exhaust();
      release();
      const trapped = await Promise.race([inFlight, settle(20_000).then(() => 'still pending after 20 s')]);
      const cached = client.cached();
      hash = 'aGFzaC10d28';
      const refreshed = await client.fetchResources({ refresh: true });
      const heldAgain = await outcome(held.fetchResources());
      // The dead instance's memory (4 GiB reserved) is let go once nothing holds it.
      for (let i = 0; i < 5; i += 1) { await settle(50); gc(); }
      return {
        first: first.hash, trapped, cached: cached && cached.hash, refreshed: [refreshed.source, refreshed.hash],
        heard, heldAgain: heldAgain.value ? heldAgain.value.hash : heldAgain, instances: watch.instances(),
        oldMemoryAlive: watch.alive(0),
      };
    } finally {
      server.close();
    }`);
  assert.deepEqual(r.trapped, { code: 'INTERNAL_ERROR', name: 'ResourcesError', retryable: true, isResourcesError: true },
    'the call in flight is rejected, not left pending');
  assert.equal(r.instances, 2, 'one fresh instance');
  assert.equal(r.cached, r.first, 'a client made before the trap reads its stored catalog in the fresh instance');
  assert.deepEqual(r.refreshed, ['network', 'aGFzaC10d28'], 'and fetches');
  assert.deepEqual(r.heard, [r.first, 'aGFzaC10d28'], 'its onChange listener carried over');
  assert.equal(r.heldAgain, 'aGFzaC10d28', 'the client whose call was rejected works again');
  assert.equal(r.oldMemoryAlive, false, "the trapped instance's memory was collected");
  assert.deepEqual(r.uncaught, [], 'nothing the dead instance left behind throws');
});
