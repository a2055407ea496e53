// Cache policy: maxAgeMs, refresh, stale-if-error, changed/previousHash, and
// failed or invalid responses that leave the stored record untouched.
import { ok, equal, deepEqual, rejects } from './assert.mjs';
import { recordingStorage } from './helpers.mjs';

/** A client on memory storage that already holds the default catalog. */
async function primed({ lib, options, control }, extra = {}) {
  await control.reset();
  const opts = options({ storage: 'memory', ...extra });
  const client = new lib.ResourcesClient(opts);
  const first = await client.fetchResources();
  await control.clearLog();
  return { client, first, opts };
}

export const tests = [
  {
    name: 'maxAgeMs serves a fresh stored catalog without a request',
    async run(ctx) {
      const { client, first } = await primed(ctx, { maxAgeMs: 60_000 });
      const second = await client.fetchResources();
      equal(second.source, 'cache');
      equal(second.stale, false);
      equal(second.changed, false);
      equal(second.previousHash, first.hash);
      equal(second.hash, first.hash);
      equal(second.fetchedAt, first.fetchedAt);
      deepEqual(second.resources, first.resources);
      equal((await ctx.control.resourceRequests()).length, 0);
    },
  },
  {
    name: 'maxAgeMs 0 (the default) always revalidates over the network',
    async run(ctx) {
      const { client } = await primed(ctx);
      equal((await client.fetchResources()).source, 'network');
      equal((await client.fetchResources()).source, 'network');
      equal((await ctx.control.resourceRequests()).length, 2);
    },
  },
  {
    name: 'a record older than maxAgeMs is revalidated',
    async run(ctx) {
      const { client } = await primed(ctx, { maxAgeMs: 1 });
      await ctx.sleep(5);
      equal(client.cached().stale, true, 'cached() marks an expired record stale');
      equal((await client.fetchResources()).source, 'network');
      equal((await ctx.control.resourceRequests()).length, 1);
    },
  },
  {
    name: 'refresh: true always goes to the network',
    async run(ctx) {
      const { client } = await primed(ctx, { maxAgeMs: 60_000 });
      const result = await client.fetchResources({ refresh: true });
      equal(result.source, 'network');
      equal(result.changed, false);
      equal((await ctx.control.resourceRequests()).length, 1);
    },
  },
  {
    name: 'the one-shot fetchResources honours refresh and maxAgeMs with a shared store',
    async run({ lib, options, control }) {
      await control.reset();
      const opts = options({ storage: 'memory', maxAgeMs: 60_000 });
      equal((await lib.fetchResources(opts)).source, 'network');
      equal((await lib.fetchResources(opts)).source, 'cache', 'the memory store outlives the one-shot client');
      equal((await lib.fetchResources({ ...opts, refresh: true })).source, 'network');
      const abort = new AbortController();
      abort.abort();
      equal((await rejects(lib.fetchResources({ ...opts, refresh: true, signal: abort.signal }))).code, 'ABORTED');
      equal((await control.resourceRequests()).length, 2);
    },
  },
  {
    name: 'no HTTP cache in between: a cacheable 410 or 200 is never replayed',
    async run({ lib, options, control }) {
      await control.reset();
      const client = new lib.ResourcesClient(options());
      // Browsers keep a 410 without Cache-Control for ever, and a 200 for its max-age.
      await control.faults({ status: 410 }, { headers: { 'cache-control': 'public, max-age=3600' } });
      equal((await rejects(client.fetchResources())).code, 'GONE_ERROR');
      equal((await client.fetchResources()).source, 'network');
      await control.catalog({ preset: 'changed' });
      const next = await client.fetchResources();
      equal(next.changed, true, 'the new catalog, not a replay');
      equal((await control.resourceRequests()).length, 3);
      await control.reset();
    },
  },
  {
    name: 'changed and previousHash compare with the hash stored before the call',
    async run({ lib, options, control }) {
      await control.reset();
      const client = new lib.ResourcesClient(options({ storage: 'memory' }));
      const first = await client.fetchResources();
      equal(first.changed, true);
      equal(first.previousHash, null);
      const same = await client.fetchResources();
      equal(same.changed, false);
      equal(same.previousHash, first.hash);
      await control.catalog({ preset: 'changed' });
      const next = await client.fetchResources();
      equal(next.changed, true);
      equal(next.previousHash, first.hash);
      ok(next.hash !== first.hash);
      equal(next.hash, (await control.state()).hash);
      ok(next.resources.models.some((m) => m.model === 'veo-3'));
      await control.reset();
    },
  },
  {
    name: 'stale-if-error: a 5xx serves the stored catalog, stale, with the error in warnings',
    async run(ctx) {
      const { client, first } = await primed(ctx);
      for (const status of [500, 503, 504]) {
        await ctx.control.faults({ status });
        const result = await client.fetchResources();
        equal(result.source, 'cache');
        equal(result.stale, true);
        equal(result.changed, false);
        equal(result.hash, first.hash);
        equal(result.fetchedAt, first.fetchedAt);
        deepEqual(result.resources, first.resources);
        ok(result.warnings.some((w) => w.includes(`HTTP ${status}`)), JSON.stringify(result.warnings));
      }
      await ctx.control.reset();
    },
  },
  {
    name: 'stale-if-error: a proxy error page (HTML 502) serves the stored catalog',
    async run(ctx) {
      const { client } = await primed(ctx);
      await ctx.control.faults({ kind: 'html' });
      const result = await client.fetchResources();
      equal(result.source, 'cache');
      equal(result.stale, true);
      ok(result.warnings.some((w) => w.includes('HTTP 502')), JSON.stringify(result.warnings));
    },
  },
  {
    name: 'stale-if-error: a network error and a timeout serve the stored catalog',
    async run(ctx) {
      const { client, opts } = await primed(ctx);
      await ctx.control.faults({ kind: 'reset' });
      const cut = await client.fetchResources();
      equal(cut.source, 'cache');
      equal(cut.stale, true);
      ok(cut.warnings.some((w) => w.includes('network error')), JSON.stringify(cut.warnings));
      // Same storage slot (memory is shared by the module), a short timeout.
      const impatient = new ctx.lib.ResourcesClient({ ...opts, timeoutMs: 100 });
      await ctx.control.faults({ kind: 'hang' });
      const late = await impatient.fetchResources();
      equal(late.source, 'cache');
      equal(late.stale, true);
      ok(late.warnings.some((w) => w.includes('timed out')), JSON.stringify(late.warnings));
      await ctx.control.reset();
    },
  },
  {
    name: 'stale-if-error only after the retries are spent',
    async run(ctx) {
      const { client } = await primed(ctx, { retries: 1 });
      await ctx.control.faults({ status: 500 });
      const result = await client.fetchResources();
      equal(result.source, 'network', 'the retry succeeded');
      equal((await ctx.control.resourceRequests()).length, 2);
    },
  },
  {
    name: 'no stale-if-error without a stored catalog',
    async run({ lib, options, control }) {
      await control.reset();
      await control.faults({ status: 500 });
      equal((await rejects(lib.fetchResources(options()))).code, 'SERVER_ERROR');
    },
  },
  {
    name: '401, 402, other 4xx, 429 and invalid bodies never fall back to the stored catalog',
    async run(ctx) {
      const { client } = await primed(ctx);
      for (const fault of [{ status: 401 }, { status: 402 }, { status: 404 }, { status: 410 }, { status: 422 }, { status: 429 }, { kind: 'malformed' }]) {
        await ctx.control.faults(fault);
        const error = await rejects(client.fetchResources(), `${JSON.stringify(fault)} should reject`);
        ok(error instanceof ctx.lib.ResourcesError);
      }
      await ctx.control.reset();
    },
  },
  {
    name: 'a failed or invalid response leaves the stored record intact',
    async run(ctx) {
      const storage = recordingStorage();
      const { client, first } = await primed(ctx, { storage });
      const [key] = storage.map.keys();
      const stored = storage.map.get(key);
      const before = client.cached();
      await ctx.control.catalog({ preset: 'changed' });
      const breakages = [
        () => ctx.control.faults({ status: 401 }),
        () => ctx.control.faults({ status: 500 }),
        () => ctx.control.faults({ kind: 'html', status: 200 }),
        () => ctx.control.catalog({ hash: 'not+base64' }),
        () => ctx.control.catalog({ resources: { models: [{ model: '', modality: 'text', availableRunOptions: [] }] } }),
      ];
      for (const breakIt of breakages) {
        await breakIt();
        try {
          await client.fetchResources();
        } catch {
          // Rejections are expected; what matters is the store.
        }
        equal(client.hash, first.hash);
        equal(storage.map.get(key), stored, 'the stored text is unchanged');
        deepEqual(client.cached(), before);
      }
      await ctx.control.reset();
    },
  },
  {
    name: 'cached() is the stored catalog, validated, without a request',
    async run(ctx) {
      const { lib, options, control } = ctx;
      await control.reset();
      const client = new lib.ResourcesClient(options({ storage: 'memory' }));
      equal(client.cached(), null);
      const result = await client.fetchResources();
      await control.clearLog();
      const cached = client.cached();
      equal(cached.source, 'cache');
      equal(cached.hash, result.hash);
      equal(cached.stale, false);
      equal(cached.changed, false);
      equal(cached.previousHash, result.hash);
      equal(cached.fetchedAt, result.fetchedAt);
      deepEqual(cached.resources, result.resources);
      deepEqual(cached.warnings, []);
      equal((await control.resourceRequests()).length, 0);
    },
  },
  {
    name: 'clear() forgets the hash and the catalog',
    async run({ lib, options, control }) {
      await control.reset();
      const storage = recordingStorage();
      const client = new lib.ResourcesClient(options({ storage }));
      await client.fetchResources();
      client.clear();
      equal(client.hash, null);
      equal(client.cached(), null);
      deepEqual(client.agentHeaders(), {});
      equal(storage.map.size, 0);
      const again = await client.fetchResources();
      equal(again.changed, true);
      equal(again.previousHash, null);
      equal((await control.resourceRequests())[1].headers['cli-agent'], undefined);
    },
  },
];
