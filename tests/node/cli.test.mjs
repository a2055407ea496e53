// The command-line tool of the built package (pkg/cli.cjs), run in-process
// through its main(argv, io) against an in-process mock API. The packed tool is
// also run as a program by tests/consumer/run.mjs.
// Run after ./run build: node --test tests/node/cli.test.mjs
import { test, describe, before, after, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { startMockServer } from '../../mock/server.mjs';
import { DEFAULT_CATALOG, CHANGED_CATALOG, hashOf } from '../../mock/catalog.mjs';

const require = createRequire(import.meta.url);
const cli = require('../../pkg/cli.cjs');
const { version } = require('../../pkg/package.json');
const KEY = 'sk-cli-test';

let mock;
let cacheDir;
before(async () => {
  mock = await startMockServer({ port: 0, apiKey: KEY });
});
after(async () => {
  await mock?.close();
});
beforeEach(() => {
  mock.state.reset();
  cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'resources-cli-test-'));
});
afterEach(() => {
  fs.rmSync(cacheDir, { recursive: true, force: true });
});

/** Runs the tool; `env` replaces the environment (no key or base URL unless given). */
async function run(argv, env = {}, stdin = '') {
  let stdout = '';
  let stderr = '';
  const io = {
    env: { XDG_CACHE_HOME: cacheDir, ...env },
    readStdin: () => stdin,
    stdout: { write: (s) => { stdout += s; } },
    stderr: { write: (s) => { stderr += s; } },
  };
  const code = await cli.main(argv, io);
  return { code, stdout, stderr };
}
const withMock = () => ({ RESOURCES_API_KEY: KEY, RESOURCES_BASE_URL: mock.url });
const catalogRequests = () => mock.state.log.filter((r) => r.path === '/v1/resources');

