// Storage faults: storage that throws, fills up, holds corrupt, foreign or
// future records, or is changed by another writer mid-call. None fails a call.
import {
  ok, equal, recordingStorage, recordKey, recordScope,
} from './hostile_support.mjs';
import { rejects } from './assert.mjs';
import { reseal, writeRecord } from './records.mjs';

const storageWarning = (r) => r.warnings.some((w) => w.startsWith('storage unavailable, kept in memory'));

/** A valid record text for `options`, as the package writes it (format 3: the
 * response body last, verbatim), with another hash in the body and the head. */
async function recordFor(ctx, options, hash) {
  const storage = recordingStorage();
  const writer = new ctx.lib.ResourcesClient({ ...options, storage });
  await writer.fetchResources();
  const text = storage.map.get(recordKey(ctx.lib, { ...options, storage }));
  equal(JSON.parse(text).v, 3, 'the package writes format 3');
  return reseal(text, (m) => ({ ...m, hash }), (body) => { body.data.hash = hash; });
}

/** The hash a stored record text carries. */
const storedHash = (text) => JSON.parse(text).body.data.hash;

export const tests = [
  {
    name: 'getItem and setItem that throw degrade to memory, never fail a call',
    async run(ctx) {
      await ctx.control.reset();
      const throwing = {
        getItem() { throw new Error('SecurityError: storage is disabled'); },
        setItem() { throw new Error('SecurityError: storage is disabled'); },
        removeItem() { throw new Error('SecurityError: storage is disabled'); },
      };
      const client = new ctx.lib.ResourcesClient(ctx.options({ storage: throwing }));
      equal(client.hash, null);
      equal(client.cached(), null);
      const r = await client.fetchResources();
      equal(r.source, 'network');
      ok(storageWarning(r), r.warnings.join('\n'));
      equal(client.hash, r.hash, 'kept in memory');
      equal(client.cached().hash, r.hash);
      client.clear();
      equal(client.hash, null);
    },
  },
  {
    name: 'quota exceeded on write: the catalog is kept in memory with a warning',
    async run(ctx) {
      await ctx.control.reset();
      const map = new Map();
      const full = {
        getItem: (k) => map.get(k) ?? null,
        setItem() {
          const e = new Error("Failed to execute 'setItem' on 'Storage': exceeded the quota.");
          e.name = 'QuotaExceededError';
          throw e;
        },
        removeItem: (k) => map.delete(k),
      };
      const client = new ctx.lib.ResourcesClient(ctx.options({ storage: full }));
      const r = await client.fetchResources();
      ok(storageWarning(r), r.warnings.join('\n'));
      equal(client.hash, r.hash);
      equal(map.size, 0);
      const again = await client.fetchResources();
      equal(again.changed, false, 'the memory copy is the previous hash');
    },
  },
  {
    name: 'a real localStorage with its quota filled degrades to memory',
    only: 'browser',
    async run(ctx) {
      await ctx.control.reset();
      const filler = [];
      try {
        // Fill with ever smaller items until even one character does not fit (bounded).
        for (const size of [256 * 1024, 64 * 1024, 16 * 1024, 4096, 1024, 256, 64, 16, 4, 1]) {
          const value = 'f'.repeat(size);
          for (let i = 0; i < 400; i += 1) {
            const k = `hostile-filler-${size}-${i}`;
            try { localStorage.setItem(k, value); } catch { break; }
            filler.push(k);
          }
        }
        let full = false;
        try { localStorage.setItem('hostile-probe', 'x'.repeat(2048)); localStorage.removeItem('hostile-probe'); } catch { full = true; }
        ok(full, `localStorage was not filled (${filler.length} fillers)`);
        const client = new ctx.lib.ResourcesClient(ctx.options({ storage: 'local' }));
        const r = await client.fetchResources();
        equal(r.source, 'network');
        ok(storageWarning(r), `no storage warning: ${JSON.stringify(r.warnings)}`);
        equal(client.hash, r.hash);
      } finally {
        for (const k of filler) localStorage.removeItem(k);
      }
    },
  },
  {
    name: 'a corrupt record is discarded and replaced',
    async run(ctx) {
      await ctx.control.reset();
      const base = ctx.options().baseUrl;
      // Unsalted, as the scope of the stub storages below (they cannot keep a salt).
      const scope = recordScope(ctx.lib, ctx.options({ storage: 'memory' }));
      const envelope = (hash) => `{"status":"SUCCESS","data":{"hash":${JSON.stringify(hash)},"resources":{"models":[]}}}`;
      const sealed = (body, s = scope) => writeRecord({
        v: 3, baseUrl: base, scope: s, fetchedAt: 1, stale: false, hash: 'YWI', warnings: [],
      }, body);
      // The hand-made record is read as it is: each junk below is discarded for what it changes.
      const reader = new ctx.lib.ResourcesClient(ctx.options({ storage: { getItem: () => sealed(envelope('YWI')), setItem() {}, removeItem() {} } }));
      equal(reader.hash, 'YWI', 'a well-formed hand-made record is read');
      const good = sealed(envelope('YWI'));
      const junks = [
        '{not json', 'null', '[]', '{"v":3}', '{"v":3,', '\u0000\uFFFF', '9'.repeat(5000),
        '{"v":1}',
        `{"v":1,"baseUrl":${JSON.stringify(base)},"hash":"YWI","fetchedAt":1,"stale":false,"resources":{"models":[]}}`,
        `{"v":2,"baseUrl":${JSON.stringify(base)},"scope":${JSON.stringify(scope)},"fetchedAt":1,"stale":false,"body":${envelope('YWI')}}`,
        good.slice(0, -2),
        `${good} `,
        good.replace('"models":[]', '"models":[ ]'),
        good.replace('"fetchedAt":1', '"fetchedAt":2'),
        good.replace(',"body":', ', "body":'),
        sealed(envelope('YWI'), 'key-00000000000000000000000000000000'),
        sealed(envelope('YWI'), 'nokey'),
      ];
      for (const junk of junks) {
        const storage = recordingStorage();
        const options = ctx.options({ storage });
        storage.map.set(recordKey(ctx.lib, options), junk);
        const client = new ctx.lib.ResourcesClient(options);
        equal(client.hash, null, JSON.stringify(junk));
        equal(client.cached(), null);
        const r = await client.fetchResources();
        equal(r.previousHash, null);
        equal(r.changed, true);
        equal(storedHash(storage.map.get(recordKey(ctx.lib, options))), r.hash);
      }
    },
  },
  {
    name: 'records from a future or previous format version or another base URL are ignored',
    async run(ctx) {
      await ctx.control.reset();
      const options = ctx.options();
      const text = await recordFor(ctx, options, 'c3RvcmVkLWhhc2g');
      const valid = JSON.parse(text);
      const reader = new ctx.lib.ResourcesClient({ ...options, storage: { getItem: () => text, setItem() {}, removeItem() {} } });
      equal(reader.hash, 'c3RvcmVkLWhhc2g', 'the record as written is read');
      const previous = {
        v: 1, baseUrl: valid.baseUrl, hash: 'c3RvcmVkLWhhc2g', fetchedAt: valid.fetchedAt, stale: false, resources: valid.body.data.resources,
      };
      for (const [label, rec] of [
        ['future version', reseal(text, (m) => ({ ...m, v: 4 }))],
        ['previous version (format 1)', JSON.stringify(previous)],
        ['other base URL', reseal(text, (m) => ({ ...m, baseUrl: 'https://api.example.com' }))],
        ['other scope (another API key)', reseal(text, (m) => ({ ...m, scope: 'key-00000000000000000000000000000000' }))],
        ['no scope (the layout before records were scoped by API key)', reseal(text, ({ scope, ...rest }) => rest)],
        ['format 2 (before the checksum)', JSON.stringify({
          v: 2, baseUrl: valid.baseUrl, scope: valid.scope, fetchedAt: valid.fetchedAt, stale: false, body: valid.body,
        })],
      ]) {
        const storage = recordingStorage();
        storage.map.set(recordKey(ctx.lib, { ...options, storage }), rec);
        const client = new ctx.lib.ResourcesClient({ ...options, storage });
        equal(client.hash, null, label);
        equal(client.cached(), null, label);
        await ctx.control.clearLog();
        const r = await client.fetchResources();
        equal(r.previousHash, null, label);
        const [sent] = await ctx.control.resourceRequests();
        equal(sent.headers['cli-agent'], undefined, `${label}: its hash is not sent`);
      }
    },
  },
  {
    name: 'storage changed by another writer mid-call: a success stores, a failure serves and keeps the newer record',
    async run(ctx) {
      await ctx.control.reset();
      const storage = recordingStorage();
      const options = ctx.options({ storage });
      const client = new ctx.lib.ResourcesClient(options);
      const first = await client.fetchResources();
      const other = await recordFor(ctx, ctx.options({ storageKey: options.storageKey }), 'b3RoZXItd3JpdGVy');

      // A failing call (500, served from cache): the other writer's record is what it serves and keeps.
      await ctx.control.faults({ status: 500, delayMs: 300 });
      const pending = client.fetchResources({ refresh: true });
      await ctx.sleep(100);
      storage.setItem(recordKey(ctx.lib, options), other);
      const r = await pending;
      equal(r.source, 'cache');
      equal(r.hash, 'b3RoZXItd3JpdGVy', 'the stored record as it is now');
      equal(client.hash, 'b3RoZXItd3JpdGVy');
      equal(storage.map.get(recordKey(ctx.lib, options)), other, 'not overwritten by a failure');

      // A succeeding call: the network catalog is stored; previousHash is what the call started from.
      storage.setItem(recordKey(ctx.lib, options), await recordFor(ctx, ctx.options({ storageKey: options.storageKey }), first.hash));
      await ctx.control.faults({ delayMs: 300 });
      const pending2 = client.fetchResources({ refresh: true });
      await ctx.sleep(100);
      storage.setItem(recordKey(ctx.lib, options), other);
      const r2 = await pending2;
      equal(r2.source, 'network');
      equal(r2.hash, first.hash);
      equal(client.hash, first.hash);
      equal(storedHash(storage.map.get(recordKey(ctx.lib, options))), first.hash, 'the network catalog is stored over the other writer\'s');

      // A corrupt write mid-call leaves nothing to serve on failure: the error surfaces.
      await ctx.control.faults({ status: 400, delayMs: 200 });
      const pending3 = client.fetchResources({ refresh: true });
      await ctx.sleep(50);
      storage.setItem(recordKey(ctx.lib, options), '{corrupt');
      const error = await rejects(pending3);
      equal(error.code, 'BAD_REQUEST_ERROR');
      equal(client.hash, null);
    },
  },
];
