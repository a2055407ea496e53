// Tests of the mock API server (mock/server.mjs). Run: node --test tests/runtimes/node/mock_server.test.mjs
import { test, describe, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

import { startMockServer } from '../../../mock/server.mjs';
import { DEFAULT_CATALOG, CHANGED_CATALOG, hashOf } from '../../../mock/catalog.mjs';

const KEY = 'sk-test-key';
const BASE64URL = /^[A-Za-z0-9_-]+$/;
const SERVER_SCRIPT = fileURLToPath(new URL('../../../mock/server.mjs', import.meta.url));

let mock;

before(async () => {
  mock = await startMockServer({ port: 0, apiKey: KEY });
});
after(async () => {
  await mock?.close();
});
beforeEach(async () => {
  await control('POST', '/__control/reset');
});

/** A request to the API with the right key unless told otherwise. */
function api(pathname, { key = KEY, headers = {}, ...init } = {}) {
  const auth = key === null ? {} : { authorization: `Bearer ${key}` };
  return fetch(mock.url + pathname, { ...init, headers: { accept: 'application/json', ...auth, ...headers } });
}

async function control(method, pathname, body) {
  const res = await fetch(mock.url + pathname, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await res.json();
  assert.equal(res.status, 200, `control ${method} ${pathname}: ${JSON.stringify(json)}`);
  return json;
}

const addFaults = (...faults) => control('POST', '/__control/faults', { faults });

/** A raw request, so the path reaches the server exactly as written (fetch would normalise "..") */
function rawGet(url, rawPath) {
  return new Promise((resolve, reject) => {
    const { hostname, port } = new URL(url);
    http
      .get({ hostname, port, path: rawPath }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body }));
      })
      .on('error', reject);
  });
}

describe('auth', () => {
  test('401 envelope without a key and with a wrong key', async () => {
    for (const key of [null, 'sk-wrong']) {
      const res = await api('/v1/resources', { key });
      assert.equal(res.status, 401);
      assert.match(res.headers.get('content-type'), /^application\/json/);
      assert.deepEqual(await res.json(), {
        status: 'UNAUTHORIZED_ERROR',
        message: 'Missing or invalid API key.',
        data: null,
      });
    }
  });

  test('the default key is sk-mock-demo', async () => {
    const other = await startMockServer();
    try {
      const res = await fetch(`${other.url}/v1/me`, { headers: { authorization: 'Bearer sk-mock-demo' } });
      assert.equal(res.status, 200);
    } finally {
      await other.close();
    }
  });
});