describe('usage errors (exit 2, no request)', () => {
  test('--help names both commands and both environment variables', async () => {
    const r = await run(['--help']);
    assert.equal(r.code, 0);
    for (const word of ['models', 'resources', 'RESOURCES_API_KEY', 'RESOURCES_BASE_URL', '--remote', '--sync', '--models-only', '--timeout', '--retries']) {
      assert.ok(r.stdout.includes(word), `help lacks ${word}`);
    }
  });

  test('a mistyped command gets a "did you mean"', async () => {
    const r = await run(['model'], withMock());
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^error: USAGE: unknown command "model"; did you mean "models"\?/);
    const none = await run([], withMock());
    assert.equal(none.code, 2);
    assert.ok(none.stderr.startsWith('error: USAGE: a command is needed') && none.stderr.includes('Usage: resources-client'), 'no command: the help follows');
    const far = await run(['catalogue-please'], withMock());
    assert.match(far.stderr, /unknown command "catalogue-please" \(known: models, resources\)/);
  });

  test('a mistyped option gets a "did you mean"; values are never echoed', async () => {
    const r = await run(['models', '--modalty', 'image'], withMock());
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^error: USAGE: unknown option --modalty; did you mean --modality\?/);
    const key = await run(['models', '--api-key='], withMock());
    assert.equal(key.code, 2);
    assert.match(key.stderr, /--api-key needs a value/);
    const flag = await run(['models', '--json=yes'], withMock());
    assert.match(flag.stderr, /--json takes no value/);
  });

  test('no API key: says how to give one instead of sending the request', async () => {
    const r = await run(['models'], { RESOURCES_BASE_URL: mock.url });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^error: USAGE: no API key/);
    assert.ok(r.stderr.includes('RESOURCES_API_KEY') && r.stderr.includes('--api-key'), r.stderr);
    const res = await run(['resources', '--remote'], { RESOURCES_BASE_URL: mock.url });
    assert.equal(res.code, 2);
    assert.equal(catalogRequests().length, 0, 'no request was sent');
  });

  test('a bad base URL, from the flag or the environment, is a usage error', async () => {
    for (const [argv, env, source] of [
      [['models', '--base-url', 'api.example.com'], { RESOURCES_API_KEY: KEY }, '--base-url'],
      [['models', '--base-url', 'ftp://api.example.com'], { RESOURCES_API_KEY: KEY }, '--base-url'],
      [['models'], { RESOURCES_API_KEY: KEY, RESOURCES_BASE_URL: 'not a url' }, 'RESOURCES_BASE_URL'],
    ]) {
      const r = await run(argv, env);
      assert.equal(r.code, 2, r.stderr);
      assert.ok(r.stderr.startsWith(`error: USAGE: ${source} must be an absolute http(s) URL`), r.stderr);
    }
    // One the client refuses (a query) is a usage error too, not a failed request.
    const q = await run(['models', '--base-url', `${mock.url}/?x=1`], { RESOURCES_API_KEY: KEY });
    assert.equal(q.code, 2);
    assert.match(q.stderr, /^error: USAGE: baseUrl must not contain a query/);
    assert.equal(catalogRequests().length, 0);
  });

  test('--timeout and --retries take numbers; --remote with --sync, or an option of the other command, are refused', async () => {
    for (const [argv, message] of [
      [['models', '--timeout', 'soon'], /--timeout takes a number of seconds/],
      [['models', '--timeout', '-1'], /--timeout takes a number of seconds/],
      [['models', '--retries', '1.5'], /--retries takes a whole number from 0 to 10/],
      [['models', '--retries', '11'], /--retries takes a whole number from 0 to 10/],
      [['resources', '--remote', '--sync'], /--remote and --sync cannot be used together/],
      [['models', '--remote'], /--remote is an option of resources, not of models/],
      [['resources', '--modality', 'image'], /--modality is an option of models, not of resources/],
    ]) {
      const r = await run(argv, withMock());
      assert.equal(r.code, 2, `${argv.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, message);
    }
    assert.equal(catalogRequests().length, 0);
  });
});

describe('models', () => {
  test('RESOURCES_BASE_URL is used; every request carries the package user-agent', async () => {
    const r = await run(['models'], withMock());
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^MODEL\s+MODALITY\s+RUN OPTIONS/);
    const [request] = catalogRequests();
    assert.equal(request.headers['user-agent'], `resources-client/${version} (cli; node ${process.versions.node})`);
  });

  test('an unknown --modality lists the known ones', async () => {
    const r = await run(['models', '--modality', 'imag'], withMock());
    assert.equal(r.code, 2);
    assert.match(r.stderr, /no model has modality "imag" \(known: image, text, video\)/);
    assert.equal(r.stdout, '');
  });

  test('--retries 0 makes one attempt, --retries 1 two', async () => {
    mock.state.addFaults([{ status: 500, times: 5 }]);
    const none = await run(['models', '--retries', '0'], withMock());
    assert.equal(none.code, 1);
    assert.match(none.stderr, /^error: SERVER_ERROR/);
    assert.equal(catalogRequests().length, 1);
    mock.state.clearLog();
    const one = await run(['models', '--retries', '1'], withMock());
    assert.equal(one.code, 1);
    assert.equal(catalogRequests().length, 2);
  });

  test('--timeout ends an attempt that takes too long', async () => {
    mock.state.addFaults([{ kind: 'hang' }]);
    const r = await run(['models', '--timeout', '0.2', '--retries', '0'], withMock());
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^error: TIMEOUT/);
  });
});

describe('resources (the official CLI\'s command)', () => {
  const withSections = { ...DEFAULT_CATALOG, limits: { perMinute: 60 } };

  test('fetches and stores once, then prints the stored catalog without a request; never to a run with another key or none', async () => {
    mock.state.setCatalog(withSections);
    const first = await run(['resources'], withMock());
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /^MODEL\s+MODALITY/);
    assert.match(first.stdout, /\nlimits:\n\{\n {2}"perMinute": 60\n\}\n$/, 'other sections follow the models');
    assert.match(first.stderr, /\(network\)/);
    assert.equal(catalogRequests().length, 1);

    mock.state.usePreset('changed');
    const second = await run(['resources'], withMock());
    assert.equal(second.code, 0, second.stderr);
    assert.equal(second.stdout, first.stdout, 'the stored catalog, not the changed one');
    assert.match(second.stderr, /\(stored\)/);
    assert.equal(catalogRequests().length, 1, 'no request for a stored catalog');

    // The stored catalog belongs to the key that fetched it: a run without a
    // key has none of its own, and a run with another key asks the API.
    const keyless = await run(['resources'], { RESOURCES_BASE_URL: mock.url });
    assert.equal(keyless.code, 2, keyless.stderr);
    assert.match(keyless.stderr, /no API key/);
    assert.equal(keyless.stdout, '', 'another key\'s catalog is not printed');
    const other = await run(['resources', '--json'], { RESOURCES_API_KEY: 'sk-other', RESOURCES_BASE_URL: mock.url });
    assert.notEqual(other.code, 0, 'the mock refuses sk-other: nothing stored is served instead');
    assert.equal(other.stdout, '');
    assert.equal(catalogRequests().length, 2, 'the keyless run sent nothing; the other key asked the API');
  });

  test('--remote fetches without storing; --sync fetches and stores', async () => {
    await run(['resources'], withMock());
    const storedHash = hashOf(DEFAULT_CATALOG);
    mock.state.usePreset('changed');
    const changedHash = hashOf(CHANGED_CATALOG);

    const remote = await run(['resources', '--remote', '--json'], withMock());
    assert.equal(remote.code, 0, remote.stderr);
    assert.equal(JSON.parse(remote.stdout).hash, changedHash);
    const after = await run(['resources', '--json'], withMock());
    assert.equal(JSON.parse(after.stdout).hash, storedHash, '--remote stored nothing');

    const sync = await run(['resources', '--sync', '--json'], withMock());
    assert.equal(JSON.parse(sync.stdout).hash, changedHash);
    const synced = await run(['resources', '--json'], withMock());
    assert.equal(JSON.parse(synced.stdout).hash, changedHash, '--sync stored the new catalog');
    assert.equal(catalogRequests().length, 3, 'first run, --remote and --sync asked the API');
  });

  test('--json prints the whole data; --models-only only the models', async () => {
    mock.state.setCatalog(withSections);
    const json = JSON.parse((await run(['resources', '--json'], withMock())).stdout);
    assert.deepEqual(Object.keys(json), ['hash', 'resources']);
    assert.deepEqual(json.resources.limits, { perMinute: 60 });
    assert.equal(json.hash, hashOf(withSections));

    const models = JSON.parse((await run(['resources', '--json', '--models-only'], withMock())).stdout);
    assert.deepEqual(models, json.resources.models);
    const table = await run(['resources', '--models-only'], withMock());
    assert.ok(!table.stdout.includes('limits'), table.stdout);
    assert.match(table.stdout, /^MODEL\s+MODALITY/);
  });
});

describe('hostile text and the key', () => {
  const ESC = '\x1b';
  const hostile = {
    models: [
      { model: `evil${ESC}]52;c;cHduZWQ=\x07`, modality: `text\x9b2J`, availableRunOptions: [{ key: `k${ESC}[8m`, options: [`v\u202eabc`, 'ok'] }] },
      { model: 'gpt-4o', modality: 'text', availableRunOptions: [] },
    ],
    notes: { title: `${ESC}]0;owned\x07` },
  };
  const raw = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/;

  test('control characters from the server are escaped in tables, sections and warnings; --json stays exact', async () => {
    mock.state.setCatalog(hostile);
    const models = await run(['models'], withMock());
    assert.equal(models.code, 0, models.stderr);
    assert.ok(!raw.test(models.stdout), JSON.stringify(models.stdout));
    assert.ok(!raw.test(models.stderr), JSON.stringify(models.stderr));
    assert.ok(models.stdout.includes('evil\\x1b]52;c;cHduZWQ=\\x07'), models.stdout);
    assert.ok(models.stdout.includes('text\\x9b2J') && models.stdout.includes('k\\x1b[8m: v\\u202eabc|ok'), models.stdout);
    assert.ok(models.stderr.includes('warning: ') && models.stderr.includes('\\x9b2J'), models.stderr);
    const resources = await run(['resources', '--sync'], withMock());
    assert.equal(resources.code, 0, resources.stderr);
    assert.ok(!raw.test(resources.stdout), JSON.stringify(resources.stdout));
    assert.ok(resources.stdout.includes('\\u001b]0;owned\\u0007'), resources.stdout);
    // Stored, then printed from the cache file: escaped too.
    const cached = await run(['resources'], withMock());
    assert.ok(!raw.test(cached.stdout) && cached.stdout === resources.stdout);
    const json = JSON.parse((await run(['models', '--json'], withMock())).stdout);
    assert.equal(json.resources.models[0].model, hostile.models[0].model, '--json keeps the exact text');
  });

  test('an error message from the server is escaped', async () => {
    mock.state.addFaults([{ status: 401, body: JSON.stringify({ status: 'UNAUTHORIZED_ERROR', message: `bad ${ESC}[2J key` }) }]);
    const r = await run(['models', '--retries', '0'], withMock());
    assert.equal(r.code, 1);
    assert.ok(!raw.test(r.stderr) && r.stderr.includes('\\x1b[2J'), JSON.stringify(r.stderr));
  });

  test('the key can come from standard input; --help says why --api-key is the worst way', async () => {
    const r = await run(['models', '--api-key-stdin'], { RESOURCES_BASE_URL: mock.url }, `${KEY}\n`);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(catalogRequests().length, 1);
    const empty = await run(['models', '--api-key-stdin'], { RESOURCES_BASE_URL: mock.url }, '\n');
    assert.equal(empty.code, 2);
    assert.match(empty.stderr, /standard input held no key/);
    const both = await run(['models', '--api-key-stdin', '--api-key', KEY], { RESOURCES_BASE_URL: mock.url }, KEY);
    assert.equal(both.code, 2);
    const help = (await run(['--help'])).stdout;
    assert.ok(help.includes('--api-key-stdin') && help.includes('process list') && help.includes('history'), help);
  });

  test('a cache directory others may write to is made private', { skip: process.platform === 'win32' }, async () => {
    const dir = path.join(cacheDir, 'resources-client');
    fs.mkdirSync(dir);
    fs.chmodSync(dir, 0o777);
    const r = await run(['models'], withMock());
    assert.equal(r.code, 0, r.stderr);
    assert.equal(fs.statSync(dir).mode & 0o777, 0o700);
    assert.equal(fs.statSync(path.join(dir, 'store.json')).mode & 0o777, 0o600);
  });

  test('8 processes writing to one cache file at once lose no entry', async () => {
    const { spawn } = await import('node:child_process');
    const storage = new URL('../../pkg/file-storage.cjs', import.meta.url).pathname;
    const dir = path.join(cacheDir, 'shared');
    const script = `const { FileStorage } = require(${JSON.stringify(storage)});
      const s = new FileStorage(${JSON.stringify(dir)});
      for (let i = 0; i < 5; i += 1) s.setItem('p' + process.argv[1] + '-' + i, 'x'.repeat(20000));`;
    await Promise.all(Array.from({ length: 8 }, (_, p) => new Promise((resolve, reject) => {
      const child = spawn(process.execPath, ['-e', script, String(p)], { stdio: 'inherit' });
      child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`writer ${p} exited ${code}`))));
    })));
    const data = JSON.parse(fs.readFileSync(path.join(dir, 'store.json'), 'utf8'));
    assert.equal(Object.keys(data).length, 40);
    assert.ok(!fs.existsSync(path.join(dir, 'store.json.lock')), 'the lock is released');
  });
});
