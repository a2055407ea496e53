// Visible failures: each HTTP attempt reaches the onAttempt hook (number, URL,
// status, error, the wait before a retry; never the key), and a NETWORK_ERROR
// carries the platform's own error as `cause`.
import { ok, equal, deepEqual, rejects } from './assert.mjs';
import { responseWith, waitFor } from './helpers.mjs';

export const tests = [
  {
    name: 'a NETWORK_ERROR carries what fetch threw as its cause; other errors have none',
    async run({ lib, options, control }) {
      const error = await rejects(lib.fetchResources(options({ baseUrl: 'http://127.0.0.1:1' })));
      equal(error.code, 'NETWORK_ERROR');
      ok(error.cause instanceof Error, `cause: ${error.cause}`);
      ok(error.message.includes(error.cause.message), `${error.message} / ${error.cause.message}`);
      await control.reset();
      const refused = await rejects(lib.fetchResources(options({ apiKey: 'sk-wrong' })));
      equal(refused.code, 'UNAUTHORIZED_ERROR');
      equal('cause' in refused, false, 'no cause without a platform error');
    },
  },
  {
    name: 'onAttempt hears each attempt: status, error and the wait before each retry, then the success',
    async run({ lib, options, control, mockUrl, apiKey }) {
      await control.reset();
      await control.faults({ status: 503 }, { status: 503 });
      const events = [];
      const client = new lib.ResourcesClient(options({ retries: 2, onAttempt: (e) => events.push(e) }));
      const result = await client.fetchResources();
      equal(result.source, 'network');
      equal(events.length, 3, JSON.stringify(events));
      deepEqual(events.map((e) => e.attempt), [1, 2, 3]);
      deepEqual(events.map((e) => e.status), [503, 503, 200]);
      for (const e of events) equal(e.url, `${mockUrl}/v1/resources`);
      for (const e of events.slice(0, 2)) {
        ok(e.error instanceof lib.ResourcesError, String(e.error));
        equal(e.error.status, 503);
        ok(Number.isInteger(e.retryInMs) && e.retryInMs >= 0, `retryInMs: ${e.retryInMs}`);
      }
      equal('error' in events[2], false);
      equal('retryInMs' in events[2], false, 'no retry after a success');
      ok(!JSON.stringify(events).includes(apiKey), 'the key is never in an event');
      // The last failing attempt: no retry follows.
      events.length = 0;
      await control.faults({ status: 400 });
      await rejects(client.fetchResources({ refresh: true }));
      equal(events.length, 1);
      equal(events[0].error.code, 'BAD_REQUEST_ERROR');
      equal('retryInMs' in events[0], false);
    },
  },
  {
    name: 'onAttempt: a network failure has status 0 and the error with its cause; the one-shot fetchResources takes it too',
    async run({ lib, options }) {
      const events = [];
      await rejects(lib.fetchResources(options({ baseUrl: 'http://127.0.0.1:1', onAttempt: (e) => events.push(e) })));
      equal(events.length, 1);
      equal(events[0].status, 0);
      equal(events[0].error.code, 'NETWORK_ERROR');
      ok(events[0].error.cause instanceof Error);
    },
  },
  {
    name: 'onAttempt hears background refreshes, and each client a shared request serves',
    async run({ lib, options, control }) {
      await control.reset();
      const opts = options();
      const heardA = [];
      const heardB = [];
      const a = new lib.ResourcesClient({ ...opts, onAttempt: (e) => heardA.push(e) });
      const b = new lib.ResourcesClient({ ...opts, onAttempt: (e) => heardB.push(e) });
      await a.fetchResources();
      equal(heardA.length, 1);
      equal(heardB.length, 0, 'b was not served by that request');
      await control.faults({ status: 503, delayMs: 100 });
      const update = { 'action-require': 'update-resources' };
      a.observe(responseWith(200, update));
      b.observe(responseWith(200, update));
      await waitFor(() => heardA.length === 2 && heardB.length === 1, 'the background attempt');
      equal(heardA[1].status, 503);
      equal(heardB[0].status, 503);
    },
  },
  {
    name: 'onAttempt: a hook that throws does not fail the call; a non-function is INVALID_OPTIONS',
    async run({ lib, options, control }) {
      await control.reset();
      const saved = console.error;
      const logged = [];
      console.error = (...args) => logged.push(args);
      try {
        const r = await lib.fetchResources(options({ onAttempt: () => { throw new Error('hook'); } }));
        equal(r.source, 'network');
      } finally {
        console.error = saved;
      }
      equal(logged.length, 1, 'the throw is logged, not lost');
      let thrown;
      try { new lib.ResourcesClient(options({ onAttempt: 'log' })); } catch (e) { thrown = e; }
      equal(thrown?.code, 'INVALID_OPTIONS');
    },
  },
];