describe('GET /v1/resources', () => {
  test('success envelope with the default catalog and a base64url hash', async () => {
    const res = await api('/v1/resources');
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'application/json; charset=utf-8');
    const body = await res.json();
    assert.equal(body.status, 'SUCCESS');
    assert.deepEqual(Object.keys(body.data).sort(), ['hash', 'resources']);
    assert.match(body.data.hash, BASE64URL);
    assert.equal(body.data.hash.length, 22); // 16 bytes, no padding
    assert.equal(body.data.hash, hashOf(DEFAULT_CATALOG));
    assert.deepEqual(body.data.resources, DEFAULT_CATALOG);
    const ids = body.data.resources.models.map((m) => m.model);
    assert.deepEqual(ids, ['o3', 'gpt-4o', 'gpt-5', 'claude-sonnet-4', 'gpt-image-1', 'gemini-3-pro-image-preview', 'sora-2']);
    for (const m of body.data.resources.models) {
      assert.deepEqual(Object.keys(m), ['model', 'modality', 'availableRunOptions']);
      for (const o of m.availableRunOptions) assert.ok(o.options.every((v) => typeof v === 'string'));
    }
  });

  test('the hash follows the catalog; odd catalogs and hash overrides are served as is', async () => {
    const first = (await (await api('/v1/resources')).json()).data.hash;

    const changed = await control('POST', '/__control/catalog', { preset: 'changed' });
    assert.equal(changed.hash, hashOf(CHANGED_CATALOG));
    assert.notEqual(changed.hash, first);
    const body = await (await api('/v1/resources')).json();
    assert.equal(body.data.hash, changed.hash);
    const ids = body.data.resources.models.map((m) => m.model);
    assert.ok(ids.includes('veo-3') && !ids.includes('claude-sonnet-4'));
    assert.deepEqual(body.data.resources.models.find((m) => m.model === 'gpt-5').availableRunOptions[0].options, [
      'none', 'low', 'medium', 'high',
    ]);

    const odd = { models: [{ model: '', modality: 'smell' }], extra: { note: 'kept' } };
    const state = await control('POST', '/__control/catalog', { resources: odd });
    assert.equal(state.hash, hashOf(odd));
    assert.deepEqual((await (await api('/v1/resources')).json()).data.resources, odd);

    await control('POST', '/__control/catalog', { hash: 'not base64url!' });
    assert.equal((await (await api('/v1/resources')).json()).data.hash, 'not base64url!');

    const back = await control('POST', '/__control/catalog', { preset: 'default' });
    assert.equal(back.hash, first);
  });

  test('the hash ignores key order and changes with content', () => {
    assert.equal(hashOf({ a: 1, b: [1, 2] }), hashOf({ b: [1, 2], a: 1 }));
    assert.notEqual(hashOf({ a: 1, b: [1, 2] }), hashOf({ a: 1, b: [2, 1] }));
  });

  test('unknown /v1 path gives 404 NOT_FOUND_ERROR', async () => {
    const res = await api('/v1/nothing-here');
    assert.equal(res.status, 404);
    assert.equal((await res.json()).status, 'NOT_FOUND_ERROR');
  });
});

describe('cache invalidation', () => {
  test('action-require only when the sent hash differs', async () => {
    const hash = hashOf(DEFAULT_CATALOG);
    const withAgent = (value) => api('/v1/resources', { headers: { 'cli-agent': value } });

    assert.equal((await api('/v1/resources')).headers.get('action-require'), null);
    assert.equal((await withAgent(`resources_hash=${hash}`)).headers.get('action-require'), null);
    assert.equal((await withAgent('resources_hash=old')).headers.get('action-require'), 'update-resources');
    // Lenient parsing: other tokens around it, any header-name case.
    const mixed = await api('/v1/me', { headers: { 'CLI-Agent': 'my-cli/1.2; resources_hash=old os=linux' } });
    assert.equal(mixed.headers.get('action-require'), 'update-resources');
    const current = await api('/v1/me', { headers: { 'cli-agent': `my-cli/1.2 resources_hash=${hash};x=1` } });
    assert.equal(current.headers.get('action-require'), null);
    // Only on 2xx answers.
    const unauthorized = await api('/v1/resources', { key: null, headers: { 'cli-agent': 'resources_hash=old' } });
    assert.equal(unauthorized.status, 401);
    assert.equal(unauthorized.headers.get('action-require'), null);
  });

  test('a catalog change makes the old hash outdated', async () => {
    const old = hashOf(DEFAULT_CATALOG);
    await control('POST', '/__control/catalog', { preset: 'changed' });
    const res = await api('/v1/me', { headers: { 'cli-agent': `resources_hash=${old}` } });
    assert.equal(res.headers.get('action-require'), 'update-resources');
  });
});

