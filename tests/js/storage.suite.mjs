// The store: one versioned JSON record per storageKey and base URL, in the
// chosen storage; never the API key; throwing storage degrades to memory;
// corrupt, foreign or future records are discarded.
import { ok, equal, deepEqual } from './assert.mjs';
import { recordingStorage, throwingStorage } from './helpers.mjs';

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
      equal(record.v, 1);
      equal(record.baseUrl, mockUrl);
      equal(record.hash, result.hash);
      equal(record.fetchedAt, result.fetchedAt);
      equal(record.stale, false);
      deepEqual(record.resources, result.resources);
      for (const [, k, v] of storage.calls) {
        ok(!String(k).includes('sk-mock-demo') && !String(v ?? '').includes('sk-mock-demo'), 'the key is never written');
      }
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
      const variants = {
        'not JSON': '{"v":1,',
        'no version': JSON.stringify({ ...record, v: undefined }),
        'future version': JSON.stringify({ ...record, v: 2 }),
        'another base URL': JSON.stringify({ ...record, baseUrl: 'https://elsewhere.example' }),
        'a hash with CR/LF': JSON.stringify({ ...record, hash: 'abc\r\nx-evil: 1' }),
        'a hash with +': JSON.stringify({ ...record, hash: 'ab+c' }),
        'an empty model id': JSON.stringify({ ...record, resources: { models: [{ model: '', modality: 'text', availableRunOptions: [] }] } }),
        'no resources': JSON.stringify({ ...record, resources: undefined }),
        'a negative fetchedAt': JSON.stringify({ ...record, fetchedAt: -1 }),
      };
      for (const [what, bad] of Object.entries(variants)) {
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
      equal(JSON.parse(storage.map.get(key)).v, 1);
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
      const key = Object.keys(localStorage).find((k) => k.includes(opts.storageKey));
      ok(key && key.includes(mockUrl), `a localStorage key for ${opts.storageKey}`);
      equal(JSON.parse(localStorage.getItem(key)).hash, result.hash);
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
      const key = Object.keys(localStorage).find((k) => k.includes(opts.storageKey));
      equal(JSON.parse(localStorage.getItem(key)).hash, result.hash);
      client.clear();
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
