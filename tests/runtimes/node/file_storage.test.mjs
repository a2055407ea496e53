// The file store of the built package (resources-client/file-storage, which
// the command-line tool uses): one file per record, atomic writes, private
// modes, and processes that share a cache directory. Processes are spawned
// asynchronously (a server in this process must keep answering them).
// Run after ./run build: node --test tests/runtimes/node/file_storage.test.mjs
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { startMockServer } from '../../../mock/server.mjs';

const require = createRequire(import.meta.url);
const pkgDir = fileURLToPath(new URL('../../../pkg/', import.meta.url));
const { FileStorage, defaultCacheDir } = require(path.join(pkgDir, 'file-storage.cjs'));
const KEY = 'sk-file-test';

let mock;
let tmp;
before(async () => {
  mock = await startMockServer({ port: 0, apiKey: KEY });
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'resources-file-storage-'));
});
after(async () => {
  await mock?.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** Runs `code` as an ES module in a new Node process; resolves to its stdout. */
function node(code, env = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', code], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { err += d; });
    const timer = setTimeout(() => child.kill(), 30_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else reject(new Error(`exit ${code}: ${err}`));
    });
  });
}

const records = (dir) => fs.readdirSync(dir).filter((f) => f.endsWith('.record.json'));
const catalogRequests = () => mock.state.log.filter((r) => r.path === '/v1/resources' && r.method === 'GET');

test('one private file per record; a damaged file or one of another key reads as absent', () => {
  const dir = path.join(tmp, 'basic');
  const store = new FileStorage(dir);
  assert.equal(store.getItem('a'), null);
  store.setItem('a', 'one');
  store.setItem('b', 'two');
  assert.deepEqual([store.getItem('a'), store.getItem('b')], ['one', 'two']);
  assert.equal(records(dir).length, 2);
  assert.equal((fs.statSync(dir).mode & 0o777).toString(8), '700');
  for (const f of records(dir)) assert.equal((fs.statSync(path.join(dir, f)).mode & 0o777).toString(8), '600');
  assert.ok(fs.readdirSync(dir).every((f) => !f.endsWith('.tmp')), 'no temporary file left');
  fs.writeFileSync(store.fileOf('a'), '{"key":"a","val');
  assert.equal(store.getItem('a'), null, 'damaged');
  fs.copyFileSync(store.fileOf('b'), store.fileOf('a'));
  assert.equal(store.getItem('a'), null, 'another key\'s record');
  store.removeItem('b');
  store.removeItem('b');
  assert.equal(store.getItem('b'), null);
  assert.equal(defaultCacheDir({ XDG_CACHE_HOME: '/x/cache' }, 'linux'), '/x/cache/resources-client');
});

test('a cache directory others could write to is made private', () => {
  const dir = path.join(tmp, 'open');
  fs.mkdirSync(dir);
  fs.chmodSync(dir, 0o777);
  new FileStorage(dir).setItem('k', 'v');
  assert.equal((fs.statSync(dir).mode & 0o777).toString(8), '700');
});

test('8 processes writing at once lose no record, and a record they all write is whole', async () => {
  const dir = path.join(tmp, 'concurrent');
  const url = pathToFileURL(path.join(pkgDir, 'file-storage.mjs')).href;
  // Large enough that a write takes a while: torn or lost writes would show.
  const value = (i) => JSON.stringify({ writer: i, padding: 'x'.repeat(200_000) });
  await Promise.all(Array.from({ length: 8 }, (_, i) => node(`
    import { FileStorage } from ${JSON.stringify(url)};
    const store = new FileStorage(${JSON.stringify(dir)});
    const shared = JSON.stringify({ writer: ${i}, padding: 'x'.repeat(200000) });
    for (let n = 0; n < 5; n += 1) {
      store.setItem('own-${i}-' + n, 'record ${i} ' + n);
      store.setItem('shared', shared);
    }`)));
  const store = new FileStorage(dir);
  for (let i = 0; i < 8; i += 1) {
    for (let n = 0; n < 5; n += 1) assert.equal(store.getItem(`own-${i}-${n}`), `record ${i} ${n}`);
  }
  const shared = JSON.parse(store.getItem('shared'));
  assert.equal(store.getItem('shared'), value(shared.writer), 'one writer\'s record, whole');
  assert.equal(records(dir).length, 41);
});

test('two processes with the file store make one request in all (maxAgeMs)', async () => {
  const dir = path.join(tmp, 'two-processes');
  const index = pathToFileURL(path.join(pkgDir, 'index.mjs')).href;
  const files = pathToFileURL(path.join(pkgDir, 'file-storage.mjs')).href;
  mock.state.reset();
  const script = `
    import { ResourcesClient } from ${JSON.stringify(index)};
    import { FileStorage } from ${JSON.stringify(files)};
    const client = new ResourcesClient({ baseUrl: ${JSON.stringify(mock.url)}, apiKey: ${JSON.stringify(KEY)},
      storage: new FileStorage(${JSON.stringify(dir)}), maxAgeMs: 600000 });
    const r = await client.fetchResources();
    console.log(JSON.stringify({ hash: r.hash, source: r.source }));`;
  const first = JSON.parse(await node(script));
  const second = JSON.parse(await node(script));
  assert.deepEqual([first.source, second.source], ['network', 'cache']);
  assert.equal(second.hash, first.hash);
  assert.equal(catalogRequests().length, 1);
});

test('import and require give the same class', async () => {
  const esm = await import(pathToFileURL(path.join(pkgDir, 'file-storage.mjs')).href);
  assert.equal(esm.FileStorage, FileStorage);
});