describe('CORS', () => {
  test('preflight echoes origin and requested headers, needs no auth', async () => {
    const res = await fetch(`${mock.url}/v1/resources`, {
      method: 'OPTIONS',
      headers: {
        origin: 'http://app.example',
        'access-control-request-method': 'GET',
        'access-control-request-headers': 'authorization, cli-agent',
      },
    });
    assert.equal(res.status, 204);
    assert.equal(res.headers.get('access-control-allow-origin'), 'http://app.example');
    assert.equal(res.headers.get('vary'), 'Origin');
    assert.equal(res.headers.get('access-control-allow-methods'), 'GET, POST, PUT, DELETE, OPTIONS');
    assert.equal(res.headers.get('access-control-allow-headers'), 'authorization, cli-agent');
    assert.equal(res.headers.get('access-control-max-age'), '600');

    const fallback = await fetch(`${mock.url}/v1/resources`, { method: 'OPTIONS' });
    assert.equal(fallback.headers.get('access-control-allow-origin'), '*');
    assert.equal(fallback.headers.get('access-control-allow-headers'), 'authorization, accept, content-type, cli-agent');
  });

  test('preflights do not consume faults', async () => {
    await addFaults({ status: 500 });
    await fetch(`${mock.url}/v1/resources`, { method: 'OPTIONS' });
    assert.equal((await api('/v1/resources')).status, 500);
  });

  test('Expose-Headers on success, error and control responses', async () => {
    const responses = [
      await api('/v1/resources', { headers: { origin: 'http://app.example' } }),
      await api('/v1/resources', { key: null }),
      // The control API answers only a page on this machine (see 'CORS of static files and the control API').
      await fetch(`${mock.url}/__control/state`, { headers: { origin: 'http://127.0.0.1:1' } }),
    ];
    for (const res of responses) {
      assert.equal(res.headers.get('access-control-expose-headers'), 'action-require, retry-after, content-type');
      assert.equal(res.headers.get('vary'), 'Origin');
      assert.ok(['http://app.example', 'http://127.0.0.1:1', '*'].includes(res.headers.get('access-control-allow-origin')));
      await res.arrayBuffer();
    }
    assert.equal(responses[0].headers.get('access-control-allow-origin'), 'http://app.example');
    assert.equal(responses[1].headers.get('access-control-allow-origin'), '*');
  });
});

