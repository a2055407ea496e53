// Retries: network errors, timeouts, 429 (honouring Retry-After) and 5xx are
// retried with back-off; other 4xx never; an abort during the wait stops at once.
// Gaps between attempts are read from the mock's request log (its `at` times).
import { ok, equal, rejects } from './assert.mjs';
import { waitFor, within } from './helpers.mjs';

export const tests = [
  {
    name: 'a 5xx then a success, with retries: 2, succeeds after 2 requests',
    async run({ lib, options, control }) {
      await control.reset();
      await control.faults({ status: 503 });
      const result = await lib.fetchResources(options({ retries: 2 }));
      equal(result.source, 'network');
      const log = await control.resourceRequests();
      equal(log.length, 2);
      equal(log[0].status, 503);
      equal(log[1].status, 200);
      // Back-off: 0.5 s minus at most 25 % jitter.
      ok(log[1].at - log[0].at >= 350, `back-off gap ${log[1].at - log[0].at} ms`);
    },
  },
  {
    name: 'retries run out: the last error is reported after 1 + retries requests',
    async run({ lib, options, control }) {
      await control.reset();
      await control.faults({ status: 500, times: 2 }, { status: 504 });
      const error = await rejects(lib.fetchResources(options({ retries: 2 })));
      equal(error.code, 'GATEWAY_TIMEOUT_ERROR');
      equal((await control.resourceRequests()).length, 3);
      // The second wait doubles the first (1 s minus up to 25 %).
      const [a, b, c] = await control.resourceRequests();
      ok(c.at - b.at >= 700 && c.at - b.at > b.at - a.at - 150, `gaps ${b.at - a.at} then ${c.at - b.at} ms`);
    },
  },
  {
    name: '429 with Retry-After: 1 waits about a second before the next request',
    async run({ lib, options, control }) {
      await control.reset();
      await control.faults({ status: 429, retryAfter: '1' });
      const result = await lib.fetchResources(options({ retries: 1 }));
      equal(result.source, 'network');
      const [first, second] = await control.resourceRequests();
      equal(first.status, 429);
      equal(second.status, 200);
      ok(second.at - first.at >= 950, `waited ${second.at - first.at} ms, Retry-After asked 1000`);
    },
  },
  {
    name: 'the mock rate limiter (Retry-After: 1) is ridden out with retries',
    async run({ lib, options, control }) {
      await control.reset();
      await control.rateLimit(1);
      const client = new lib.ResourcesClient(options({ retries: 1 }));
      await client.fetchResources();
      const second = await client.fetchResources();
      equal(second.source, 'network');
      const statuses = (await control.resourceRequests()).map((r) => r.status);
      equal(statuses.join(), '200,429,200');
      await control.reset();
    },
  },
  {
    name: 'never retries 401, 402, 404 or 422',
    async run({ lib, options, control }) {
      for (const status of [401, 402, 404, 422]) {
        await control.reset();
        await control.faults({ status, times: 5 });
        const error = await rejects(lib.fetchResources(options({ retries: 5 })));
        equal(error.status, status);
        equal((await control.resourceRequests()).length, 1, `requests for ${status}`);
      }
      await control.reset();
    },
  },
  {
    name: 'an invalid response is not retried',
    async run({ lib, options, control }) {
      await control.reset();
      await control.faults({ kind: 'malformed', times: 3 });
      const error = await rejects(lib.fetchResources(options({ retries: 2 })));
      equal(error.code, 'INVALID_RESPONSE');
      equal((await control.resourceRequests()).length, 1);
      await control.reset();
    },
  },
  {
    name: 'retries: 0 makes exactly one request',
    async run({ lib, options, control }) {
      await control.reset();
      await control.faults({ status: 500, times: 3 });
      const error = await rejects(lib.fetchResources(options({ retries: 0 })));
      equal(error.code, 'SERVER_ERROR');
      equal((await control.resourceRequests()).length, 1);
      await control.reset();
    },
  },
  {
    name: 'a cut connection and a timeout are retried',
    async run({ lib, options, control }) {
      await control.reset();
      await control.faults({ kind: 'reset' }, { kind: 'hang' });
      const result = await within(lib.fetchResources(options({ retries: 2, timeoutMs: 300 })), 'two retries');
      equal(result.source, 'network');
      const log = await control.resourceRequests();
      equal(log.length, 3);
      equal(log[2].status, 200);
    },
  },
  {
    name: 'an abort during the back-off wait rejects ABORTED at once and sends nothing more',
    async run({ lib, options, control }) {
      await control.reset();
      await control.faults({ status: 429, retryAfter: '30' });
      const abort = new AbortController();
      const client = new lib.ResourcesClient(options({ retries: 3 }));
      const pending = client.fetchResources({ signal: abort.signal });
      await waitFor(async () => (await control.resourceRequests())[0]?.status === 429, 'the 429 to be answered');
      abort.abort();
      // The back-off is 30 s: settling within the bound proves the wait was cut short.
      const error = await rejects(within(pending, 'the aborted back-off', 3000));
      equal(error.code, 'ABORTED');
      // A new call after the abort starts afresh (the cancelled flight is gone).
      const fresh = await client.fetchResources();
      equal(fresh.source, 'network');
      equal((await control.resourceRequests()).length, 2, 'only the new call made a request');
    },
  },
  {
    name: 'with the default retries (2) a 5xx burst of two is ridden out',
    async run({ lib, options, control }) {
      await control.reset();
      await control.faults({ status: 500, times: 2 });
      const opts = options();
      delete opts.retries;
      const result = await lib.fetchResources(opts);
      equal(result.source, 'network');
      equal((await control.resourceRequests()).length, 3);
    },
  },
];
