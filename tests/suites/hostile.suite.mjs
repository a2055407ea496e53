// Hostile response bodies: every one ends in a documented result, never a
// trap, and a failure leaves the stored hash and catalog as they were.
import {
  ok, equal, recordingStorage, snapshot, assertIntact, assertError, assertPlainData,
} from './hostile_support.mjs';
import { rejects } from './assert.mjs';

/** A client that already holds the mock's default catalog, and its snapshot. */
async function primed(ctx, extra = {}) {
  await ctx.control.reset();
  const storage = recordingStorage();
  const client = new ctx.lib.ResourcesClient(ctx.options({ storage, ...extra }));
  const first = await client.fetchResources();
  equal(first.source, 'network');
  return { client, storage, first, before: snapshot(client) };
}

const envelope = (data) => JSON.stringify({ status: 'SUCCESS', data });
const resourcesOf = (models, extra = {}) => ({ models, ...extra });
const HASH = 'aG9zdGlsZS10ZXN0';
const base64 = (bytes) => {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s);
};

/** Fails the next /v1/resources with `fault`, expects `code`, and checks the store. */
async function expectFailure(ctx, fault, code, extra = {}) {
  const { client, before } = await primed(ctx);
  await ctx.control.faults(fault);
  // 4xx-like failures and invalid bodies never fall back to the cache.
  const error = await rejects(client.fetchResources({ refresh: true }), `expected ${code}`);
  assertError(error, code, extra);
  assertIntact(client, before);
  return error;
}