describe('faults', () => {
  test('status with Retry-After and the contract envelope', async () => {
    await addFaults({ status: 429, retryAfter: '2' }, { status: 402 }, { status: 504 }, { status: 418 }, { status: 503 });
    const first = await api('/v1/resources');
    assert.equal(first.status, 429);
    assert.equal(first.headers.get('retry-after'), '2');
    const body = await first.json();
    assert.equal(body.status, 'TOO_MANY_REQUESTS_ERROR');
    assert.equal(typeof body.message, 'string');
    assert.equal(body.data, null);
    for (const [status, code] of [[402, 'PAYMENT_REQUIRED_ERROR'], [504, 'GATEWAY_TIMEOUT_ERROR'], [418, 'BAD_REQUEST_ERROR'], [503, 'SERVER_ERROR']]) {
      const res = await api('/v1/resources');
      assert.equal(res.status, status);
      assert.equal((await res.json()).status, code);
    }
    assert.equal((await api('/v1/resources')).status, 200, 'each fault is used once');
  });

  test('faults match their path; times and "*"', async () => {
    const state = await addFaults({ path: '/v1/me', status: 500, times: 2 }, { path: '*', status: 410 });
    assert.equal(state.pendingFaults, 3);
    assert.equal((await api('/v1/resources')).status, 410); // the first fault waits for /v1/me
    assert.equal((await api('/v1/me')).status, 500);
    assert.equal((await api('/v1/me')).status, 500);
    assert.equal((await api('/v1/me')).status, 200);
    assert.equal((await control('GET', '/__control/state')).pendingFaults, 0);
  });

  test('raw body, content type and extra headers', async () => {
    await addFaults({ status: 500, body: 'oops', contentType: 'text/plain', headers: { 'x-trace': 'abc' } });
    const res = await api('/v1/resources');
    assert.equal(res.status, 500);
    assert.equal(res.headers.get('content-type'), 'text/plain');
    assert.equal(res.headers.get('x-trace'), 'abc');
    assert.equal(await res.text(), 'oops');
  });

  test('invalid faults are rejected', async () => {
    const res = await fetch(`${mock.url}/__control/faults`, {
      method: 'POST',
      body: JSON.stringify({ faults: [{ kind: 'explode' }] }),
    });
    assert.equal(res.status, 400);
    assert.equal((await res.json()).status, 'BAD_REQUEST_ERROR');
    assert.equal((await control('GET', '/__control/state')).pendingFaults, 0);
  });

  test('html: a 502 proxy page', async () => {
    await addFaults({ kind: 'html' });
    const res = await api('/v1/resources');
    assert.equal(res.status, 502);
    assert.match(res.headers.get('content-type'), /^text\/html/);
    assert.equal(await res.text(), '<html><body><h1>502 Bad Gateway</h1></body></html>');
  });

  test('empty: no body', async () => {
    await addFaults({ kind: 'empty' }, { kind: 'empty', status: 503 });
    const ok = await api('/v1/resources');
    assert.equal(ok.status, 200);
    assert.equal(await ok.text(), '');
    const unavailable = await api('/v1/resources');
    assert.equal(unavailable.status, 503);
    assert.equal(await unavailable.text(), '');
  });

  test('malformed: truncated JSON', async () => {
    await addFaults({ kind: 'malformed' });
    const res = await api('/v1/resources');
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type'), /^application\/json/);
    const text = await res.text();
    assert.equal(text, '{"status":"SUCCESS","data":{"hash":');
    assert.throws(() => JSON.parse(text), SyntaxError);
  });

  test('bodyBase64: raw bytes, invalid UTF-8 included, reach the client unchanged', async () => {
    const bytes = Buffer.from([0xef, 0xbb, 0xbf, 0x7b, 0xff, 0xc3, 0x7d]);
    await addFaults({ bodyBase64: bytes.toString('base64') });
    const res = await api('/v1/resources');
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-length'), String(bytes.length));
    assert.deepEqual(Buffer.from(await res.arrayBuffer()), bytes);
  });

  test('bodyBase64: must be base64, and not given with body', async () => {
    for (const fault of [{ bodyBase64: 'not base64!' }, { bodyBase64: 5 }, { body: 'x', bodyBase64: 'eA==' }]) {
      const res = await fetch(`${mock.url}/__control/faults`, { method: 'POST', body: JSON.stringify({ faults: [fault] }) });
      assert.equal(res.status, 400, JSON.stringify(fault));
    }
  });

  test('reset: headers arrive, reading the body fails', async () => {
    await addFaults({ kind: 'reset' });
    const res = await api('/v1/resources');
    assert.equal(res.status, 200);
    await assert.rejects(res.text(), TypeError);
    assert.equal((await api('/v1/resources')).status, 200, 'the server keeps working');
  });

  test('delayMs: answers normally, later', async () => {
    await addFaults({ delayMs: 150 });
    const started = Date.now();
    const res = await api('/v1/resources');
    assert.equal(res.status, 200);
    assert.equal((await res.json()).status, 'SUCCESS');
    assert.ok(Date.now() - started >= 140, `took ${Date.now() - started}ms`);
  });

  test('drip: the normal body, one byte at a time', async () => {
    await addFaults({ path: '/v1/me', kind: 'drip', dripMs: 3 });
    const started = Date.now();
    const res = await api('/v1/me');
    assert.equal(res.status, 200);
    let chunks = 0;
    let text = '';
    const decoder = new TextDecoder();
    for await (const chunk of res.body) {
      chunks += 1;
      text += decoder.decode(chunk, { stream: true });
    }
    assert.deepEqual(JSON.parse(text), { status: 'SUCCESS', data: { id: 'user_mock', plan: 'pro' } });
    assert.ok(chunks > 10, `only ${chunks} chunks`);
    assert.ok(Date.now() - started >= text.length * 2, `took ${Date.now() - started}ms`);
  });

  test('hang: bounded by the client going away and by close()', async () => {
    const other = await startMockServer({ apiKey: KEY });
    await fetch(`${other.url}/__control/faults`, {
      method: 'POST',
      body: JSON.stringify({ faults: [{ kind: 'hang', times: 2 }] }),
    });
    const headers = { authorization: `Bearer ${KEY}` };
    await assert.rejects(
      fetch(`${other.url}/v1/resources`, { headers, signal: AbortSignal.timeout(100) }),
      (err) => err.name === 'TimeoutError',
    );
    const pending = fetch(`${other.url}/v1/resources`, { headers }).then(
      () => 'answered',
      () => 'failed',
    );
    await new Promise((r) => setTimeout(r, 50));
    const started = Date.now();
    await other.close();
    assert.ok(Date.now() - started < 500, 'close() does not wait for hanging requests');
    assert.equal(await pending, 'failed');
  });
});

