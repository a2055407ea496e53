// The command-line tool of the built package (pkg/cli.cjs), run in-process
// through its main(argv, io) against an in-process mock API. The packed tool is
// also run as a program by tests/package/consumer/run.mjs.
// Run after ./run build: node --test tests/runtimes/node/cli.test.mjs
import { test, describe, before, after, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { startMockServer } from '../../../mock/server.mjs';
import { DEFAULT_CATALOG, CHANGED_CATALOG, hashOf } from '../../../mock/catalog.mjs';

const require = createRequire(import.meta.url);
const cli = require('../../../pkg/cli.cjs');
const { version } = require('../../../pkg/package.json');
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
async function run(argv, env = {}, stdin = undefined) {
  let stdout = '';
  let stderr = '';
  const io = {
    env: { XDG_CACHE_HOME: cacheDir, ...env },
    readStdin: () => { if (stdin === undefined) throw new Error('no stdin in this test'); return stdin; },
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
    for (const word of ['models', 'resources', 'RESOURCES_API_KEY', 'RESOURCES_BASE_URL', '--remote', '--sync', '--timeout', '--retries', '<command> --help']) {
      assert.ok(r.stdout.includes(word), `help lacks ${word}`);
    }
  });

  test('<command> --help shows that command\'s options; --help says which flag is the worst place for a key', async () => {
    const models = await run(['models', '--help']);
    assert.equal(models.code, 0);
    assert.match(models.stdout, /^Usage: resources-client models/);
    assert.ok(models.stdout.includes('--modality') && !models.stdout.includes('--models-only'), models.stdout);
    const resources = await run(['resources', '-h']);
    assert.match(resources.stdout, /^Usage: resources-client resources/);
    assert.ok(resources.stdout.includes('--sync') && !resources.stdout.includes('--modality'));
    const global = await run(['--help']);
    assert.match(global.stdout, /visible to every user/);
    assert.match(global.stdout, /3 the API could not be reached/);
  });

  test('--json errors are JSON on stderr: usage errors and the server\'s', async () => {
    const usage = await run(['models', '--json', '--retries', 'x'], withMock());
    assert.equal(usage.code, 2);
    assert.deepEqual(JSON.parse(usage.stderr), { error: { code: 'USAGE', status: 0, message: '--retries takes a whole number from 0 to 10' } });
    const refused = await run(['models', '--json'], { RESOURCES_API_KEY: 'sk-wrong', RESOURCES_BASE_URL: mock.url });
    assert.equal(refused.code, 1);
    const { error } = JSON.parse(refused.stderr);
    assert.deepEqual([error.code, error.status], ['UNAUTHORIZED_ERROR', 401]);
    assert.equal(typeof error.message, 'string');
    assert.ok(!refused.stderr.includes('sk-wrong'), 'the key is not echoed');
    assert.equal(refused.stdout, '');
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

  test('no API key: says how to give one instead of sending the request, and why no stored catalog is printed', async () => {
    const r = await run(['models'], { RESOURCES_BASE_URL: mock.url });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^error: USAGE: no API key/);
    assert.ok(r.stderr.includes('RESOURCES_API_KEY') && r.stderr.includes('--api-key'), r.stderr);
    assert.match(r.stderr, /kept per API key/);
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

  test('a --modality that matches nothing prints an empty list and exits 0; the known ones go to stderr', async () => {
    const r = await run(['models', '--modality', 'audio'], withMock());
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'MODEL  MODALITY  RUN OPTIONS\n');
    assert.match(r.stderr, /no model has modality "audio" \(known: image, text, video\)/);
    const json = await run(['models', '--modality', 'audio', '--json'], withMock());
    assert.equal(json.code, 0, json.stderr);
    assert.deepEqual(JSON.parse(json.stdout).resources.models, []);
    assert.equal(json.stderr, '', 'nothing but JSON');
  });

  test('a sync that cannot reach the API exits 3 with the stored catalog printed; --allow-stale exits 0', async () => {
    const first = await run(['models'], withMock());
    assert.equal(first.code, 0, first.stderr);
    mock.state.addFaults([{ status: 500, times: 4 }]);
    const stale = await run(['models', '--retries', '0'], withMock());
    assert.equal(stale.code, 3, stale.stderr);
    assert.equal(stale.stdout, first.stdout, 'the stored catalog is printed');
    assert.match(stale.stderr, /^error: STALE: the API could not be reached, so the stored catalog was printed \(SERVER_ERROR/m);
    const json = await run(['models', '--retries', '0', '--json'], withMock());
    assert.equal(json.code, 3);
    assert.equal(JSON.parse(json.stdout).stale, true);
    assert.equal(JSON.parse(json.stderr).error.code, 'STALE');
    const allowed = await run(['models', '--retries', '0', '--allow-stale'], withMock());
    assert.equal(allowed.code, 0, allowed.stderr);
    mock.state.addFaults([{ status: 503, times: 1 }]);
    const sync = await run(['resources', '--sync', '--retries', '0'], withMock());
    assert.equal(sync.code, 3, sync.stderr);
    assert.match(sync.stdout, /^MODEL\s+MODALITY/);
    // A refused key is the server's verdict, not an unreachable API: exit 1, nothing stale printed.
    const refused = await run(['models'], { RESOURCES_API_KEY: 'sk-other', RESOURCES_BASE_URL: mock.url });
    assert.equal(refused.code, 1);
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

describe('terminal safety and the key', () => {
  test('control characters from the server are shown escaped in tables, sections and warnings; --json stays exact', async () => {
    const evil = '\u001b]52;c;ZXZpbA==\u0007o3\u001b[2K\u009b31m\u202eevil';
    mock.state.setCatalog({
      ...DEFAULT_CATALOG,
      models: [{ model: evil, modality: 'te\u001bxt', availableRunOptions: [{ key: 'k\u0007', options: ['a\u009db'] }] }, ...DEFAULT_CATALOG.models],
      notes: { text: 'x\u0085y\u007f' },
    });
    for (const argv of [['models'], ['resources']]) {
      const r = await run(argv, withMock());
      assert.equal(r.code, 0, r.stderr);
      const printed = r.stdout + r.stderr;
      assert.ok(!/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e]/.test(printed), `${argv}: raw control characters reached the terminal: ${JSON.stringify(printed)}`);
      assert.ok(r.stdout.includes('\\x1b]52;c;ZXZpbA==\\x07o3\\x1b[2K\\u009b31m\\u202eevil'), r.stdout);
    }
    const json = await run(['resources', '--json', '--sync'], withMock());
    assert.equal(JSON.parse(json.stdout).resources.models[0].model, evil, 'JSON output keeps the exact value');
  });

  test('an error message from the server is escaped', async () => {
    mock.state.addFaults([{ status: 401, body: JSON.stringify({ status: 'UNAUTHORIZED_ERROR', message: 'bad \u001b[2J key' }) }]);
    const r = await run(['models', '--retries', '0'], withMock());
    assert.equal(r.code, 1);
    assert.ok(!/\u001b/.test(r.stderr) && r.stderr.includes('\\x1b[2J'), JSON.stringify(r.stderr));
  });

  test('the key from standard input; --api-key with it is refused; --help says why --api-key is the worst way', async () => {
    const r = await run(['models', '--api-key-stdin'], { RESOURCES_BASE_URL: mock.url }, `${KEY}\n`);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(!r.stdout.includes(KEY) && !r.stderr.includes(KEY));
    const empty = await run(['models', '--api-key-stdin'], { RESOURCES_BASE_URL: mock.url }, '\n');
    assert.equal(empty.code, 2);
    assert.match(empty.stderr, /read no key from standard input/);
    const both = await run(['models', '--api-key-stdin', '--api-key', KEY], { RESOURCES_BASE_URL: mock.url }, KEY);
    assert.equal(both.code, 2);
    const help = await run(['--help']);
    assert.match(help.stdout, /--api-key-stdin/);
    assert.match(help.stdout, /worst of the three/);
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