export const tests = [
  {
    name: 'thousands of nesting levels are INVALID_RESPONSE (no path), no trap',
    async run(ctx) {
      const deep = '['.repeat(5000) + ']'.repeat(5000);
      const body = `{"status":"SUCCESS","data":{"hash":"${HASH}","resources":{"models":[],"deep":${deep}}}}`;
      const error = await expectFailure(ctx, { body }, 'INVALID_RESPONSE', { status: 200 });
      equal(error.path, undefined);
      ok(/nested/.test(error.message), error.message);
      // The module still works afterwards.
      const again = await ctx.lib.fetchResources(ctx.options());
      equal(again.source, 'network');
    },
  },
  {
    name: 'a section nested 100 levels deep (within the limit) is kept as data',
    async run(ctx) {
      await ctx.control.reset();
      let deep = 'leaf';
      for (let i = 0; i < 100; i += 1) deep = [deep];
      await ctx.control.catalog({ resources: { models: [], deep } });
      const r = await ctx.lib.fetchResources(ctx.options());
      let v = r.resources.deep;
      for (let i = 0; i < 100; i += 1) v = v[0];
      equal(v, 'leaf');
      ok(r.warnings.some((w) => w.startsWith('data.resources.deep: ')), r.warnings.join('\n'));
    },
  },
  {
    name: 'a 10 MB string is accepted within maxBytes, and RESPONSE_TOO_LARGE above it',
    async run(ctx) {
      await ctx.control.reset();
      const huge = 'x'.repeat(10 * 1024 * 1024);
      await ctx.control.catalog({ resources: { models: [{ model: 'gpt-4o', modality: 'text', availableRunOptions: [] }], notes: huge } });
      const storage = recordingStorage();
      const client = new ctx.lib.ResourcesClient(ctx.options({ storage }));
      const r = await client.fetchResources();
      equal(r.resources.notes.length, huge.length);
      equal(client.cached().resources.notes.length, huge.length);
      const small = new ctx.lib.ResourcesClient(ctx.options({ maxBytes: 1_000_000 }));
      assertError(await rejects(small.fetchResources()), 'RESPONSE_TOO_LARGE', { status: 200 });
      equal(small.hash, null);
      await ctx.control.reset();
    },
  },
  {
    name: 'numbers or null where strings belong fail at their JSON path',
    async run(ctx) {
      const model = (over) => ({ model: 'o3', modality: 'text', availableRunOptions: [{ key: 'reasoningEffort', options: ['low', 'high'] }], ...over });
      const cases = [
        [{ hash: 12345, resources: resourcesOf([model()]) }, 'data.hash'],
        [{ hash: null, resources: resourcesOf([model()]) }, 'data.hash'],
        [{ hash: HASH, resources: resourcesOf([model({ model: 42 })]) }, 'data.resources.models[0].model'],
        [{ hash: HASH, resources: resourcesOf([model({ modality: null })]) }, 'data.resources.models[0].modality'],
        [{ hash: HASH, resources: resourcesOf([model({ availableRunOptions: [{ key: 7, options: [] }] })]) },
          'data.resources.models[0].availableRunOptions[0].key'],
        [{ hash: HASH, resources: resourcesOf([model({ availableRunOptions: [{ key: 'k', options: ['a', null] }] })]) },
          'data.resources.models[0].availableRunOptions[0].options[1]'],
        [{ hash: HASH, resources: { models: null } }, 'data.resources.models'],
      ];
      for (const [data, path] of cases) {
        await expectFailure(ctx, { body: envelope(data) }, 'INVALID_RESPONSE', { status: 200, path });
      }
      await expectFailure(ctx, { body: JSON.stringify({ status: 7, data: {} }) }, 'INVALID_RESPONSE', { path: 'status' });
    },
  },
  {
    name: 'a UTF-8 BOM before the JSON is tolerated',
    async run(ctx) {
      const { client } = await primed(ctx);
      const body = `\uFEFF${envelope({ hash: HASH, resources: resourcesOf([{ model: 'bom', modality: 'text', availableRunOptions: [] }]) })}`;
      await ctx.control.faults({ body });
      const r = await client.fetchResources({ refresh: true });
      equal(r.hash, HASH);
      equal(r.resources.models[0].model, 'bom');
      equal(client.hash, HASH);
    },
  },
  {
    name: 'invalid UTF-8 anywhere in the body is INVALID_RESPONSE, never replaced silently',
    async run(ctx) {
      const text = envelope({ hash: HASH, resources: resourcesOf([{ model: 'ZZ', modality: 'text', availableRunOptions: [] }]) });
      const bytes = [...new TextEncoder().encode(text)];
      const at = text.indexOf('ZZ');
      bytes.splice(at, 2, 0xff, 0xc3); // a byte that never occurs in UTF-8, then a lone lead byte
      await expectFailure(ctx, { bodyBase64: base64(bytes) }, 'INVALID_RESPONSE', { status: 200, path: undefined });
      // In an error body it only shapes the message.
      await ctx.control.faults({ status: 500, bodyBase64: base64([0xff, 0xfe, 0x3c]) });
      const error = await rejects(ctx.lib.fetchResources(ctx.options()));
      assertError(error, 'HTTP_ERROR', { status: 500 });
      ok(error.message.length < 300, error.message);
    },
  },
  {
    name: 'duplicate JSON keys: the last one wins, as in JSON.parse',
    async run(ctx) {
      const { client } = await primed(ctx);
      const models = JSON.stringify([{ model: 'first', modality: 'text', availableRunOptions: [] }]);
      const later = JSON.stringify([{ model: 'last', modality: 'image', modality2: 1, availableRunOptions: [] }]);
      const body = `{"status":"NOT_FOUND_ERROR","status":"SUCCESS","data":{"hash":"AAAA","hash":"${HASH}",`
        + `"resources":{"models":${models},"models":${later}}}}`;
      ok(JSON.parse(body).data.hash === HASH, 'JSON.parse keeps the last key too');
      await ctx.control.faults({ body });
      const r = await client.fetchResources({ refresh: true });
      equal(r.hash, HASH);
      equal(r.resources.models.length, 1);
      equal(r.resources.models[0].model, 'last');
      equal(r.resources.models[0].modality, 'image');
      equal(client.cached().resources.models[0].model, 'last');
      // A duplicate model id is kept, with a warning.
      const dup = JSON.stringify([{ model: 'm', modality: 'text', availableRunOptions: [] }, { model: 'm', modality: 'text', availableRunOptions: [] }]);
      await ctx.control.faults({ body: `{"status":"SUCCESS","data":{"hash":"${HASH}","resources":{"models":${dup}}}}` });
      const d = await client.fetchResources({ refresh: true });
      equal(d.resources.models.length, 2);
      ok(d.warnings.some((w) => w.startsWith('data.resources.models[1].model: ')), d.warnings.join('\n'));
    },
  },
  {
    name: 'truncated JSON is INVALID_RESPONSE and keeps the store',
    async run(ctx) {
      await expectFailure(ctx, { kind: 'malformed' }, 'INVALID_RESPONSE', { status: 200 });
      const full = envelope({ hash: HASH, resources: resourcesOf([]) });
      for (const cut of [1, 10, full.length - 1]) {
        await expectFailure(ctx, { body: full.slice(0, cut) }, 'INVALID_RESPONSE', { status: 200, path: undefined });
      }
      await expectFailure(ctx, { kind: 'empty' }, 'INVALID_RESPONSE', { status: 200 });
    },
  },
  {
    name: '__proto__ and constructor as sections, model ids and option keys stay plain data',
    async run(ctx) {
      await ctx.control.reset();
      const resources = JSON.parse(`{
        "models": [
          {"model": "__proto__", "modality": "text", "availableRunOptions": [
            {"key": "__proto__", "options": ["constructor", "__proto__"]},
            {"key": "constructor", "options": ["prototype"]}]},
          {"model": "constructor", "modality": "__proto__", "availableRunOptions": [], "__proto__": {"polluted": 1}}
        ],
        "__proto__": {"polluted": 2},
        "constructor": {"prototype": {"polluted": 3}},
        "prototype": {"polluted": 4}
      }`);
      await ctx.control.catalog({ resources });
      const changes = [];
      const client = new ctx.lib.ResourcesClient(ctx.options({ storage: recordingStorage() }));
      client.onChange((r) => changes.push(r));
      const r = await client.fetchResources();
      for (const [label, value] of [['result', r], ['cached', client.cached()], ['onChange', changes[0]]]) {
        ok(value, `${label} missing`);
        const res = value.resources;
        assertPlainData(value, label);
        ok(Object.hasOwn(res, '__proto__') && res.__proto__.polluted === 2, `${label}: __proto__ section is own data`);
        equal(Object.getPrototypeOf(res), Object.prototype, `${label}: prototype`);
        equal(res.constructor.prototype.polluted, 3);
        equal(res.models[0].model, '__proto__');
        equal(res.models[0].availableRunOptions[0].key, '__proto__');
        equal(res.models[0].availableRunOptions[1].key, 'constructor');
        equal(res.models[1].model, 'constructor');
        ok(Object.hasOwn(res.models[1], '__proto__'), `${label}: unknown model field kept as own data`);
      }
      equal({}.polluted, undefined, 'Object.prototype is untouched');
      equal(Object.prototype.polluted, undefined);
      ok(r.warnings.some((w) => w.startsWith('data.resources.__proto__: ')), r.warnings.join('\n'));
    },
  },
  {
    name: '__proto__ and constructor as option keys are unknown options, inherited options are ignored',
    async run(ctx) {
      for (const text of ['{"__proto__": {"baseUrl": "http://127.0.0.1:1"}}', '{"constructor": {}}']) {
        let error;
        try { new ctx.lib.ResourcesClient(JSON.parse(text)); } catch (e) { error = e; }
        assertError(error, 'INVALID_OPTIONS');
      }
      // Options inherited from a (polluted) prototype are not options.
      await ctx.control.reset();
      await ctx.control.clearLog();
      Object.prototype.baseUrl = 'http://127.0.0.1:1';
      Object.prototype.retries = 'many';
      try {
        const r = await ctx.lib.fetchResources(ctx.options());
        equal(r.source, 'network');
      } finally {
        delete Object.prototype.baseUrl;
        delete Object.prototype.retries;
      }
      equal((await ctx.control.resourceRequests()).length, 1);
    },
  },
  {
    name: 'a hash with CR/LF or non-base64url characters is refused and never reaches a header',
    async run(ctx) {
      for (const hash of ['abc\r\nx-evil: 1', 'abc def', 'a+b/c', 'abc\u0000', 'é', '', '=', 'a'.repeat(300)]) {
        const { client, before } = await primed(ctx);
        await ctx.control.catalog({ hash });
        const error = await rejects(client.fetchResources({ refresh: true }), JSON.stringify(hash));
        assertError(error, 'INVALID_RESPONSE', { status: 200, path: 'data.hash' });
        assertIntact(client, before, JSON.stringify(hash));
        await ctx.control.catalog({ preset: 'default' });
        await ctx.control.clearLog();
        await client.fetchResources({ refresh: true });
        const [next] = await ctx.control.resourceRequests();
        equal(next.headers['cli-agent'], `resources_hash=${before.hash}`, 'the next request sends the stored hash');
        ok(!JSON.stringify(next.headers).includes('x-evil'));
        ok(!Object.keys(next.headers).includes('x-evil'));
      }
    },
  },
  {
    name: 'megabytes of response headers end in NETWORK_ERROR (refused by the HTTP stack), store intact',
    async run(ctx) {
      const { client, before } = await primed(ctx, { maxAgeMs: 0 });
      const big = 'a'.repeat(2 * 1024 * 1024);
      await ctx.control.faults({ headers: { 'x-big': big } });
      // With a stored catalog, a network failure serves it (stale-if-error)...
      const r = await client.fetchResources({ refresh: true });
      equal(r.source, 'cache');
      equal(r.stale, true);
      ok(r.warnings.some((w) => /network error/.test(w)), r.warnings.join('\n'));
      assertIntact(client, before);
      // ...and without one, it rejects with NETWORK_ERROR.
      await ctx.control.faults({ headers: { 'x-big': big } });
      const error = await rejects(ctx.lib.fetchResources(ctx.options()));
      assertError(error, 'NETWORK_ERROR', { status: 0 });
      equal(error.retryable, true);
    },
  },
];