describe('request log', () => {
  test('records API requests with redacted authorization, not control requests', async () => {
    await api('/v1/resources', { headers: { 'cli-agent': 'resources_hash=old' } });
    await api('/v1/me', { key: 'sk-wrong' });
    await api('/v1/me', { key: null });
    await fetch(`${mock.url}/v1/resources`, { method: 'OPTIONS' });
    await control('GET', '/__control/state');

    const { requests } = await control('GET', '/__control/log');
    assert.equal(requests.length, 4);
    const [ok, wrong, missing, preflight] = requests;
    assert.deepEqual(
      requests.map((r) => [r.method, r.path, r.status, r.actionRequire]),
      [
        ['GET', '/v1/resources', 200, true],
        ['GET', '/v1/me', 401, false],
        ['GET', '/v1/me', 401, false],
        ['OPTIONS', '/v1/resources', 204, false],
      ],
    );
    assert.equal(ok.headers.authorization, 'Bearer <redacted>');
    assert.equal(ok.headers['cli-agent'], 'resources_hash=old');
    assert.equal(wrong.headers.authorization, '<wrong>');
    assert.equal(missing.headers.authorization, undefined);
    assert.equal(preflight.headers.authorization, undefined);
    assert.ok(requests.every((r, i) => r.n === i + 1 && typeof r.at === 'number'));
    assert.ok(!JSON.stringify(requests).includes(KEY), 'the key never appears in the log');
    assert.ok(!JSON.stringify(await control('GET', '/__control/state')).includes(KEY), 'nor in the state');

    assert.deepEqual(await control('DELETE', '/__control/log'), { requests: [] });
    assert.deepEqual((await control('GET', '/__control/log')).requests, []);
  });
});

describe('rate limit', () => {
  test('429 with Retry-After past the limit, off again with null', async () => {
    await control('POST', '/__control/rate-limit', { perSecond: 2 });
    const statuses = [];
    let limited;
    for (let i = 0; i < 3; i += 1) {
      const res = await api('/v1/resources');
      statuses.push(res.status);
      if (res.status === 429) limited = res;
      else await res.arrayBuffer();
    }
    assert.deepEqual(statuses, [200, 200, 429]);
    assert.equal(limited.headers.get('retry-after'), '1');
    assert.equal((await limited.json()).status, 'TOO_MANY_REQUESTS_ERROR');

    const state = await control('POST', '/__control/rate-limit', { perSecond: null });
    assert.equal(state.rateLimitPerSecond, null);
    assert.equal((await api('/v1/resources')).status, 200);
  });
});

