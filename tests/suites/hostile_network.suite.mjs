// Network faults from the mock: each ends in the documented result within the
// retry budget, and a failure leaves the stored hash and catalog as they were.
import {
  ok, equal, recordingStorage, snapshot, assertIntact, assertError,
} from './hostile_support.mjs';
import { deepEqual, rejects } from './assert.mjs';

async function primed(ctx, extra = {}) {
  await ctx.control.reset();
  const client = new ctx.lib.ResourcesClient(ctx.options({ storage: recordingStorage(), ...extra }));
  await client.fetchResources();
  await ctx.control.clearLog();
  return { client, before: snapshot(client) };
}

const requests = (ctx) => ctx.control.resourceRequests();

export const tests = [
  {
    name: 'connection reset mid-body: NETWORK_ERROR, or the stored catalog served stale',
    async run(ctx) {
      await ctx.control.reset();
      await ctx.control.faults({ kind: 'reset' });
      const error = await rejects(ctx.lib.fetchResources(ctx.options()));
      assertError(error, 'NETWORK_ERROR', { status: 0 });
      equal(error.retryable, true);

      const { client, before } = await primed(ctx);
      await ctx.control.faults({ kind: 'reset' });
      const r = await client.fetchResources({ refresh: true });
      equal(r.source, 'cache');
      equal(r.stale, true);
      equal(r.hash, before.hash);
      ok(r.warnings.some((w) => w.startsWith('served from cache: network error')), r.warnings.join('\n'));
      assertIntact(client, before);
    },
  },
  {
    name: 'a reset is retried within the budget, then succeeds',
    async run(ctx) {
      await ctx.control.reset();
      await ctx.control.clearLog();
      await ctx.control.faults({ kind: 'reset', times: 2 });
      const r = await ctx.lib.fetchResources(ctx.options({ retries: 2 }));
      equal(r.source, 'network');
      equal((await requests(ctx)).length, 3);
    },
  },
  {
    // The walk reads a body as it arrives: cut a byte at a time (through keys,
    // strings, models), it must come to what the same body gives whole.
    name: 'a catalog dripped a byte at a time reads as it does whole',
    async run(ctx) {
      await ctx.control.reset();
      const read = async () => {
        const r = await ctx.lib.fetchResources(ctx.options({ timeoutMs: 60_000 }));
        return { hash: r.hash, resources: r.resources, warnings: r.warnings };
      };
      const whole = await read();
      await ctx.control.faults({ kind: 'drip', dripMs: 1, times: 1 });
      deepEqual(await read(), whole);
      await ctx.control.reset();
    },
  },
  {
    name: 'a body dripping slower than timeoutMs ends in TIMEOUT after the retries',
    async run(ctx) {
      await ctx.control.reset();
      await ctx.control.clearLog();
      await ctx.control.faults({ kind: 'drip', dripMs: 100, times: 2 });
      const error = await rejects(ctx.lib.fetchResources(ctx.options({ timeoutMs: 300, retries: 1 })));
      assertError(error, 'TIMEOUT', { status: 0 });
      equal(error.retryable, true);
      equal((await requests(ctx)).length, 2, 'one attempt and one retry');
    },
  },
  {
    name: '200 with an error envelope rejects with its code, no retry, store intact',
    async run(ctx) {
      const { client, before } = await primed(ctx, { retries: 3 });
      const body = JSON.stringify({ status: 'PAYMENT_REQUIRED_ERROR', message: 'Your plan has lapsed.', data: null });
      await ctx.control.faults({ status: 200, body });
      const error = await rejects(client.fetchResources({ refresh: true }));
      assertError(error, 'PAYMENT_REQUIRED_ERROR', { status: 200 });
      equal(error.retryable, false);
      ok(error.message.includes('Your plan has lapsed.'), error.message);
      equal((await requests(ctx)).length, 1);
      assertIntact(client, before);
    },
  },
  {
    name: 'a same-origin redirect is followed with the Authorization header',
    async run(ctx) {
      await ctx.control.reset();
      await ctx.control.clearLog();
      await ctx.control.faults({ status: 307, headers: { location: '/v1/resources?moved=1' } });
      const r = await ctx.lib.fetchResources(ctx.options());
      equal(r.source, 'network');
      const log = await requests(ctx);
      equal(log.length, 2);
      equal(log[0].status, 307);
      equal(log[1].headers.authorization, 'Bearer <redacted>');
      equal(log[1].status, 200);
    },
  },
  {
    name: 'a cross-origin redirect, when allowed, never carries the Authorization header',
    async run(ctx) {
      await ctx.control.reset();
      await ctx.control.clearLog();
      // The same server under another origin: localhost instead of 127.0.0.1.
      const other = ctx.mockUrl.replace('127.0.0.1', 'localhost');
      await ctx.control.faults({ status: 302, headers: { location: `${other}/v1/resources` } });
      const client = new ctx.lib.ResourcesClient(ctx.options({ allowCrossOriginRedirects: true }));
      let outcome;
      try {
        outcome = await client.fetchResources();
      } catch (e) {
        outcome = e;
      }
      const log = (await ctx.control.log()).filter((e) => e.method === 'GET' && e.path === '/v1/resources');
      const moved = log.filter((e) => String(e.headers.host).startsWith('localhost'));
      for (const e of moved) equal(e.headers.authorization, undefined, 'Authorization sent across origins');
      // It is followed without the key, so the API there answers 401.
      equal(moved.length, 1, 'the redirect was followed once');
      assertError(outcome, 'UNAUTHORIZED_ERROR', { status: 401 });
      equal(client.hash, null);
    },
  },
  {
    name: 'a 429 storm is retried through Retry-After, within the budget',
    async run(ctx) {
      const { client, before } = await primed(ctx, { retries: 3 });
      await ctx.control.faults({ status: 429, retryAfter: '0', times: 3 });
      const r = await client.fetchResources({ refresh: true });
      equal(r.source, 'network');
      equal((await requests(ctx)).length, 4);

      const stored = snapshot(client);
      await ctx.control.clearLog();
      await ctx.control.faults({ status: 429, retryAfter: '0', times: 10 });
      const error = await rejects(client.fetchResources({ refresh: true }));
      assertError(error, 'TOO_MANY_REQUESTS_ERROR', { status: 429 });
      equal(error.retryAfterMs, 0);
      equal(error.retryable, true);
      equal((await requests(ctx)).length, 4, 'first attempt + 3 retries, no more');
      assertIntact(client, stored);
      equal(client.hash, before.hash);
      await ctx.control.reset();
    },
  },
  {
    name: '5xx then success: retried and stored',
    async run(ctx) {
      const { client, before } = await primed(ctx, { retries: 3 });
      await ctx.control.catalog({ preset: 'changed' });
      await ctx.control.faults({ status: 500, retryAfter: '0' }, { status: 503, retryAfter: '0' }, { kind: 'html', status: 502 });
      const r = await client.fetchResources({ refresh: true });
      equal(r.source, 'network');
      equal(r.changed, true);
      equal(r.previousHash, before.hash);
      equal(client.hash, r.hash);
      equal((await requests(ctx)).length, 4);
    },
  },
  {
    name: '5xx beyond the budget serves the stored catalog stale, or rejects without one',
    async run(ctx) {
      const { client, before } = await primed(ctx, { retries: 1 });
      await ctx.control.faults({ status: 500, times: 2 });
      const r = await client.fetchResources({ refresh: true });
      equal(r.source, 'cache');
      equal(r.stale, true);
      ok(r.warnings.some((w) => w.includes('SERVER_ERROR')), r.warnings.join('\n'));
      equal((await requests(ctx)).length, 2);
      assertIntact(client, before);

      await ctx.control.faults({ status: 504, times: 2, retryAfter: '0' });
      const error = await rejects(ctx.lib.fetchResources(ctx.options({ retries: 1 })));
      assertError(error, 'GATEWAY_TIMEOUT_ERROR', { status: 504 });
    },
  },
  {
    name: 'other 4xx are never retried and never fall back to the cache',
    async run(ctx) {
      const { client, before } = await primed(ctx, { retries: 5 });
      for (const status of [400, 401, 402, 404, 410, 422]) {
        await ctx.control.clearLog();
        await ctx.control.faults({ status });
        const error = await rejects(client.fetchResources({ refresh: true }));
        equal(error.status, status);
        equal(error.retryable, false);
        equal((await requests(ctx)).length, 1);
        assertIntact(client, before, String(status));
      }
    },
  },
];
