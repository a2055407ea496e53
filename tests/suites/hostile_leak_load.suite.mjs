// No leak of the API key anywhere the package writes, and load: many callers
// share one request, many clients get through a rate limit.
import { ok, equal, recordingStorage, captureConsole } from './hostile_support.mjs';
import { rejects } from './assert.mjs';

const describe = (e) => [e?.message, e?.stack, String(e), JSON.stringify(e), JSON.stringify(Object.entries(e ?? {}))].join('\n');

export const tests = [
  {
    name: 'the API key never appears in storage, errors, warnings, results or console output',
    async run(ctx) {
      await ctx.control.reset();
      const key = ctx.apiKey;
      const seen = [];
      const storage = recordingStorage();
      const console = await captureConsole(async () => {
        const client = new ctx.lib.ResourcesClient(ctx.options({ storage, apiKey: `Bearer ${key}`, retries: 1 }));
        client.onChange((r) => seen.push(JSON.stringify(r)));
        client.onChange(() => { throw new Error('a listener that throws'); });
        seen.push(JSON.stringify(await client.fetchResources()));
        seen.push(JSON.stringify(client.cached()), JSON.stringify(client.agentHeaders()), String(client.hash));
        // Failures of every kind, with and without a stored catalog to fall back on.
        const faults = [
          { status: 500, times: 2 }, { kind: 'reset', times: 2 }, { kind: 'malformed' }, { status: 401 },
          { status: 429, retryAfter: '0', times: 2 }, { kind: 'html', times: 2 },
          { body: JSON.stringify({ status: 'SUCCESS', data: { hash: 'x y', resources: { models: [] } } }) },
        ];
        for (const fault of faults) {
          await ctx.control.faults(fault);
          try { seen.push(JSON.stringify(await client.fetchResources({ refresh: true }))); } catch (e) { seen.push(describe(e)); }
          await ctx.control.faults(fault);
          try { seen.push(JSON.stringify(await ctx.lib.fetchResources(ctx.options({ apiKey: key, retries: 1 })))); } catch (e) { seen.push(describe(e)); }
        }
        // Timeouts and unreachable hosts.
        await ctx.control.faults({ kind: 'hang' });
        seen.push(describe(await rejects(ctx.lib.fetchResources(ctx.options({ apiKey: key, timeoutMs: 200 })))));
        seen.push(describe(await rejects(ctx.lib.fetchResources({ baseUrl: 'http://127.0.0.1:9', apiKey: key, dangerouslyAllowBrowser: true, retries: 0 }))));
        // Bad options next to a key.
        for (const bad of [{ baseUrl: 'ftp://x' }, { timeoutMs: -1 }, { headers: { 'x-a': 'b\r\nc' } }, { apiKey: `${key}\n` }, { apiKey: `${key}\u20ac` }]) {
          try { new ctx.lib.ResourcesClient({ apiKey: key, dangerouslyAllowBrowser: true, ...bad }); } catch (e) { seen.push(describe(e)); }
        }
        // A response observed with a refresh request.
        client.observe(new Response('{}', { status: 200, headers: { 'action-require': 'update-resources' } }));
        await ctx.sleep(200);
        seen.push(JSON.stringify(client.cached()));
        client.clear();
      });
      const everything = [...seen, ...storage.written, ...console].join('\n');
      ok(seen.length > 20, 'the scan saw the outputs');
      ok(storage.written.length > 0, 'the scan saw storage writes');
      ok(!everything.includes(key), `the key leaked:\n${everything.split('\n').filter((l) => l.includes(key)).join('\n')}`);
      ok(console.some((l) => l.includes('onChange listener threw')), 'console output was captured');
    },
  },
  {
    name: '1,000 concurrent calls on one client make one request',
    async run(ctx) {
      await ctx.control.reset();
      await ctx.control.clearLog();
      const client = new ctx.lib.ResourcesClient(ctx.options());
      const results = await Promise.all(Array.from({ length: 1000 }, () => client.fetchResources()));
      equal((await ctx.control.resourceRequests()).length, 1);
      const hashes = new Set(results.map((r) => r.hash));
      equal(hashes.size, 1);
      ok(results.every((r) => r.source === 'network' && r.resources.models.length === 7));
    },
  },
  {
    name: '50 clients in bursts against a 5 requests/second limit all finish through Retry-After',
    only: 'node',
    async run(ctx) {
      await ctx.control.reset();
      const expected = (await ctx.control.state()).hash;
      await ctx.control.clearLog();
      await ctx.control.rateLimit(5);
      try {
        const calls = [];
        const start = Date.now();
        for (let burst = 0; burst < 5; burst += 1) {
          // Bursts start 2.5 s apart: a burst of 10 needs two one-second windows
          // of 5 (the limiter counts refused requests too, so overlapping
          // bursts retrying in step would keep the window full).
          await ctx.sleep(Math.max(0, start + burst * 2500 - Date.now()));
          for (let i = 0; i < 10; i += 1) {
            const client = new ctx.lib.ResourcesClient(ctx.options({ retries: 10 }));
            calls.push(client.fetchResources());
          }
        }
        // allSettled: a failing client must not leave others retrying into the next test.
        const settled = await Promise.allSettled(calls);
        const failures = settled.filter((s) => s.status === 'rejected').map((s) => s.reason.message);
        equal(failures.length, 0, failures.join('\n'));
        const results = settled.map((s) => s.value);
        equal(results.length, 50);
        ok(results.every((r) => r.hash === expected && r.source === 'network' && r.resources.models.length === 7), 'a wrong result');
        const log = await ctx.control.resourceRequests();
        const limited = log.filter((e) => e.status === 429).length;
        equal(log.filter((e) => e.status === 200).length, 50);
        ok(limited > 0, 'the limit was hit');
        ok(log.length <= 50 * 11, `${log.length} requests`);
      } finally {
        await ctx.control.rateLimit(null);
      }
    },
  },
];