describe('POST /v1/runs', () => {
  const run = (body) =>
    api('/v1/runs', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

  test('accepts valid run options', async () => {
    const res = await run({ model: 'gpt-image-1', prompt: 'a cat', runOptions: { quality: 'high', size: '1024x1536' } });
    assert.equal(res.status, 200);
    const body = await res.json();
    assert.equal(body.status, 'SUCCESS');
    assert.match(body.data.runId, /^run_\d+$/);
    assert.equal(body.data.model, 'gpt-image-1');
    assert.match(body.data.output, /^\(mock\) /);
  });

  test('422 VALIDATION_ERROR with the failing field', async () => {
    const cases = [
      [{ model: 'nope', prompt: 'x' }, 'model'],
      [{ model: 'gpt-5', prompt: 'x', runOptions: { reasoningEffort: 'high' } }, 'runOptions.reasoningEffort'],
      [{ model: 'gpt-4o', prompt: 'x', runOptions: { temperature: '1' } }, 'runOptions.temperature'],
      [{ model: 'sora-2', prompt: 'x', runOptions: { seconds: 4 } }, 'runOptions.seconds'],
    ];
    for (const [body, field] of cases) {
      const res = await run(body);
      assert.equal(res.status, 422, JSON.stringify(body));
      const json = await res.json();
      assert.equal(json.status, 'VALIDATION_ERROR');
      assert.equal(typeof json.message, 'string');
      assert.deepEqual(json.data, { field });
    }
  });
});

describe('reset', () => {
  test('restores catalog, faults, rate limit and log', async () => {
    await control('POST', '/__control/catalog', { preset: 'changed' });
    await addFaults({ status: 500, times: 3 });
    await control('POST', '/__control/rate-limit', { perSecond: 1 });
    await api('/v1/me');

    const state = await control('POST', '/__control/reset');
    assert.deepEqual(state, {
      hash: hashOf(DEFAULT_CATALOG),
      resources: DEFAULT_CATALOG,
      rateLimitPerSecond: null,
      pendingFaults: 0,
      requestCount: 0,
    });
    assert.deepEqual((await control('GET', '/__control/log')).requests, []);
    for (let i = 0; i < 3; i += 1) assert.equal((await api('/v1/resources')).status, 200);
  });
});

describe('static files', () => {
  let dir;
  let site;

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mock-static-'));
    const www = path.join(dir, 'www');
    const pkg = path.join(dir, 'pkg-out');
    fs.mkdirSync(www);
    fs.mkdirSync(pkg);
    fs.writeFileSync(path.join(dir, 'secret.txt'), 'TOP SECRET');
    fs.writeFileSync(path.join(www, 'index.html'), '<!doctype html><title>demo</title>');
    fs.writeFileSync(path.join(www, 'app.mjs'), 'export default 1;');
    fs.writeFileSync(path.join(pkg, 'client.js'), 'export const x = 1;');
    fs.writeFileSync(path.join(pkg, 'client_bg.wasm'), Buffer.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]));
    site = await startMockServer({ apiKey: KEY, staticDir: www, pkgDir: pkg });
  });
  after(async () => {
    await site?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('index.html, modules and wasm with the right types', async () => {
    const index = await fetch(`${site.url}/`);
    assert.equal(index.status, 200);
    assert.match(index.headers.get('content-type'), /^text\/html/);
    assert.match(await index.text(), /<title>demo<\/title>/);

    const mod = await fetch(`${site.url}/app.mjs`);
    assert.match(mod.headers.get('content-type'), /^text\/javascript/);
    assert.equal(mod.headers.get('access-control-allow-origin'), null);
    assert.equal(mod.headers.get('cross-origin-resource-policy'), 'same-origin');
    await mod.text();

    const js = await fetch(`${site.url}/pkg/client.js`);
    assert.equal(js.status, 200);
    assert.match(js.headers.get('content-type'), /^text\/javascript/);
    assert.equal(await js.text(), 'export const x = 1;');

    const wasm = await fetch(`${site.url}/pkg/client_bg.wasm`);
    assert.equal(wasm.headers.get('content-type'), 'application/wasm');
    assert.equal((await wasm.arrayBuffer()).byteLength, 8);

    assert.equal((await fetch(`${site.url}/missing.js`)).status, 404);
  });

  test('no path traversal outside the directory', async () => {
    for (const raw of ['/../secret.txt', '/..%2fsecret.txt', '/%2e%2e/secret.txt', '/pkg/..%2f..%2fsecret.txt', '/..%5csecret.txt']) {
      const res = await rawGet(site.url, raw);
      assert.notEqual(res.status, 200, raw);
      assert.ok(!res.body.includes('TOP SECRET'), raw);
    }
  });

  test('the API still answers, and static requests are not logged', async () => {
    const res = await fetch(`${site.url}/v1/resources`, { headers: { authorization: `Bearer ${KEY}` } });
    assert.equal(res.status, 200);
    await res.arrayBuffer();
    await (await fetch(`${site.url}/`)).text();
    const log = await (await fetch(`${site.url}/__control/log`)).json();
    assert.deepEqual(log.requests.map((r) => r.path), ['/v1/resources']);
  });
});

