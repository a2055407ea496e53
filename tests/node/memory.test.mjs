// Wasm memory stays flat (it never shrinks, so anything kept per call would
// show): 20,000 network refreshes and 20,000 client lifetimes may not grow it
// by 1 MiB. Runs in a child process whose WebAssembly.Instance is watched, so
// the module's memory can be read without an export for it.
// Run after ./run build: node --test tests/node/memory.test.mjs
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startMockServer } from '../../mock/server.mjs';

const PKG = fileURLToPath(new URL('../../pkg/index.cjs', import.meta.url));
const MIB = 1024 * 1024;

let mock;
before(async () => {
  mock = await startMockServer({ port: 0 });
});
after(async () => {
  await mock?.close();
});

/** Runs `body` (async, with `lib`, `opts` and `size()`) in a fresh Node process; returns what it prints. */
function measure(body) {
  const script = `
    let memory = null;
    const Instance = WebAssembly.Instance;
    WebAssembly.Instance = function (module, imports) {
      const instance = new Instance(module, imports);
      // Found by kind: the package's build gives the module's exports short names.
      memory = Object.values(instance.exports).find((e) => e instanceof WebAssembly.Memory);
      return instance;
    };
    const lib = require(${JSON.stringify(PKG)});
    const size = () => memory.buffer.byteLength;
    const opts = { baseUrl: process.env.MOCK_URL, apiKey: 'sk-mock-demo', storage: 'memory', retries: 0 };
    (async () => { ${body} })().then(
      (out) => { process.stdout.write(JSON.stringify(out)); process.exit(0); },
      (e) => { process.stderr.write(String(e && e.stack || e)); process.exit(1); },
    );`;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', script], { env: { ...process.env, MOCK_URL: mock.url } });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { err += d; });
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(err))));
  });
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
