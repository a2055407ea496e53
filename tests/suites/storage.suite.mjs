// The store: one versioned JSON record per storageKey and base URL, in the
// chosen storage; never the API key; throwing storage degrades to memory;
// corrupt, foreign or future records are discarded.
import { ok, equal, deepEqual } from './assert.mjs';
import { recordingStorage, throwingStorage } from './helpers.mjs';
import { readRecord, reseal, writeRecord } from './records.mjs';

export const tests = [
  {
    name: "a custom storage's record stays in it: a memory client with the same key sees nothing",
    async run({ lib, options, control }) {
      await control.reset();
      const opts = options();
      const custom = new lib.ResourcesClient({ ...opts, storage: recordingStorage() });
      await custom.fetchResources();
      ok(custom.hash, 'the custom-storage client has a hash');
      const memory = new lib.ResourcesClient({ ...opts, storage: 'memory' });
      equal(memory.hash, null);
      equal(memory.cached(), null);
    },
  },
  {
    name: 'a custom StorageLike receives one versioned JSON record under storageKey and baseUrl',
    async run({ lib, options, control, mockUrl }) {
      await control.reset();
      const storage = recordingStorage();
      const opts = options({ storage, baseUrl: `${mockUrl}/v1/` });
      const result = await new lib.ResourcesClient(opts).fetchResources();
      const writes = storage.calls.filter(([m]) => m === 'setItem');
      equal(writes.length, 1, 'one write per fetch');
      const [, key, text] = writes[0];
      ok(key.includes(opts.storageKey), key);
      ok(key.includes(mockUrl), key);
      equal(storage.map.size, 1);
      const record = JSON.parse(text);
      deepEqual(Object.keys(record), ['v', 'baseUrl', 'scope', 'fetchedAt', 'stale', 'hash', 'warnings', 'sum', 'body'],
        'the members, the body last');
      equal(record.v, 3);
      equal(record.hash, result.hash);
      deepEqual(record.warnings, result.warnings);
      const parts = readRecord(text);
      equal(writeRecord(parts.members, parts.body), text, 'the checksum is XXH64 of the head, seeded with XXH64 of the body');
      equal(record.baseUrl, mockUrl);
      equal(key, new lib.ResourcesClient(opts).storageKey, 'the key the client reports');
      equal(key, `${opts.storageKey}:${record.scope}:${mockUrl}`, 'the scope is in the key and the record');
      ok(/^key-[0-9a-f]{32}$/.test(record.scope), record.scope);
      equal(record.fetchedAt, result.fetchedAt);
      ok(Number.isInteger(record.fetchedAt), `fetchedAt is whole ms: ${record.fetchedAt}`);
      equal(record.stale, false);
      equal(record.body.status, 'SUCCESS');
      equal(record.body.data.hash, result.hash);
      deepEqual(record.body.data.resources, result.resources);
      ok(text.endsWith('}}') && !/\s$/.test(text), 'the record ends right after the body');
      for (const [, k, v] of storage.calls) {
        ok(!String(k).includes('sk-mock-demo') && !String(v ?? '').includes('sk-mock-demo'), 'the key is never written');
      }
    },
  },
  {
    name: 'the record keeps the body as received, last; a cached result has its resources in body order and its warnings',
    async run({ lib, options, control, mockUrl }) {
      await control.reset();
      // Whitespace, escapes, non-ASCII text, an unknown member and an unknown modality: all kept as sent.
      const body = '{ "status" : "SUCCESS",\n  "data": {"hash": "Ym9keS12ZXJiYXRpbQ", "resources": {"models": [\n'
        + '    {"modality": "text", "model": "mod\u00e8le-\\u00e9", "availableRunOptions": [], "note": "été \\"x\\""},\n'
        + '    {"model": "sound", "modality": "audio", "availableRunOptions": []}\n  ]}}, "extra": 1}';
      await control.faults({ body });
      const storage = recordingStorage();
      const opts = options({ storage });
      const result = await new lib.ResourcesClient(opts).fetchResources();
      equal(result.hash, 'Ym9keS12ZXJiYXRpbQ');
      ok(result.warnings.some((w) => w.startsWith('data.resources.models[1].modality')), JSON.stringify(result.warnings));
      const [[key, text]] = [...storage.map.entries()];
      const scope = key.slice(opts.storageKey.length + 1).split(':')[0];
      const record = JSON.parse(text);
      deepEqual([record.v, record.baseUrl, record.scope, record.fetchedAt, record.stale], [3, mockUrl, scope, result.fetchedAt, false]);
      ok(text.endsWith(`"body":${body}}`), 'the body is kept as sent, byte for byte');

      await control.clearLog();
      const reader = new lib.ResourcesClient(opts);
      const cached = reader.cached();
      equal(cached.source, 'cache');
      equal(cached.hash, result.hash);
      equal(cached.fetchedAt, result.fetchedAt);
      deepEqual(cached.resources, result.resources);
      deepEqual(cached.resources, JSON.parse(body).data.resources);
      deepEqual(Object.keys(cached.resources.models[0]), ['modality', 'model', 'availableRunOptions', 'note'], 'keys in the body\'s order');
      equal(cached.resources.models[0].model, 'mod\u00e8le-\u00e9');
      deepEqual(cached.warnings, result.warnings, 'the body\'s own warnings, with the same paths');
      equal((await control.resourceRequests()).length, 0);
    },
  },
  {
    name: 'a body with a BOM and whitespace around it (a trailing newline) is stored as its JSON text and read back by a new client',
    async run({ lib, options, control, mockUrl }) {
      await control.reset();
      const json = '{"status":"SUCCESS","data":{"hash":"dHJhaWxpbmctbmV3bGluZQ","resources":{"models":[{"model":"m","modality":"text","availableRunOptions":[]}]}}}';
      await control.faults({ body: `\uFEFF \n${json}\n` });
      const storage = recordingStorage();
      const opts = options({ storage });
      const result = await new lib.ResourcesClient(opts).fetchResources();
      equal(result.hash, 'dHJhaWxpbmctbmV3bGluZQ');
      const [[key, text]] = [...storage.map.entries()];
      const scope = key.slice(opts.storageKey.length + 1).split(':')[0];
      const record = JSON.parse(text);
      deepEqual([record.v, record.baseUrl, record.scope, record.fetchedAt, record.stale], [3, mockUrl, scope, result.fetchedAt, false]);
      ok(text.endsWith(`"body":${json}}`), 'the JSON text alone, without the BOM and whitespace around it');
      await control.clearLog();
      const cached = new lib.ResourcesClient(opts).cached();
      equal(cached?.hash, result.hash, 'a new client reads the record back');
      deepEqual(cached.resources, result.resources);
      equal((await control.resourceRequests()).length, 0);
    },
  },
  {
    name: 'revalidating an unchanged catalog writes nothing while the stored copy is young; a change, a stale mark or an older copy is written',
    async run({ lib, options, control }) {
      await control.reset();
      const writes = (storage) => storage.calls.filter(([m]) => m === 'setItem').length;
      // maxAgeMs 0 (always revalidate): fetchedAt decides nothing, an unchanged body is never rewritten.
      const always = recordingStorage();
      const alwaysOptions = options({ storage: always });
      const a = new lib.ResourcesClient(alwaysOptions);
      const first = await a.fetchResources();
      const again = await a.fetchResources();
      equal(writes(always), 1, 'one write for two fetches of the same catalog');
      equal(again.source, 'network');
      ok(again.fetchedAt >= first.fetchedAt);
      equal(new lib.ResourcesClient(alwaysOptions).cached()?.hash, first.hash, 'the stored copy still serves');
      // A stale mark (action-require) is cleared by writing.
      a.observe(new Response('{}', { status: 200, headers: { 'action-require': 'update-resources' } }));
      await a.fetchResources();
      ok(writes(always) >= 3, `the stale mark and its clearing were written (${writes(always)} writes)`);
      equal(a.stale, false);
      // A changed catalog is written.
      const before = writes(always);
      await control.catalog({ preset: 'changed' });
      const changed = await a.fetchResources();
      equal(writes(always), before + 1);
      equal(changed.changed, true);
      // maxAgeMs > 0: a copy older than half of maxAgeMs is rewritten, so that other clients see it fresh.
      const aging = recordingStorage();
      const b = new lib.ResourcesClient(options({ storage: aging, maxAgeMs: 200 }));
      await b.fetchResources({ refresh: true });
      await b.fetchResources({ refresh: true });
      equal(writes(aging), 1, 'young copy kept');
      await new Promise((r) => setTimeout(r, 120));
      await b.fetchResources({ refresh: true });
      equal(writes(aging), 2, 'a copy older than half of maxAgeMs is written again');
    },
  },
  {
    name: 'another client on the same storage reads the record without a request',
    async run({ lib, options, control }) {
      await control.reset();
      const storage = recordingStorage();
      const opts = options({ storage });
      const first = await new lib.ResourcesClient(opts).fetchResources();
      await control.clearLog();
      const second = new lib.ResourcesClient(opts);
      equal(second.hash, first.hash);
      equal(second.cached().hash, first.hash);
      equal((await control.resourceRequests()).length, 0);
      const next = await second.fetchResources();
      equal(next.changed, false);
      equal((await control.resourceRequests())[0].headers['cli-agent'], `resources_hash=${first.hash}`);
    },
  },
  {
    name: 'storage: "memory" is shared by clients of one module instance',
    async run({ lib, options, control }) {
      await control.reset();
      const opts = options({ storage: 'memory' });
      const first = await new lib.ResourcesClient(opts).fetchResources();
      equal(new lib.ResourcesClient(opts).hash, first.hash);
      equal(new lib.ResourcesClient({ ...opts, storageKey: `${opts.storageKey}-other` }).hash, null);
    },
  },
  {
    name: 'a storage that throws never fails a call and degrades to memory',
    async run({ lib, options, control }) {
      await control.reset();
      const client = new lib.ResourcesClient(options({ storage: throwingStorage() }));
      equal(client.hash, null);
      equal(client.cached(), null);
      const first = await client.fetchResources();
      equal(first.source, 'network');
      ok(first.warnings.some((w) => w.includes('storage unavailable') && w.includes('insecure')), JSON.stringify(first.warnings));
      equal(client.hash, first.hash, 'kept in memory');
      await client.fetchResources();
      equal((await control.resourceRequests())[1].headers['cli-agent'], `resources_hash=${first.hash}`);
      client.clear();
      equal(client.hash, null);
    },
  },
  {
    name: 'a storage whose setItem throws (quota) keeps the catalog in memory',
    async run({ lib, options, control }) {
      await control.reset();
      const storage = recordingStorage();
      storage.setItem = () => {
        const e = new Error('quota exceeded');
        e.name = 'QuotaExceededError';
        throw e;
      };
      const client = new lib.ResourcesClient(options({ storage }));
      const result = await client.fetchResources();
      ok(result.warnings.some((w) => w.includes('quota exceeded')), JSON.stringify(result.warnings));
      equal(client.hash, result.hash);
      equal(storage.map.size, 0);
    },
  },
  {
    name: 'a storage that returns odd values is treated as empty',
    async run({ lib, options, control }) {
      await control.reset();
      for (const odd of [undefined, 42, {}, '', 'null', '[]']) {
        const storage = { getItem: () => odd, setItem() {}, removeItem() {} };
        const client = new lib.ResourcesClient(options({ storage }));
        equal(client.hash, null, `getItem -> ${JSON.stringify(odd)}`);
        equal(client.cached(), null);
      }
    },
  },
  {
    name: 'a corrupt, foreign, future-version or tampered record is discarded',
    async run({ lib, options, control }) {
      await control.reset();
      const storage = recordingStorage();
      const opts = options({ storage });
      const good = await new lib.ResourcesClient(opts).fetchResources();
      const [key] = storage.map.keys();
      const text = storage.map.get(key);
      const record = JSON.parse(text);
      equal(record.v, 3);
      const { body } = record;
      // The record sealed again unchanged is read: each variant below is discarded for what it changes.
      const reading = (value) => new lib.ResourcesClient({ ...opts, storage: { getItem: () => value, setItem() {}, removeItem() {} } });
      equal(reading(reseal(text)).hash, good.hash, 'a record sealed again unchanged is read');
      const sealed = (change) => reseal(text, change);
      const { members, body: bodyText } = readRecord(text);
      const variants = {
        'not JSON': '{"v":3,',
        'a body cut short': text.slice(0, -3),
        'a changed body byte': text.replace('"modality":"text"', '"modality":"texT"'),
        'a changed fetchedAt': text.replace(/"fetchedAt":(\d+)/, (_, n) => `"fetchedAt":${Number(n) - 1000}`),
        'a changed warning list': text.replace('"warnings":[', '"warnings":["x",'),
        'a changed checksum': text.replace(/"sum":"[0-9a-f]/, (m) => `${m.slice(0, -1)}${m.endsWith('0') ? '1' : '0'}`),
        'no version': sealed((m) => ({ ...m, v: undefined })),
        'a version as a string': sealed((m) => ({ ...m, v: '3' })),
        'future version': sealed((m) => ({ ...m, v: 4 })),
        'previous format (v1)': JSON.stringify({
          v: 1, baseUrl: record.baseUrl, hash: body.data.hash, fetchedAt: record.fetchedAt, stale: false, resources: body.data.resources,
        }),
        'previous format (v2: no checksum)': JSON.stringify({
          v: 2, baseUrl: record.baseUrl, scope: record.scope, fetchedAt: record.fetchedAt, stale: false, body,
        }),
        'another base URL': sealed((m) => ({ ...m, baseUrl: 'https://elsewhere.example' })),
        'another scope': sealed((m) => ({ ...m, scope: 'key-00000000000000000000000000000000' })),
        'no base URL': sealed((m) => ({ ...m, baseUrl: undefined })),
        'no hash': sealed((m) => ({ ...m, hash: undefined })),
        'no warnings': sealed((m) => ({ ...m, warnings: undefined })),
        'warnings that are not strings': sealed((m) => ({ ...m, warnings: [1] })),
        'no body': text.slice(0, text.indexOf('"body":') - 1) + '}',
        'the members re-ordered (the body not last)': JSON.stringify({ body, ...record }),
        'the record re-formatted': JSON.stringify(record, null, 1),
        'a member after the body': `${text.slice(0, -1)},"x":1}`,
        'a trailing space': `${text} `,
        'a trailing newline': `${text}\n`,
        'whitespace before the closing brace': `${text.slice(0, -1)} }`,
        'two records': `${text}${text}`,
        'a non-ASCII character before the body': writeRecord({ ...members, note: '\u00e9' }, bodyText, { ascii: false }),
        'a negative fetchedAt': sealed((m) => ({ ...m, fetchedAt: -1 })),
        'a fractional fetchedAt': sealed((m) => ({ ...m, fetchedAt: m.fetchedAt + 0.5 })),
        'no fetchedAt': sealed((m) => ({ ...m, fetchedAt: undefined })),
      };
      for (const [what, bad] of Object.entries(variants)) {
        ok(bad !== text, `${what} changes the record`);
        storage.map.set(key, bad);
        const client = new lib.ResourcesClient(opts);
        equal(client.hash, null, what);
        equal(client.cached(), null, what);
        deepEqual(client.agentHeaders(), {}, what);
      }
      // After a discarded record a fetch works and writes a good one again.
      await control.clearLog();
      const client = new lib.ResourcesClient(opts);
      const fresh = await client.fetchResources();
      equal(fresh.changed, true);
      equal(fresh.previousHash, null);
      equal(fresh.hash, good.hash);
      equal((await control.resourceRequests())[0].headers['cli-agent'], undefined, 'a tampered hash never reaches a header');
      const rewritten = JSON.parse(storage.map.get(key));
      equal(rewritten.v, 3);
      equal(rewritten.body.data.hash, good.hash);
    },
  },
  {
    name: 'storage: "local" uses localStorage in browsers',
    only: 'browser',
    async run({ lib, options, control, mockUrl }) {
      await control.reset();
      const opts = options({ storage: 'local' });
      const result = await new lib.ResourcesClient(opts).fetchResources();
      deepEqual(result.warnings, []);
      // The record's key (the salt is kept beside it, under `<storageKey>:salt`).
      const key = Object.keys(localStorage).find((k) => k.includes(opts.storageKey) && k !== `${opts.storageKey}:salt`);
      ok(key && key.includes(mockUrl), `a localStorage key for ${opts.storageKey}`);
      equal(JSON.parse(localStorage.getItem(key)).body.data.hash, result.hash);
      ok(!localStorage.getItem(key).includes('sk-mock-demo'));
      new lib.ResourcesClient(opts).clear();
      equal(localStorage.getItem(key), null);
    },
  },
  {
    name: 'the default storage is localStorage in browsers',
    only: 'browser',
    async run({ lib, options, control }) {
      await control.reset();
      const opts = options();
      const client = new lib.ResourcesClient(opts);
      const result = await client.fetchResources();
      const keys = Object.keys(localStorage).filter((k) => k.startsWith(`${opts.storageKey}:`)).sort();
      deepEqual(keys, [client.storageKey, `${opts.storageKey}:salt`].sort(), 'the record and the salt beside it');
      equal(JSON.parse(localStorage.getItem(client.storageKey)).body.data.hash, result.hash);
      ok(/^[0-9a-f]{32}$/.test(localStorage.getItem(`${opts.storageKey}:salt`)), 'a random salt');
      client.clear();
      localStorage.removeItem(`${opts.storageKey}:salt`);
    },
  },
  {
    name: 'the default storage is memory where there is no localStorage (Node 20), without a warning',
    only: 'node',
    async run({ lib, options, control }) {
      await control.reset();
      if (globalThis.localStorage !== undefined) return; // newer Node: covered by the browser test
      const opts = options();
      const result = await new lib.ResourcesClient(opts).fetchResources();
      deepEqual(result.warnings, []);
      equal(new lib.ResourcesClient({ ...opts, storage: 'memory' }).hash, result.hash, 'the record is in module memory');
    },
  },
  {
    name: 'storage: "local" without localStorage falls back to memory and says so',
    only: 'node',
    async run({ lib, options, control }) {
      await control.reset();
      if (globalThis.localStorage !== undefined) return;
      const client = new lib.ResourcesClient(options({ storage: 'local' }));
      const result = await client.fetchResources();
      ok(result.warnings.some((w) => w.includes('localStorage')), JSON.stringify(result.warnings));
      equal(client.hash, result.hash);
    },
  },
];