describe('command line', () => {
  test('prints MOCK_URL, serves, and exits cleanly on SIGTERM', async () => {
    const child = spawn(process.execPath, [SERVER_SCRIPT, '--port', '0', '--api-key', KEY], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    child.stdout.setEncoding('utf8');
    const url = await new Promise((resolve, reject) => {
      child.stdout.on('data', (chunk) => {
        stdout += chunk;
        const match = /^MOCK_URL=(http:\/\/127\.0\.0\.1:\d+)\n/.exec(stdout);
        if (match) resolve(match[1]);
      });
      child.once('exit', (code) => reject(new Error(`exited early with ${code}`)));
    });
    const res = await fetch(`${url}/v1/me`, { headers: { authorization: `Bearer ${KEY}` } });
    assert.equal(res.status, 200);
    await res.arrayBuffer();

    const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
    child.kill('SIGTERM');
    assert.deepEqual(await exited, { code: 0, signal: null });
    assert.equal(stdout, `MOCK_URL=${url}\n`, 'exactly one line on stdout');
  });

  test('refuses to listen on other hosts', async () => {
    const child = spawn(process.execPath, [SERVER_SCRIPT, '--host', '0.0.0.0'], { stdio: 'ignore' });
    const code = await new Promise((resolve) => child.once('exit', resolve));
    assert.notEqual(code, 0);
    await assert.rejects(startMockServer({ host: '0.0.0.0' }), /127\.0\.0\.1/);
  });
});

describe('CORS of static files and the control API', () => {
  const FOREIGN = 'https://evil.example';
  let dir;
  let site;

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mock-cors-'));
    fs.writeFileSync(path.join(dir, 'demo-config.js'), `export default { apiKey: '${KEY}' };`);
    site = await startMockServer({ apiKey: KEY, staticDir: dir });
  });
  after(async () => {
    await site?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const get = (url, headers = {}, method = 'GET') => fetch(url, { method, headers: { origin: FOREIGN, ...headers } });

  test('a foreign origin gets no CORS headers on static files (the demo config with its key)', async () => {
    const res = await get(`${site.url}/demo-config.js`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('access-control-allow-origin'), null);
    assert.equal(res.headers.get('access-control-expose-headers'), null);
    await res.text();
    const preflight = await get(`${site.url}/demo-config.js`, { 'access-control-request-method': 'GET' }, 'OPTIONS');
    assert.equal(preflight.headers.get('access-control-allow-origin'), null);
  });

  test('a foreign origin gets no CORS headers on the control API, on the demo server or an API-only one', async () => {
    for (const base of [site.url, mock.url]) {
      const state = await get(`${base}/__control/state`);
      assert.equal(state.headers.get('access-control-allow-origin'), null, base);
      await state.text();
      const preflight = await get(`${base}/__control/faults`, {
        'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type',
      }, 'OPTIONS');
      assert.equal(preflight.headers.get('access-control-allow-origin'), null, base);
      assert.equal(preflight.headers.get('access-control-allow-methods'), null, base);
    }
    // The demo's control API is for its own (same-origin) page only, even from this machine.
    const local = await get(`${site.url}/__control/state`, { origin: 'http://127.0.0.1:1' });
    assert.equal(local.headers.get('access-control-allow-origin'), null);
    await local.text();
    // An API-only server (the browser tests' pages come from a second local server) answers a local page.
    const test = await get(`${mock.url}/__control/state`, { origin: 'http://127.0.0.1:1' });
    assert.equal(test.headers.get('access-control-allow-origin'), 'http://127.0.0.1:1');
    await test.text();
  });

  test('the API keeps answering any origin', async () => {
    const res = await get(`${site.url}/v1/resources`, { authorization: `Bearer ${KEY}` });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('access-control-allow-origin'), FOREIGN);
    await res.text();
  });

  test('static files and the control API refuse another Host (DNS rebinding)', async () => {
    const status = (pathname) => new Promise((resolve, reject) => {
      const req = http.get(`${site.url}${pathname}`, { headers: { host: `evil.example:${site.port}` } }, (res) => {
        res.resume();
        resolve(res.statusCode);
      });
      req.on('error', reject);
    });
    assert.equal(await status('/demo-config.js'), 421);
    assert.equal(await status('/__control/state'), 421);
    assert.equal((await fetch(`${site.url}/demo-config.js`)).status, 200);
  });
});
